// GET /documents/invoices/<partnerId>/<YYYY-MM>.csv and .pdf (SPEC §21): for whoever may read Partner.invoice
// (ADMIN and the partner's own tokens). Errors are JSON like every HTTP failure of the API (SPEC §18): no token or
// an unknown one → 401, another partner's → 403, no such partner, month or invoice → 404.
import express, { type Request, type Response } from 'express';
import type { AppServices as App } from '../../../graphql/context';
import { MONTH_PATTERN } from '../../../shared/dates';
import { isUuid } from '../../../shared/validation';
import { PartnerEntity } from '../../partners/partner.entity';
import { csvLine, csvRecord, csvTotals, CSV_COLUMNS } from './invoice-csv';
import { invoiceDocument, type InvoiceDocument } from './invoice-document';
import { InvoicePdf } from './invoice-pdf';

const BEARER = /^Bearer\s+(\S+)$/i;
const FILE = /^(\d{4}-\d{2})\.(csv|pdf)$/;

/** Where a client finds an invoice's documents (relative to the API's origin). */
export function invoiceDocumentPath(partnerId: string, month: string, format: 'csv' | 'pdf'): string {
  return `/documents/invoices/${partnerId}/${month}.${format}`;
}

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** Resolves when the client has read what is buffered, or has gone. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes a chunk, waiting while the client reads slower than we produce; false once the client has gone. */
async function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(chunk)) await drained(res);
  return !res.destroyed;
}

async function sendCsv(res: Response, doc: InvoiceDocument): Promise<void> {
  if (!(await write(res, csvRecord([...CSV_COLUMNS])))) return;
  for await (const line of doc.lines()) if (!(await write(res, csvLine(line)))) return;
  await write(res, csvTotals(doc));
  res.end();
}

async function sendPdf(res: Response, doc: InvoiceDocument): Promise<void> {
  const pdf = new InvoicePdf(doc);
  pdf.doc.pipe(res);
  for await (const line of doc.lines()) {
    if (res.destroyed) return;
    pdf.line(line);
    if (res.writableNeedDrain) await drained(res);
  }
  pdf.end();
}

async function serve(app: App, req: Request, res: Response): Promise<void> {
  const header = req.headers.authorization;
  const token = header ? BEARER.exec(header.trim())?.[1] : undefined;
  if (!token) return fail(res, 401, 'UNAUTHENTICATED', 'A valid API token is required (Authorization: Bearer <token>)');
  await app.clock.sync(app.ds);
  const viewer = await app.access.authenticate(token);
  if (!viewer) return fail(res, 401, 'UNAUTHENTICATED', 'Unknown or revoked API token');
  const partnerId = String(req.params.partnerId);
  if (viewer.role !== 'ADMIN' && viewer.partnerId !== partnerId) return fail(res, 403, 'FORBIDDEN', 'This invoice belongs to another partner');
  const file = FILE.exec(String(req.params.file));
  if (!file || !MONTH_PATTERN.test(file[1])) return fail(res, 404, 'NOT_FOUND', 'Documents are <partnerId>/<YYYY-MM>.csv or .pdf');
  const partner = isUuid(partnerId)
    ? await app.ds.manager.findOne(PartnerEntity, { where: { id: partnerId }, select: { id: true, name: true, inn: true } })
    : null;
  if (!partner) return fail(res, 404, 'NOT_FOUND', `No partner with id ${partnerId}`);
  const [, month, format] = file;
  const doc = await invoiceDocument(app.ds, app.billing, partner, month);
  if (!doc) return fail(res, 404, 'NOT_FOUND', `The partner has no invoice for ${month}`);
  const name = `invoice-${partner.inn}-${month}${doc.isFinal ? '' : '-preview'}.${format}`;
  res.status(200);
  res.setHeader('content-type', format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/pdf');
  res.setHeader('content-disposition', `attachment; filename="${name}"`);
  res.setHeader('x-invoice-status', doc.isFinal ? 'FINAL' : 'PREVIEW');
  res.setHeader('cache-control', 'private, no-store');
  await (format === 'csv' ? sendCsv(res, doc) : sendPdf(res, doc));
}

export function documentsRouter(app: App): express.Router {
  const router = express.Router();
  router.get('/invoices/:partnerId/:file', (req, res) => {
    serve(app, req, res).catch((error) => {
      app.logger.error({ err: error, path: req.path }, 'invoice document failed');
      if (!res.headersSent) fail(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error');
      else res.destroy();
    });
  });
  router.use((_req, res) => fail(res, 404, 'NOT_FOUND', 'No such document'));
  return router;
}

// SPEC §21: the invoice as CSV and PDF over HTTP — the same lines and totals as GraphQL, FINAL or PREVIEW, streamed,
// with JSON errors for 401, 403 and 404.
import { parse } from 'csv-parse/sync';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPartner, tokenFor, uniqueAccount, uniqueInn, type TestPartner } from '../support/factories';
import { closeMonth, recordUsage } from '../support/billing-fixtures';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';
import type { RunningServer } from '../../src/app/server';
import {
  AcceptSubaccountInvitationDocument,
  CreateSubaccountDocument,
  InvoiceForDocumentsDocument,
  ReviewPartnerApplicationDocument,
} from '../generated/graphql';
import { CSV_COLUMNS } from '../../src/modules/billing/documents/invoice-csv';

const NAME = 'ООО «Ромашка, "Север"»';
const CUSTOMER = 'АО Клиент, Москва';

let t: TestApp;
let server: RunningServer;
let partner: TestPartner;
let other: TestPartner;
let origin: string;

beforeAll(async () => {
  t = await setupTestApp({ now: '2026-01-10T09:00:00Z' });
  partner = await applyPartner(t, { name: NAME });
  const approved = await t.ok(ReviewPartnerApplicationDocument, { input: { partnerId: partner.id, decision: 'APPROVE', level: 'PARTNER' } });
  expect(approved.reviewPartnerApplication.userErrors).toEqual([]);
  other = await applyPartner(t);
  const account = uniqueAccount('ba-doc');
  const created = await t.ok(
    CreateSubaccountDocument,
    { input: { partnerId: partner.id, name: CUSTOMER, inn: uniqueInn(), billingAccountId: account } },
    partner.ownerToken,
  );
  await t.ok(AcceptSubaccountInvitationDocument, { input: { customerId: created.createSubaccount.customer!.id } });
  await t.advanceTo('2026-01-20T09:00:00Z');
  await recordUsage(t, [
    { billingAccountId: account, date: '2026-01-12', serviceId: 'compute', cost: '1000.123456', grantCredit: '100' },
    { billingAccountId: account, date: '2026-01-13', serviceId: 'object-storage', cost: '250.5' },
    { billingAccountId: partner.ownBillingAccountId, date: '2026-01-14', serviceId: 'compute', cost: '75.25' },
  ]);
  await t.advanceTo('2026-02-05T09:00:00Z');
  await recordUsage(t, [{ billingAccountId: account, date: '2026-02-03', serviceId: 'compute', cost: '300' }]);
  expect((await closeMonth(t, '2026-01')).userErrors).toEqual([]);
  server = await t.startHttp();
  origin = server.url.replace(/\/graphql$/, '');
});
afterAll(() => t.close());

function get(path: string, token: string | null = ADMIN_TOKEN): Promise<Response> {
  return fetch(origin + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function invoiceOf(month: string) {
  const data = await t.ok(InvoiceForDocumentsDocument, { id: partner.id, month });
  return { invoice: data.partner!.invoice!, bonus: data.partner!.bonus };
}

function csvRows(text: string): string[][] {
  return parse(text, { relax_column_count: false });
}

async function pdfText(response: Response): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(await response.arrayBuffer()) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

describe('invoice CSV', () => {
  it('equals the GraphQL invoice of a closed month line by line and in its totals', async () => {
    const { invoice, bonus } = await invoiceOf('2026-01');
    expect(invoice.isFinal).toBe(true);
    expect(invoice.documents).toEqual({ csv: `/documents/invoices/${partner.id}/2026-01.csv`, pdf: `/documents/invoices/${partner.id}/2026-01.pdf` });
    const response = await get(invoice.documents.csv, partner.ownerToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers.get('x-invoice-status')).toBe('FINAL');
    const text = await response.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = csvRows(text);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows.every((r) => r.length === 12)).toBe(true);
    const lineRows = rows.slice(0, invoice.lines.length);
    expect(invoice.lines.length).toBe(3);
    expect(lineRows).toEqual(
      invoice.lines.map((l) => [
        l.billingAccountId,
        l.customer?.name ?? '',
        l.serviceId,
        expect.any(String),
        l.cost,
        l.grantCredit,
        l.eligible,
        l.bonusRate,
        l.dealBonusRate,
        l.discount,
        l.payable,
        l.exclusion ?? '',
      ]),
    );
    expect(lineRows.map((r) => r[1])).toContain(CUSTOMER);
    const sum = (i: number) => lineRows.reduce((acc, r) => acc + Math.round(Number(r[i]) * 100), 0) / 100; // test-side check only
    const [total, ...figures] = rows.slice(invoice.lines.length);
    expect(total.slice(0, 1)).toEqual(['TOTAL']);
    expect([total[4], total[5], total[6], total[9]]).toEqual([invoice.totalCost, invoice.grantCredits, invoice.eligibleAmount, invoice.discount]);
    expect(Number(total[4])).toBe(sum(4));
    expect(Number(total[10])).toBe(sum(10));
    const named = Object.fromEntries(figures.map((r) => [r[0], r[1]]));
    expect(named).toMatchObject({
      status: 'FINAL',
      partner_id: partner.id,
      partner_name: NAME,
      partner_inn: partner.inn,
      month: '2026-01',
      total_cost: invoice.totalCost,
      grant_credits: invoice.grantCredits,
      eligible_amount: invoice.eligibleAmount,
      discount: invoice.discount,
      bonus_absolute: bonus.absolute,
      bonus_relative: bonus.relative,
      bonus_withdrawals_applied: invoice.bonusWithdrawalsApplied,
      bonus_carried_over: invoice.bonusCarriedOver,
      payable: invoice.payable,
    });
    expect(bonus.absolute).not.toBe('0.00');
  });

  it("names the admin who closed the month as the actor of the close's own events", async () => {
    const rows = await t.app.ds.query(`SELECT type, actor_kind FROM events WHERE partner_id = $1 AND type = 'INVOICE_FINALIZED'`, [partner.id]);
    expect(rows).toEqual([{ type: 'INVOICE_FINALIZED', actor_kind: 'ADMIN_ENV' }]);
  });

  it('marks the open month as a preview, with the lines GraphQL previews', async () => {
    const { invoice } = await invoiceOf('2026-02');
    expect(invoice.isFinal).toBe(false);
    const response = await get(invoice.documents.csv);
    expect(response.headers.get('x-invoice-status')).toBe('PREVIEW');
    expect(response.headers.get('content-disposition')).toContain('-preview.csv');
    const [, ...rows] = csvRows(await response.text());
    expect(rows.slice(0, invoice.lines.length).map((r) => [r[0], r[2], r[4], r[10]])).toEqual(
      invoice.lines.map((l) => [l.billingAccountId, l.serviceId, l.cost, l.payable]),
    );
    expect(rows.find((r) => r[0] === 'status')?.[1]).toBe('PREVIEW');
    expect(rows.find((r) => r[0] === 'payable')?.[1]).toBe(invoice.payable);
  });

  it('streams a final invoice of 100,000 lines from a cursor, heap staying bounded', async () => {
    const big = await applyPartner(t, { name: 'Большой партнёр' });
    await t.app.ds.query(
      `INSERT INTO invoices (partner_id, month, closed_at, total_cost, grant_credits, eligible_amount, discount, bonus_withdrawals_applied, bonus_carried_over, payable, customer_cost)
       VALUES ($1, '2026-01', now(), 100000, 0, 100000, 10000, 0, 0, 90000, 100000)`,
      [big.id],
    );
    await t.app.ds.query(
      `INSERT INTO invoice_lines (partner_id, month, line_no, billing_account_id, customer_id, service_id, cost, grant_credit, eligible, bonus_rate, deal_bonus_rate, discount, payable, exclusion)
       SELECT $1, '2026-01', n, 'ba-big-' || n, NULL, 'compute', 1, 0, 1, 0.1, 0, 0.1, 0.9, NULL FROM generate_series(1, 100000) AS n`,
      [big.id],
    );
    global.gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
    try {
      const response = await get(`/documents/invoices/${big.id}/2026-01.csv`);
      expect(response.status).toBe(200);
      let lines = 0;
      let last = '';
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = last + decoder.decode(chunk, { stream: true });
        const parts = text.split('\r\n');
        last = parts.pop()!;
        lines += parts.filter((p) => p.startsWith('ba-big-')).length;
      }
      expect(lines).toBe(100_000);
    } finally {
      clearInterval(sampler);
    }
    // 100,000 hydrated lines would take well over 100 MB; streamed, the heap grows by little more than a few batches.
    expect((peak - baseline) / 1024 / 1024).toBeLessThan(96);
  }, 120_000);
});

describe('invoice PDF', () => {
  it('holds the partner name (Cyrillic), INN, month, FINAL and the totals as text', async () => {
    const { invoice, bonus } = await invoiceOf('2026-01');
    const response = await get(invoice.documents.pdf, partner.ownerToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfText(response);
    for (const expected of [NAME, partner.inn, '2026-01', 'FINAL', CUSTOMER, invoice.totalCost, invoice.discount, invoice.payable, bonus.relative]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('PREVIEW');
  });

  it('marks an open month PREVIEW', async () => {
    const text = await pdfText(await get(`/documents/invoices/${partner.id}/2026-02.pdf`));
    expect(text).toContain('PREVIEW');
    expect(text).toContain(NAME);
  });
});

describe('document errors are JSON', () => {
  async function expectError(response: Response, status: number, code: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions.code).toBe(code);
    expect(typeof body.errors[0].message).toBe('string');
  }

  it('401 without a token or with an unknown one', async () => {
    await expectError(await get(`/documents/invoices/${partner.id}/2026-01.csv`, null), 401, 'UNAUTHENTICATED');
    await expectError(await get(`/documents/invoices/${partner.id}/2026-01.pdf`, 'ppt_unknown'), 401, 'UNAUTHENTICATED');
  });

  it("403 for another partner's invoice, whichever role asks", async () => {
    await expectError(await get(`/documents/invoices/${partner.id}/2026-01.csv`, other.ownerToken), 403, 'FORBIDDEN');
    const viewer = await tokenFor(t, partner, 'PARTNER_VIEWER');
    expect((await get(`/documents/invoices/${partner.id}/2026-01.csv`, viewer)).status).toBe(200);
  });

  it('404 for a month without an invoice, an unknown partner or a bad name', async () => {
    await expectError(await get(`/documents/invoices/${partner.id}/2025-06.csv`), 404, 'NOT_FOUND');
    await expectError(await get(`/documents/invoices/${other.id}/2026-01.pdf`), 404, 'NOT_FOUND');
    await expectError(await get(`/documents/invoices/00000000-0000-0000-0000-000000000000/2026-01.csv`), 404, 'NOT_FOUND');
    await expectError(await get(`/documents/invoices/${partner.id}/2026-13.csv`), 404, 'NOT_FOUND');
    await expectError(await get(`/documents/invoices/${partner.id}/2026-01.xlsx`), 404, 'NOT_FOUND');
    await expectError(await get(`/documents/nothing`), 404, 'NOT_FOUND');
  });
});

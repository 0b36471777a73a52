// The invoice as PDF (SPEC §21) with pdfkit: partner name and INN, month, FINAL or PREVIEW, the lines and the totals
// with the bonus. The text is real text in an embedded DejaVu Sans (free licence, Latin and Cyrillic), so it can be
// searched and extracted. Pages are written out as they fill (no page buffering): the document streams.
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { DocumentLine, InvoiceDocument } from './invoice-document';

const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const MARGIN = 28;
const ROW = 11;
const SIZE = 7;

/** Column title, width (points), alignment, and what it shows. */
const COLUMNS: [string, number, 'left' | 'right', (l: DocumentLine) => string][] = [
  ['Billing account', 105, 'left', (l) => l.billingAccountId],
  ['Customer', 140, 'left', (l) => l.customerName ?? (l.exclusion === 'PARTNER_OWN' ? '(own account)' : '')],
  ['Service', 105, 'left', (l) => l.serviceName],
  ['Cost', 62, 'right', (l) => l.cost],
  ['Grant credit', 62, 'right', (l) => l.grantCredit],
  ['Eligible', 62, 'right', (l) => l.eligible],
  ['Rate (deal)', 60, 'right', (l) => `${l.bonusRate} (${l.dealBonusRate})`],
  ['Discount', 62, 'right', (l) => l.discount],
  ['Payable', 62, 'right', (l) => l.payable],
  ['Exclusion', 66, 'left', (l) => l.exclusion ?? ''],
];

export class InvoicePdf {
  readonly doc: PDFKit.PDFDocument;

  constructor(private readonly invoice: InvoiceDocument) {
    this.doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: MARGIN,
      info: { Title: `Invoice ${invoice.partner.name} ${invoice.month}`, Author: 'Partner program', Subject: invoice.isFinal ? 'FINAL' : 'PREVIEW' },
    });
    this.doc.registerFont('body', path.join(FONT_DIR, 'DejaVuSansCondensed.ttf'));
    this.doc.registerFont('bold', path.join(FONT_DIR, 'DejaVuSansCondensed-Bold.ttf'));
    this.header();
  }

  private header(): void {
    const { doc, invoice } = this;
    doc
      .font('bold')
      .fontSize(16)
      .text(`Invoice ${invoice.month} — ${invoice.isFinal ? 'FINAL' : 'PREVIEW'}`);
    doc.font('body').fontSize(10);
    doc.text(`Partner: ${invoice.partner.name}`);
    doc.text(`INN: ${invoice.partner.inn}`);
    doc.text(`Month: ${invoice.month}`);
    doc.text(
      invoice.isFinal
        ? `Status: FINAL (month closed ${invoice.closedAt?.toISOString() ?? ''})`
        : 'Status: PREVIEW (the month is open; amounts may still change)',
    );
    doc.moveDown(0.5);
    this.columnTitles();
  }

  private columnTitles(): void {
    this.row(
      COLUMNS.map(([title, , align]) => [title, align]),
      'bold',
    );
  }

  private row(cells: [string, 'left' | 'right'][], font: 'body' | 'bold' = 'body'): void {
    const { doc } = this;
    if (doc.y + ROW > doc.page.height - MARGIN) {
      doc.addPage();
      this.columnTitles();
    }
    const y = doc.y;
    let x = MARGIN;
    doc.font(font).fontSize(SIZE);
    cells.forEach(([text, align], i) => {
      const width = COLUMNS[i][1];
      doc.text(text, x + 2, y, { width: width - 4, align, lineBreak: false, ellipsis: true, height: ROW });
      x += width;
    });
    doc.x = MARGIN;
    doc.y = y + ROW;
  }

  line(line: DocumentLine): void {
    this.row(COLUMNS.map(([, , align, value]) => [value(line), align]));
  }

  /** The totals block, then the end of the document. */
  end(): void {
    const { doc, invoice } = this;
    const t = invoice.totals;
    this.row(
      COLUMNS.map(([, , align], i) => [['TOTAL', '', '', t.totalCost, t.grantCredits, t.eligibleAmount, '', t.discount, t.linesPayable, ''][i], align]),
      'bold',
    );
    const figures: [string, string][] = [
      ['Total cost', t.totalCost],
      ['Grant credits', t.grantCredits],
      ['Eligible amount', t.eligibleAmount],
      ['Partner bonus (discount), absolute', t.bonusAbsolute],
      ['Partner bonus, relative', t.bonusRelative],
      ['Payable by the lines', t.linesPayable],
      ['BONUS withdrawals applied', t.bonusWithdrawalsApplied],
      ['BONUS carried over', t.bonusCarriedOver],
      ['Payable', t.payable],
    ];
    if (doc.y + (figures.length + 2) * 14 > doc.page.height - MARGIN) doc.addPage();
    doc.moveDown(1);
    for (const [label, value] of figures) {
      const y = doc.y;
      doc.font(label === 'Payable' ? 'bold' : 'body').fontSize(10);
      doc.text(label, MARGIN, y, { width: 250, lineBreak: false });
      doc.text(value, MARGIN + 250, y, { width: 120, align: 'right', lineBreak: false });
      doc.x = MARGIN;
      doc.y = y + 14;
    }
    doc.end();
  }
}

// What an invoice document shows (SPEC §21): the invoice's header and totals, and its lines as an async stream.
// A final invoice's lines are read from invoice_lines through a cursor (pg-query-stream), a batch at a time, so a
// partner with 100,000 lines is never in memory at once; the preview of an open month is the one GraphQL computes.
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import type { DataSource } from 'typeorm';
import { Dec, formatMoney, formatRate, roundRate, ZERO } from '../../../shared/money';
import type { BillingService, InvoiceLineView, InvoiceView } from '../billing.service';
import { partnerBonus } from '../domain/invoice';
import { InvoiceEntity } from '../invoice.entity';

/** One line, every amount already in its wire form (the same text GraphQL sends). */
export interface DocumentLine {
  billingAccountId: string;
  customerName: string | null;
  serviceId: string;
  serviceName: string;
  cost: string;
  grantCredit: string;
  eligible: string;
  bonusRate: string;
  dealBonusRate: string;
  discount: string;
  payable: string;
  exclusion: string | null;
}

export interface InvoiceDocument {
  partner: { id: string; name: string; inn: string };
  month: string;
  isFinal: boolean;
  closedAt: Date | null;
  totals: {
    totalCost: string;
    grantCredits: string;
    eligibleAmount: string;
    discount: string;
    /** Σ line payable, before BONUS withdrawals. */
    linesPayable: string;
    bonusWithdrawalsApplied: string;
    bonusCarriedOver: string;
    payable: string;
    /** The partner bonus: absolute = the discount, relative = discount ÷ Σ cost of customer lines. */
    bonusAbsolute: string;
    bonusRelative: string;
  };
  lines: () => AsyncIterable<DocumentLine>;
}

const FINAL_LINES = `SELECT l.billing_account_id, c.name AS customer_name, l.service_id, coalesce(s.name, l.service_id) AS service_name,
       l.cost::text, l.grant_credit::text, l.eligible::text, l.bonus_rate::text, l.deal_bonus_rate::text, l.discount::text, l.payable::text, l.exclusion
  FROM invoice_lines l LEFT JOIN customers c ON c.id = l.customer_id LEFT JOIN services s ON s.id = l.service_id
 WHERE l.partner_id = $1 AND l.month = $2 ORDER BY l.line_no`;
const CURSOR_BATCH = 1000;

function totalsOf(
  view: Pick<InvoiceView, 'totalCost' | 'grantCredits' | 'eligibleAmount' | 'discount' | 'bonusWithdrawalsApplied' | 'bonusCarriedOver' | 'payable'>,
  relative: Dec,
) {
  return {
    totalCost: formatMoney(view.totalCost),
    grantCredits: formatMoney(view.grantCredits),
    eligibleAmount: formatMoney(view.eligibleAmount),
    discount: formatMoney(view.discount),
    linesPayable: formatMoney(view.payable.plus(view.bonusWithdrawalsApplied)),
    bonusWithdrawalsApplied: formatMoney(view.bonusWithdrawalsApplied),
    bonusCarriedOver: formatMoney(view.bonusCarriedOver),
    payable: formatMoney(view.payable),
    bonusAbsolute: formatMoney(view.discount),
    bonusRelative: formatRate(relative),
  };
}

function lineOf(row: Record<string, string | null>): DocumentLine {
  return {
    billingAccountId: row.billing_account_id!,
    customerName: row.customer_name,
    serviceId: row.service_id!,
    serviceName: row.service_name!,
    cost: formatMoney(row.cost!),
    grantCredit: formatMoney(row.grant_credit!),
    eligible: formatMoney(row.eligible!),
    bonusRate: formatRate(row.bonus_rate!),
    dealBonusRate: formatRate(row.deal_bonus_rate!),
    discount: formatMoney(row.discount!),
    payable: formatMoney(row.payable!),
    exclusion: row.exclusion,
  };
}

/** The lines of a final invoice through a server-side cursor on a connection of its own, released at the end. */
async function* finalLines(ds: DataSource, partnerId: string, month: string): AsyncGenerator<DocumentLine> {
  const runner = ds.createQueryRunner('slave');
  try {
    const client = (await runner.connect()) as PoolClient;
    const stream = client.query(new QueryStream(FINAL_LINES, [partnerId, month], { batchSize: CURSOR_BATCH }));
    try {
      for await (const row of stream) yield lineOf(row as Record<string, string | null>);
    } finally {
      stream.destroy();
    }
  } finally {
    await runner.release();
  }
}

async function* previewLines(ds: DataSource, lines: InvoiceLineView[]): AsyncGenerator<DocumentLine> {
  const customerIds = [...new Set(lines.map((l) => l.customerId).filter((id): id is string => id !== null))];
  const customers = new Map<string, string>(
    ((await ds.query(`SELECT id, name FROM customers WHERE id = ANY($1::uuid[])`, [customerIds])) as { id: string; name: string }[]).map((r) => [r.id, r.name]),
  );
  const services = new Map<string, string>(((await ds.query(`SELECT id, name FROM services`)) as { id: string; name: string }[]).map((r) => [r.id, r.name]));
  for (const l of lines) {
    yield {
      billingAccountId: l.billingAccountId,
      customerName: l.customerId ? (customers.get(l.customerId) ?? null) : null,
      serviceId: l.serviceId,
      serviceName: services.get(l.serviceId) ?? l.serviceId,
      cost: formatMoney(l.cost),
      grantCredit: formatMoney(l.grantCredit),
      eligible: formatMoney(l.eligible),
      bonusRate: formatRate(l.bonusRate),
      dealBonusRate: formatRate(l.dealBonusRate),
      discount: formatMoney(l.discount),
      payable: formatMoney(l.payable),
      exclusion: l.exclusion,
    };
  }
}

/** The partner's invoice for the month as a document, or null when it has none (404). */
export async function invoiceDocument(
  ds: DataSource,
  billing: BillingService,
  partner: InvoiceDocument['partner'],
  month: string,
): Promise<InvoiceDocument | null> {
  if (await billing.isClosed(ds.manager, month)) {
    const invoice = await ds.manager.findOne(InvoiceEntity, { where: { partnerId: partner.id, month } });
    if (!invoice) return null;
    const relative = invoice.customerCost.isZero() ? ZERO : roundRate(invoice.discount.dividedBy(invoice.customerCost));
    return { partner, month, isFinal: true, closedAt: invoice.closedAt, totals: totalsOf(invoice, relative), lines: () => finalLines(ds, partner.id, month) };
  }
  const view = await billing.invoice(partner.id, month);
  if (!view) return null;
  return {
    partner,
    month,
    isFinal: false,
    closedAt: null,
    totals: totalsOf(view, new Dec(partnerBonus(view.lines).relative)),
    lines: () => previewLines(ds, view.lines),
  };
}

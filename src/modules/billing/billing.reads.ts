// Hot reads of final invoices (SqlReader, named statement): whether the month is closed, the partners' invoices and
// their lines as json, in one statement for many partners — or folded into partner(id)'s statement.
import { firstDayOfMonth } from '../../shared/dates';
import { Dec } from '../../shared/money';
import { statement, type SqlReader } from '../../shared/sql';
import { isUuid } from '../../shared/validation';
import type { InvoiceView } from './billing.service';

const MONEY = ['totalCost', 'grantCredits', 'eligibleAmount', 'discount', 'bonusWithdrawalsApplied', 'bonusCarriedOver', 'payable', 'customerCost'] as const;
const LINE_DECIMALS = ['cost', 'grantCredit', 'eligible', 'bonusRate', 'dealBonusRate', 'discount', 'payable'] as const;

const INVOICE_JSON = `json_build_object('closedAt', i.closed_at, 'totalCost', i.total_cost::text, 'grantCredits', i.grant_credits::text,
  'eligibleAmount', i.eligible_amount::text, 'discount', i.discount::text, 'bonusWithdrawalsApplied', i.bonus_withdrawals_applied::text,
  'bonusCarriedOver', i.bonus_carried_over::text, 'payable', i.payable::text, 'customerCost', i.customer_cost::text)`;
const LINE_JSON = `json_build_object('lineNo', l.line_no, 'billingAccountId', l.billing_account_id, 'customerId', l.customer_id,
  'serviceId', l.service_id, 'cost', l.cost::text, 'grantCredit', l.grant_credit::text, 'eligible', l.eligible::text, 'bonusRate', l.bonus_rate::text,
  'dealBonusRate', l.deal_bonus_rate::text, 'discount', l.discount::text, 'payable', l.payable::text, 'exclusion', l.exclusion)`;

/** The stored invoice of the partner `id` for the month (placeholders of its text and first day) as json. */
function storedJson(id: string, monthText: string, monthDate: string): string {
  return `json_build_object('closed', EXISTS (SELECT 1 FROM billing_months m WHERE m.month = ${monthDate}::date),
    'invoice', (SELECT ${INVOICE_JSON} FROM invoices i WHERE i.partner_id = ${id} AND i.month = ${monthText}),
    'lines', (SELECT coalesce(json_agg(${LINE_JSON} ORDER BY l.line_no), '[]'::json)
                FROM invoice_lines l WHERE l.partner_id = ${id} AND l.month = ${monthText}))`;
}

interface StoredJson {
  closed: boolean;
  invoice: Record<string, unknown> | null;
  lines: Record<string, unknown>[];
}

/** The final invoice from storedJson's value: the view, null (closed, nothing billed), or 'open' (not closed). */
function decodeStored(json: unknown, partnerId: string, month: string): InvoiceView | null | 'open' {
  const { closed, invoice, lines } = json as StoredJson;
  if (!closed) return 'open';
  if (!invoice) return null;
  const view: Record<string, unknown> = { partnerId, month, isFinal: true, closedAt: new Date(invoice.closedAt as string) };
  for (const key of MONEY) view[key] = new Dec(invoice[key] as string);
  view.lines = lines.map((line) => {
    const out: Record<string, unknown> = { partnerId, month, ...line };
    for (const key of LINE_DECIMALS) out[key] = new Dec(line[key] as string);
    return out;
  });
  return view as unknown as InvoiceView;
}

const STORED = statement('billing.storedInvoices', `SELECT p.id, ${storedJson('p.id', '$2', '$3')} AS stored FROM unnest($1::uuid[]) AS p(id)`);

/**
 * The final invoices of a closed month by partner id (null for a partner without one), or 'open' when the month is
 * not closed (previews are computed by BillingService). One statement for every partner.
 */
export async function storedInvoices(sql: SqlReader, partnerIds: readonly string[], month: string): Promise<Map<string, InvoiceView | null> | 'open'> {
  const rows = await sql.rows<{ id: string; stored: unknown }>(STORED, [partnerIds.filter(isUuid), month, firstDayOfMonth(month)]);
  const out = new Map<string, InvoiceView | null>();
  for (const row of rows) {
    const view = decodeStored(row.stored, row.id, month);
    if (view === 'open') return 'open';
    out.set(row.id, view);
  }
  return out;
}

/** storedInvoices for one month folded into the statement reading the partner `p` (decode: the same answer). */
export function foldedStoredInvoice(month: string) {
  return {
    key: 'invoice',
    sql: (param: (value: unknown) => string) => storedJson('p.id', param(month), param(firstDayOfMonth(month))),
    decode: (json: unknown, partnerId: string) => decodeStored(json, partnerId, month),
  };
}

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

/** Invoice fields a narrow read answers from a column; id, month, isFinal and lines need none of their own. */
const INVOICE_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['closedAt', 'closed_at'],
  ['totalCost', 'total_cost::text'],
  ['grantCredits', 'grant_credits::text'],
  ['eligibleAmount', 'eligible_amount::text'],
  ['discount', 'discount::text'],
  ['bonusWithdrawalsApplied', 'bonus_withdrawals_applied::text'],
  ['bonusCarriedOver', 'bonus_carried_over::text'],
  ['payable', 'payable::text'],
]);
const INVOICE_KEYS = new Set(['id', 'month', 'isFinal', 'lines', '__typename']);
/** InvoiceLine fields a narrow read answers from a column (money and rates as exact numeric text). */
const LINE_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['billingAccountId', 'billing_account_id'],
  ['serviceId', 'service_id'],
  ['cost', 'cost::text'],
  ['grantCredit', 'grant_credit::text'],
  ['eligible', 'eligible::text'],
  ['bonusRate', 'bonus_rate::text'],
  ['dealBonusRate', 'deal_bonus_rate::text'],
  ['discount', 'discount::text'],
  ['payable', 'payable::text'],
  ['exclusion', 'exclusion'],
]);

/** The fields of Invoice and of its lines (null: lines not selected) a selection asks for. */
export interface NarrowInvoiceFields {
  invoice: string[];
  lines: string[] | null;
}

/** The selection's fields when a narrow read answers all of them (see INVOICE_COLUMNS, LINE_COLUMNS), else null. */
export function narrowInvoiceFields(invoice: Set<string>, lines: Set<string> | null): NarrowInvoiceFields | null {
  const own = [...invoice].filter((name) => !INVOICE_KEYS.has(name));
  const lineFields = lines ? [...lines].filter((name) => name !== '__typename') : null;
  if (!own.every((name) => INVOICE_COLUMNS.has(name)) || !(lineFields ?? []).every((name) => LINE_COLUMNS.has(name))) return null;
  return { invoice: own.sort(), lines: lineFields && lineFields.sort() };
}

/** Different narrow selections kept as statement shapes (past this, a new selection is read whole). */
const MAX_NARROW_SHAPES = 64;
const narrowShapes = new Set<string>();

/**
 * The stored invoice of a month for the selected fields only, folded into the statement reading the partner `p`:
 * one json array [closed, [invoice columns] | null, [[line columns], ...] | null]. The view it decodes is partial
 * (money as exact numeric text, which the Money and Rate scalars format without a Decimal): for the field's answer
 * only, never a loader's. Null when too many shapes are kept already.
 */
export function foldedNarrowInvoice(month: string, fields: NarrowInvoiceFields) {
  const key = `invoice.narrow:${fields.invoice.join()}|${fields.lines?.join() ?? '-'}`;
  if (!narrowShapes.has(key)) {
    if (narrowShapes.size >= MAX_NARROW_SHAPES) return null;
    narrowShapes.add(key);
  }
  const invoiceColumns = ['1', ...fields.invoice.map((f) => `i.${INVOICE_COLUMNS.get(f)!}`)].join(', ');
  const lineColumns = fields.lines?.map((f) => `l.${LINE_COLUMNS.get(f)!}`).join(', ');
  return {
    key,
    sql: (param: (value: unknown) => string) => {
      const [monthText, monthDate] = [param(month), param(firstDayOfMonth(month))];
      const lines = fields.lines
        ? `(SELECT coalesce(json_agg(json_build_array(${lineColumns}) ORDER BY l.line_no), '[]'::json)
              FROM invoice_lines l WHERE l.partner_id = p.id AND l.month = ${monthText})`
        : 'NULL::json';
      return `json_build_array(EXISTS (SELECT 1 FROM billing_months m WHERE m.month = ${monthDate}::date),
        (SELECT json_build_array(${invoiceColumns}) FROM invoices i WHERE i.partner_id = p.id AND i.month = ${monthText}), ${lines})`;
    },
    decode: (json: unknown, partnerId: string): InvoiceView | null | 'open' => {
      const [closed, invoice, lines] = json as [boolean, unknown[] | null, unknown[][] | null];
      if (!closed) return 'open';
      if (!invoice) return null;
      const view: Record<string, unknown> = { partnerId, month, isFinal: true };
      fields.invoice.forEach((f, i) => (view[f] = invoice[i + 1]));
      if (lines) {
        const names = fields.lines!;
        view.lines = lines.map((values) => {
          const line: Record<string, unknown> = {};
          for (let i = 0; i < names.length; i++) line[names[i]] = values[i];
          return line;
        });
      }
      return view as unknown as InvoiceView;
    },
  };
}

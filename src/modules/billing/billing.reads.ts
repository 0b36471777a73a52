// Hot reads of final invoices as plain rows (SqlReader, named statement): whether the month is closed, the
// partner's invoice and its lines, in one statement.
import { firstDayOfMonth } from '../../shared/dates';
import { Dec } from '../../shared/money';
import { statement, type SqlReader } from '../../shared/sql';
import type { InvoiceLineView, InvoiceView } from './billing.service';

const MONEY = ['totalCost', 'grantCredits', 'eligibleAmount', 'discount', 'bonusWithdrawalsApplied', 'bonusCarriedOver', 'payable', 'customerCost'] as const;
const LINE_DECIMALS = ['cost', 'grantCredit', 'eligible', 'bonusRate', 'dealBonusRate', 'discount', 'payable'] as const;

const STORED = statement(
  'billing.storedInvoice',
  `SELECT m.month IS NOT NULL AS closed, i.partner_id AS "partnerId", i.closed_at AS "closedAt",
          i.total_cost::text AS "totalCost", i.grant_credits::text AS "grantCredits", i.eligible_amount::text AS "eligibleAmount",
          i.discount::text AS discount, i.bonus_withdrawals_applied::text AS "bonusWithdrawalsApplied",
          i.bonus_carried_over::text AS "bonusCarriedOver", i.payable::text AS payable, i.customer_cost::text AS "customerCost",
          l.line_no AS "l_lineNo", l.billing_account_id AS "l_billingAccountId", l.customer_id AS "l_customerId", l.service_id AS "l_serviceId",
          l.cost::text AS l_cost, l.grant_credit::text AS "l_grantCredit", l.eligible::text AS l_eligible, l.bonus_rate::text AS "l_bonusRate",
          l.deal_bonus_rate::text AS "l_dealBonusRate", l.discount::text AS l_discount, l.payable::text AS l_payable, l.exclusion AS l_exclusion
     FROM (SELECT 1) one
     LEFT JOIN billing_months m ON m.month = $3::date
     LEFT JOIN invoices i ON m.month IS NOT NULL AND i.partner_id = $1 AND i.month = $2
     LEFT JOIN invoice_lines l ON l.partner_id = i.partner_id AND l.month = i.month
    ORDER BY l.line_no`,
);

type Row = Record<string, unknown> & { closed: boolean; partnerId: string | null; l_lineNo: number | null };

function lineOf(row: Row, partnerId: string, month: string): InvoiceLineView {
  const line: Record<string, unknown> = { partnerId, month };
  for (const [key, value] of Object.entries(row)) if (key.startsWith('l_')) line[key.slice(2)] = value;
  for (const key of LINE_DECIMALS) line[key] = new Dec(line[key] as string);
  return line as unknown as InvoiceLineView;
}

/**
 * The final invoice of a closed month (null when the partner has none), or 'open' when the month is not closed
 * (its preview is computed by BillingService).
 */
export async function storedInvoice(sql: SqlReader, partnerId: string, month: string): Promise<InvoiceView | null | 'open'> {
  const rows = await sql.rows<Row>(STORED, [partnerId, month, firstDayOfMonth(month)]);
  const [first] = rows;
  if (!first.closed) return 'open';
  if (first.partnerId == null) return null;
  const invoice: Record<string, unknown> = { partnerId, month, isFinal: true, closedAt: first.closedAt };
  for (const key of MONEY) invoice[key] = new Dec(first[key] as string);
  invoice.lines = first.l_lineNo == null ? [] : rows.map((row) => lineOf(row, partnerId, month));
  return invoice as unknown as InvoiceView;
}

const INVOICE_JSON = `json_build_object('closedAt', i.closed_at, 'totalCost', i.total_cost::text, 'grantCredits', i.grant_credits::text,
  'eligibleAmount', i.eligible_amount::text, 'discount', i.discount::text, 'bonusWithdrawalsApplied', i.bonus_withdrawals_applied::text,
  'bonusCarriedOver', i.bonus_carried_over::text, 'payable', i.payable::text, 'customerCost', i.customer_cost::text)`;
const LINE_JSON = `json_build_object('lineNo', l.line_no, 'billingAccountId', l.billing_account_id, 'customerId', l.customer_id,
  'serviceId', l.service_id, 'cost', l.cost::text, 'grantCredit', l.grant_credit::text, 'eligible', l.eligible::text, 'bonusRate', l.bonus_rate::text,
  'dealBonusRate', l.deal_bonus_rate::text, 'discount', l.discount::text, 'payable', l.payable::text, 'exclusion', l.exclusion)`;

interface InvoiceJson {
  closed: boolean;
  invoice: Record<string, unknown> | null;
  lines: Record<string, unknown>[];
}

/**
 * storedInvoice folded into the statement reading the partner `p`: `decode` gives the same answer (the final invoice,
 * null, or 'open' when the month is not closed).
 */
export function foldedStoredInvoice(month: string) {
  return {
    key: 'invoice',
    sql: (param: (value: unknown) => string) => {
      const [monthText, monthDate] = [param(month), param(firstDayOfMonth(month))];
      return `json_build_object('closed', EXISTS (SELECT 1 FROM billing_months m WHERE m.month = ${monthDate}::date),
        'invoice', (SELECT ${INVOICE_JSON} FROM invoices i WHERE i.partner_id = p.id AND i.month = ${monthText}),
        'lines', (SELECT coalesce(json_agg(${LINE_JSON} ORDER BY l.line_no), '[]'::json)
                    FROM invoice_lines l WHERE l.partner_id = p.id AND l.month = ${monthText}))`;
    },
    decode(json: unknown, partnerId: string): InvoiceView | null | 'open' {
      const { closed, invoice, lines } = json as InvoiceJson;
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
    },
  };
}

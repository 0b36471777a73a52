// The invoice as CSV (SPEC §21): RFC 4180 (CRLF, fields quoted when needed), UTF-8, decimals with a period; one row
// per line, then a TOTAL row under the line columns, then one `name,value` row per invoice figure (status first).
import type { DocumentLine, InvoiceDocument } from './invoice-document';

export const CSV_COLUMNS = [
  'billing_account_id',
  'customer_name',
  'service_id',
  'service_name',
  'cost',
  'grant_credit',
  'eligible',
  'bonus_rate',
  'deal_bonus_rate',
  'discount',
  'payable',
  'exclusion',
] as const;

function field(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Every record has the 12 columns of a line (RFC 4180: the same number of fields in each). */
export function csvRecord(values: (string | null)[]): string {
  const padded = [...values, ...Array<null>(Math.max(0, CSV_COLUMNS.length - values.length)).fill(null)];
  return padded.map(field).join(',') + '\r\n';
}

export function csvLine(l: DocumentLine): string {
  return csvRecord([
    l.billingAccountId,
    l.customerName,
    l.serviceId,
    l.serviceName,
    l.cost,
    l.grantCredit,
    l.eligible,
    l.bonusRate,
    l.dealBonusRate,
    l.discount,
    l.payable,
    l.exclusion,
  ]);
}

export function csvTotals(doc: InvoiceDocument): string {
  const t = doc.totals;
  const figures: [string, string][] = [
    ['status', doc.isFinal ? 'FINAL' : 'PREVIEW'],
    ['partner_id', doc.partner.id],
    ['partner_name', doc.partner.name],
    ['partner_inn', doc.partner.inn],
    ['month', doc.month],
    ['closed_at', doc.closedAt ? doc.closedAt.toISOString() : ''],
    ['total_cost', t.totalCost],
    ['grant_credits', t.grantCredits],
    ['eligible_amount', t.eligibleAmount],
    ['discount', t.discount],
    ['bonus_absolute', t.bonusAbsolute],
    ['bonus_relative', t.bonusRelative],
    ['lines_payable', t.linesPayable],
    ['bonus_withdrawals_applied', t.bonusWithdrawalsApplied],
    ['bonus_carried_over', t.bonusCarriedOver],
    ['payable', t.payable],
  ];
  return (
    csvRecord(['TOTAL', null, null, null, t.totalCost, t.grantCredits, t.eligibleAmount, null, null, t.discount, t.linesPayable, null]) +
    figures.map(([name, value]) => csvRecord([name, value])).join('')
  );
}

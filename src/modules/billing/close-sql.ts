// The month close's pricing in PostgreSQL (SPEC §10, §11). One statement sums the month's partition per segment ×
// service, merges segments into invoice lines, prices every line in numeric and writes invoice_lines, invoices and
// specialization_months: no record and no line passes through the API (its event loop stays free, and the close
// costs little more than the month's aggregate). The rules are the domain's (domain/invoice-line.ts,
// domain/invoice.ts, domain/specialization-totals.ts) written in SQL; what the domain decides from its inputs
// (segments and their deal rates, line exclusions, BONUS amounts, leavers) comes in as parameters.
// test/api/pricing-sql.test.ts runs the domain's pricing cases through these fragments and the domain functions.
import type { EntityManager } from 'typeorm';
import type { Dec as Decimal } from '../../shared/money';
import { segmentsByAccount, type ProjectUsage, type Segment, type ServiceInfo } from './billing.queries';
import { lineExclusion, type LineExclusion } from './domain/invoice-line';
import type { BonusMap } from './pricing';

const OWN: LineExclusion = 'PARTNER_OWN';

/**
 * priceInvoiceLine in SQL over `lines` (columns partner_id, billing_account_id, customer_id, service_id, exclusion,
 * deal_rate, raw_cost, raw_grant: raw sums of the line's records): cost and grant rounded half up once after summing,
 * eligible = max(0, cost − grant) unless excluded, bonus rate = base + deal rate (0 when excluded), discount rounded
 * once, payable = cost − grant − discount. numeric is exact; round() rounds half away from zero, like ROUND_HALF_UP.
 */
export function pricedLinesSql(lines: string, baseRate: string): string {
  return `SELECT l.partner_id, l.billing_account_id, l.customer_id, l.service_id, l.exclusion,
                 c.cost, c.grant_credit, e.eligible, e.bonus_rate, e.deal_bonus_rate, d.discount, c.cost - c.grant_credit - d.discount AS payable
            FROM ${lines} l
           CROSS JOIN LATERAL (SELECT round(l.raw_cost, 2) AS cost, round(l.raw_grant, 2) AS grant_credit) c
           CROSS JOIN LATERAL (SELECT CASE WHEN l.exclusion IS NULL THEN greatest(c.cost - c.grant_credit, 0) ELSE 0 END AS eligible,
                                      CASE WHEN l.exclusion IS NULL THEN l.deal_rate ELSE 0 END AS deal_bonus_rate,
                                      CASE WHEN l.exclusion IS NULL THEN ${baseRate} + l.deal_rate ELSE 0 END AS bonus_rate) e
           CROSS JOIN LATERAL (SELECT CASE WHEN e.eligible = 0 THEN 0 ELSE round(e.eligible * e.bonus_rate, 2) END AS discount) d`;
}

/**
 * totalInvoice (and the exit rule of priceInvoices) in SQL: per partner, from `priced` (pricedLinesSql's rows) and
 * `bonus` (partner_id, carried_in, withdrawn, exited). An invoice exists with lines or with BONUS money; BONUS
 * withdrawals pay customer lines only (capped at their payable, never below 0), the rest is carried — or, for a
 * partner that left in the month, returned (exit_return) instead of carried.
 */
export function invoiceTotalsSql(priced: string, bonus: string): string {
  return `SELECT i.partner_id, i.total_cost, i.grant_credits, i.eligible_amount, i.discount, a.applied AS bonus_withdrawals_applied,
                 CASE WHEN i.exited THEN 0 ELSE i.available - a.applied END AS bonus_carried_over,
                 CASE WHEN i.exited THEN i.available - a.applied ELSE 0 END AS exit_return,
                 i.lines_payable - a.applied AS payable, i.total_cost - i.own_cost AS customer_cost
            FROM (SELECT coalesce(t.partner_id, b.partner_id) AS partner_id, coalesce(t.total_cost, 0) AS total_cost,
                         coalesce(t.grant_credits, 0) AS grant_credits, coalesce(t.eligible_amount, 0) AS eligible_amount,
                         coalesce(t.discount, 0) AS discount, coalesce(t.lines_payable, 0) AS lines_payable, coalesce(t.own_cost, 0) AS own_cost,
                         coalesce(t.lines_payable, 0) - coalesce(t.own_payable, 0) AS customer_lines_payable,
                         coalesce(b.carried_in, 0) + coalesce(b.withdrawn, 0) AS available, coalesce(b.exited, false) AS exited
                    FROM (SELECT partner_id, sum(cost) AS total_cost, sum(grant_credit) AS grant_credits, sum(eligible) AS eligible_amount,
                                 sum(discount) AS discount, sum(payable) AS lines_payable,
                                 coalesce(sum(cost) FILTER (WHERE exclusion = '${OWN}'), 0) AS own_cost,
                                 coalesce(sum(payable) FILTER (WHERE exclusion = '${OWN}'), 0) AS own_payable
                            FROM ${priced} GROUP BY partner_id) t
                    FULL JOIN ${bonus} b ON b.partner_id = t.partner_id
                   WHERE t.partner_id IS NOT NULL OR b.carried_in <> 0 OR b.withdrawn <> 0) i
           CROSS JOIN LATERAL (SELECT greatest(0, least(i.available, greatest(0, i.customer_lines_payable))) AS applied) a`;
}

/**
 * S/G of the month per partner × specialization (SPEC §7, §11) from `parts` (partner_id, billing_account_id,
 * service_id, specialization, raw_cost, raw_grant: eligible lines and bonus-eligible project-scope usage): each
 * billing account × service is rebateBaseAmount of all its parts' raw sums — rounded once — then summed. `single`
 * (same columns, optional) holds parts known to be alone in their billing account × service — the lines of an
 * account with one segment spanning the month — which need no grouping before their rounding.
 */
export function specializationTotalsSql(parts: string, single?: string): string {
  const singles = single ? `UNION ALL SELECT partner_id, specialization, greatest(round(raw_cost, 2) - round(raw_grant, 2), 0) FROM ${single}` : '';
  return `SELECT partner_id, specialization, sum(amount) AS amount
            FROM (SELECT partner_id, min(specialization) AS specialization,
                         greatest(round(sum(raw_cost), 2) - round(sum(raw_grant), 2), 0) AS amount
                    FROM ${parts} GROUP BY partner_id, billing_account_id, service_id
                  ${singles}) g
           GROUP BY partner_id, specialization`;
}

/** What the close needs to price a month in SQL; everything the domain decides is already decided. */
export interface MonthPricingInput {
  month: string;
  from: string;
  to: string;
  closedAt: Date;
  baseRate: Decimal;
  segments: Segment[];
  services: ServiceInfo;
  bonus: BonusMap;
  exited: Set<string>;
  usage: ProjectUsage[];
}

export interface PricedMonth {
  /** Partners invoiced, in id order. */
  partnerIds: string[];
  lineCount: number;
  /** BONUS money returned to partners that left in the month (WITHDRAWAL_REVERSAL), by partner. */
  exitReturns: { partnerId: string; amount: string }[];
}

/** trim_scale: the stored text as the domain's Decimal.toFixed() wrote it ("100.1", "0"). */
const STORE = (column: string) => `trim_scale(${column})`;

/**
 * The close's statement: $1–$8 segments, $9/$10 the month's bounds, $11–$13 exclusions, $14 base rate, $15 month,
 * $16–$19 BONUS money and leavers, $20 closing time, $21–$26 project-scope usage, $27–$30 split segments (see monthPricingStatement).
 */
const MONTH_PRICING_SQL = `
  WITH seg AS MATERIALIZED (
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::boolean[], $5::date[], $6::date[], $7::numeric[], $8::boolean[])
             WITH ORDINALITY AS s(billing_account_id, partner_id, customer_id, own, seg_from, seg_to, deal_rate, whole, seg)
  ), sums AS (
    SELECT s.seg, a.service_id, a.cost, a.grant_credit
      FROM (SELECT billing_account_id, service_id, sum(cost) AS cost, sum(grant_credit) AS grant_credit
              FROM consumption_records WHERE date >= $9::date AND date < $10::date
             GROUP BY billing_account_id, service_id) a
      JOIN seg s ON s.whole AND s.billing_account_id = a.billing_account_id
    UNION ALL
    -- Few accounts change attribution or deal rate within the month: their segments come as arrays of their own (so
    -- the planner knows how few they are) and are joined to their records through the (billing account, date) index.
    SELECT s.seg, r.service_id, sum(r.cost), sum(r.grant_credit)
      FROM unnest($27::bigint[], $28::text[], $29::date[], $30::date[]) AS s(seg, billing_account_id, seg_from, seg_to)
      JOIN consumption_records r ON r.billing_account_id = s.billing_account_id AND r.date >= s.seg_from AND r.date < s.seg_to
     WHERE r.date >= $9::date AND r.date < $10::date -- the month's bounds as constants: one partition
     GROUP BY s.seg, r.service_id
  ), exclusions AS (
    SELECT * FROM unnest($11::text[], $12::boolean[], $13::text[]) AS x(service_id, own, exclusion)
  ), raw AS (
    SELECT s.partner_id, s.billing_account_id, s.customer_id, x.service_id, sv.specialization, s.whole, v.exclusion,
           CASE WHEN v.exclusion IS NULL THEN s.deal_rate ELSE 0 END AS deal_rate, x.cost, x.grant_credit
      FROM sums x JOIN seg s USING (seg)
      LEFT JOIN exclusions e ON e.service_id = x.service_id AND e.own = s.own
      LEFT JOIN services sv ON sv.id = x.service_id
     CROSS JOIN LATERAL (SELECT CASE WHEN e.service_id IS NULL THEN CASE WHEN s.own THEN '${lineExclusion(true, true)}' END ELSE e.exclusion END AS exclusion) v
  ), lines AS MATERIALIZED (
    -- An account with one segment spanning the month has one line per service as it is. Segments of the other
    -- accounts with equal attributes merge into one line; excluded lines carry rate 0, so they are never split by rate.
    SELECT partner_id, billing_account_id, customer_id, service_id, specialization, exclusion, deal_rate, cost AS raw_cost, grant_credit AS raw_grant,
           true AS whole
      FROM raw WHERE whole
    UNION ALL
    SELECT partner_id, billing_account_id, customer_id, service_id, min(specialization), exclusion, deal_rate, sum(cost), sum(grant_credit), false
      FROM raw WHERE NOT whole GROUP BY partner_id, billing_account_id, customer_id, service_id, exclusion, deal_rate
  ), priced AS MATERIALIZED (
    ${pricedLinesSql('lines', '$14::numeric')}
  ), stored_lines AS (
    INSERT INTO invoice_lines (partner_id, month, line_no, billing_account_id, customer_id, service_id, cost, grant_credit, eligible,
                               bonus_rate, deal_bonus_rate, discount, payable, exclusion)
    SELECT partner_id, $15,
           -- linesOfPartner's order: account, service, rate, subaccount (code-point order, as JavaScript compares)
           row_number() OVER (PARTITION BY partner_id ORDER BY billing_account_id COLLATE "C", service_id COLLATE "C", deal_bonus_rate,
                                                               coalesce(customer_id::text, '') COLLATE "C"),
           billing_account_id, customer_id, service_id, ${STORE('cost')}, ${STORE('grant_credit')}, ${STORE('eligible')},
           bonus_rate, deal_bonus_rate, ${STORE('discount')}, ${STORE('payable')}, exclusion
      FROM priced
  ), bonus AS (
    SELECT b.partner_id, b.carried_in, b.withdrawn, b.partner_id = ANY($19::uuid[]) AS exited
      FROM unnest($16::uuid[], $17::numeric[], $18::numeric[]) AS b(partner_id, carried_in, withdrawn)
  ), totals AS MATERIALIZED (
    ${invoiceTotalsSql('priced', 'bonus')}
  ), stored_invoices AS (
    INSERT INTO invoices (partner_id, month, closed_at, total_cost, grant_credits, eligible_amount, discount,
                          bonus_withdrawals_applied, bonus_carried_over, payable, customer_cost)
    SELECT partner_id, $15, $20::timestamptz, ${STORE('total_cost')}, ${STORE('grant_credits')}, ${STORE('eligible_amount')}, ${STORE('discount')},
           ${STORE('bonus_withdrawals_applied')}, ${STORE('bonus_carried_over')}, ${STORE('payable')}, ${STORE('customer_cost')}
      FROM totals
  ), whole_parts AS (
    -- A whole account's line is alone in its account × service (the account has no direct days in the month).
    SELECT partner_id, billing_account_id, service_id, specialization, raw_cost, raw_grant FROM lines
     WHERE exclusion IS NULL AND specialization IS NOT NULL AND whole
  ), parts AS (
    SELECT partner_id, billing_account_id, service_id, specialization, raw_cost, raw_grant FROM lines
     WHERE exclusion IS NULL AND specialization IS NOT NULL AND NOT whole
    UNION ALL
    SELECT * FROM unnest($21::uuid[], $22::text[], $23::text[], $24::text[], $25::numeric[], $26::numeric[])
  ), stored_specializations AS (
    INSERT INTO specialization_months (partner_id, specialization, month, eligible_consumption)
    SELECT partner_id, specialization, $15, ${STORE('amount')} FROM (${specializationTotalsSql('parts', 'whole_parts')}) s
  )
  SELECT partner_id, CASE WHEN exit_return > 0 THEN trim_scale(exit_return)::text END AS exit_return, (SELECT count(*) FROM priced)::int AS lines
    FROM totals ORDER BY partner_id`;

/** The close's statement and its parameters (also EXPLAINed by the partition test: it reads one partition). */
export function monthPricingStatement(input: MonthPricingInput): { sql: string; params: unknown[] } {
  const { segments, from, to } = input;
  const whole = new Set(segmentsByAccount(segments, from, to).whole);
  // lineExclusion per service × (own account or not), the domain's rule as a table; unknown services are eligible.
  const exclusions = [...input.services].flatMap(([id, s]) => [false, true].map((own) => ({ id, own, exclusion: lineExclusion(own, s.bonusEligible) })));
  const bonus = [...input.bonus];
  const usage = input.usage.filter((u) => u.bonusEligible && u.specialization !== null);
  const split = segments.flatMap((s, i) => (whole.has(s.billingAccountId) ? [] : [i]));
  const params = [
    segments.map((s) => s.billingAccountId),
    segments.map((s) => s.partnerId),
    segments.map((s) => s.customerId),
    segments.map((s) => s.attribution === 'OWN'),
    segments.map((s) => s.from),
    segments.map((s) => s.to),
    segments.map((s) => s.dealBonusRate),
    segments.map((s) => whole.has(s.billingAccountId)),
    from,
    to,
    exclusions.map((x) => x.id),
    exclusions.map((x) => x.own),
    exclusions.map((x) => x.exclusion),
    input.baseRate.toFixed(),
    input.month,
    bonus.map(([id]) => id),
    bonus.map(([, b]) => b.carriedIn.toFixed()),
    bonus.map(([, b]) => b.withdrawnThisMonth.toFixed()),
    [...input.exited],
    input.closedAt,
    usage.map((u) => u.partnerId),
    usage.map((u) => u.billingAccountId),
    usage.map((u) => u.serviceId),
    usage.map((u) => u.specialization),
    usage.map((u) => u.cost.toFixed()),
    usage.map((u) => u.grantCredit.toFixed()),
    split.map((i) => i + 1), // the segment's ordinal in $1–$8
    split.map((i) => segments[i].billingAccountId),
    split.map((i) => segments[i].from),
    split.map((i) => segments[i].to),
  ];
  return { sql: MONTH_PRICING_SQL, params };
}

/** Prices and stores the month's invoices, lines and specialization amounts in one statement. */
export async function priceMonthInSql(manager: EntityManager, input: MonthPricingInput): Promise<PricedMonth> {
  const { sql, params } = monthPricingStatement(input);
  const rows: { partner_id: string; exit_return: string | null; lines: number }[] = await manager.query(sql, params);
  return {
    partnerIds: rows.map((r) => r.partner_id),
    lineCount: rows[0]?.lines ?? 0,
    exitReturns: rows.filter((r) => r.exit_return !== null).map((r) => ({ partnerId: r.partner_id, amount: r.exit_return! })),
  };
}

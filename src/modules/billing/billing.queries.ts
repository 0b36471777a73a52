// Set-based aggregation for the month close and the invoice preview: the database sums the month's records into
// few rows; the domain code prices them. Amounts come back as raw numeric strings (never JS numbers).
import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { Dec, fromNumeric, type Dec as Decimal } from '../../shared/money';
import { dealRateSpans, type DealPeriod } from './domain/deal-rate';
import { lineExclusion, type LineExclusion } from './domain/invoice-line';

export interface RawLine {
  partnerId: string;
  billingAccountId: string;
  customerId: string | null;
  serviceId: string;
  specialization: string | null;
  exclusion: LineExclusion | null;
  dealBonusRate: Decimal;
  cost: Decimal;
  grantCredit: Decimal;
  /** The deal rate as text, for ordering and merging. */
  rateText: string;
}

export interface Segment {
  billingAccountId: string;
  partnerId: string;
  customerId: string | null;
  attribution: 'SUBACCOUNT' | 'OWN';
  from: string;
  to: string;
  dealBonusRate: string;
}

/** Partners to read: one, several, or every one (null). */
export type PartnerFilter = string | readonly string[] | null;

const partnerList = (partners: PartnerFilter) => (typeof partners === 'string' ? [partners] : partners);

/**
 * The month's attribution intervals (SPEC §4) split at the days a deal starts or ends (SPEC §6): spans of days with
 * one partner, one subaccount and one deal rate. Few rows (about one per partner-served account). PostgreSQL only
 * reads the intervals and the deals overlapping them; the rate of each span is the domain's (dealRateSpans).
 */
export async function segmentsOfMonth(manager: EntityManager, from: string, to: string, partners: PartnerFilter): Promise<Segment[]> {
  const rows: Record<string, string | null>[] = await manager.query(
    `WITH base AS MATERIALIZED (
       SELECT row_number() OVER () AS base_id, i.billing_account_id, i.partner_id, i.customer_id, i.attribution,
              greatest(i.valid_from, $1::date) AS seg_from, least(coalesce(i.valid_to, $2::date), $2::date) AS seg_to
         FROM attribution_intervals i
        WHERE i.valid_from < $2::date AND (i.valid_to IS NULL OR i.valid_to > $1::date) AND ($3::uuid[] IS NULL OR i.partner_id = ANY($3::uuid[]))
     )
     SELECT b.base_id::text, b.billing_account_id, b.partner_id, b.customer_id, b.attribution, b.seg_from::text, b.seg_to::text,
            d.activated_on::text, d.ended_on::text, trim_scale(d.bonus_rate)::text AS bonus_rate
       FROM base b
       LEFT JOIN customers c ON b.attribution = 'SUBACCOUNT' AND c.id = b.customer_id
       LEFT JOIN deals d ON d.partner_id = b.partner_id AND d.customer_inn = c.inn AND d.activated_on IS NOT NULL
        AND d.activated_on < b.seg_to AND (d.ended_on IS NULL OR d.ended_on > b.seg_from)
      ORDER BY b.base_id`,
    [from, to, partnerList(partners)],
  );
  const bases = new Map<string, { row: Record<string, string | null>; deals: DealPeriod[] }>();
  for (const r of rows) {
    let base = bases.get(r.base_id!);
    if (!base) bases.set(r.base_id!, (base = { row: r, deals: [] }));
    if (r.activated_on !== null) base.deals.push({ bonusRate: new Dec(r.bonus_rate!), activatedOn: r.activated_on, endedOn: r.ended_on });
  }
  const segments: Segment[] = [];
  for (const { row: r, deals } of bases.values()) {
    for (const span of dealRateSpans(r.seg_from!, r.seg_to!, deals)) {
      segments.push({
        billingAccountId: r.billing_account_id!,
        partnerId: r.partner_id!,
        customerId: r.customer_id,
        attribution: r.attribution as Segment['attribution'],
        from: span.from,
        to: span.to,
        // Canonical text ("0", "0.05"): the merge key and sort order of the lines.
        dealBonusRate: span.bonusRate.toString(),
      });
    }
  }
  return segments;
}

/**
 * Segments per account, and which accounts are "whole" (one segment spanning the month: summed by a plain GROUP BY
 * of the month) or "split" (attribution or deal rate changes within the month: summed per segment by index).
 */
export function segmentsByAccount(segments: Segment[], from: string, to: string): { byAccount: Map<string, Segment[]>; whole: string[]; split: string[] } {
  const byAccount = new Map<string, Segment[]>();
  for (const segment of segments) {
    const list = byAccount.get(segment.billingAccountId);
    if (list) list.push(segment);
    else byAccount.set(segment.billingAccountId, [segment]);
  }
  const whole: string[] = [];
  const split: string[] = [];
  for (const [account, list] of byAccount) {
    if (list.length === 1 && list[0].from === from && list[0].to === to) whole.push(account);
    else split.push(account);
  }
  return { byAccount, whole, split };
}

/** A month's sum of one service over one segment, as PostgreSQL returned it (amounts still text). */
export interface SegmentSum {
  segment: Segment;
  serviceId: string;
  cost: string;
  grantCredit: string;
}

/**
 * The month's records summed per segment × service, grouped by partner (SPEC §10). Most accounts have one segment
 * spanning the whole month: their records are summed per account × service in one aggregate, shaped like a plain
 * GROUP BY so PostgreSQL runs it in parallel. The few accounts whose attribution or deal rate changes within the
 * month are summed per day (by index) and each day goes to its segment. Amounts stay text until a partner is priced.
 */
export async function aggregateSegmentSums(
  manager: EntityManager,
  from: string,
  to: string,
  partners: PartnerFilter = null,
): Promise<Map<string, SegmentSum[]>> {
  const byPartner = new Map<string, SegmentSum[]>();
  const segments = await segmentsOfMonth(manager, from, to, partners);
  if (segments.length === 0) return byPartner;
  const { byAccount, whole, split } = segmentsByAccount(segments, from, to);
  const add = (segment: Segment, serviceId: string, cost: string, grantCredit: string) => {
    const list = byPartner.get(segment.partnerId);
    const sum = { segment, serviceId, cost, grantCredit };
    if (list) list.push(sum);
    else byPartner.set(segment.partnerId, [sum]);
  };
  if (whole.length) {
    const rows: { billing_account_id: string; service_id: string; cost: string; grant_credit: string }[] = await manager.query(
      `SELECT billing_account_id, service_id, sum(cost) AS cost, sum(grant_credit) AS grant_credit
         FROM consumption_records
        WHERE date >= $1::date AND date < $2::date AND billing_account_id = ANY($3::text[])
        GROUP BY billing_account_id, service_id`,
      [from, to, whole],
    );
    for (const row of rows) add(byAccount.get(row.billing_account_id)![0], row.service_id, row.cost, row.grant_credit);
  }
  if (split.length) {
    // Few accounts: their segments are joined to their records through the (billing account, date) index.
    const splitSegments = split.flatMap((account) => byAccount.get(account)!);
    const rows: { seg: string; service_id: string; cost: string; grant_credit: string }[] = await manager.query(
      `SELECT s.seg, r.service_id, sum(r.cost) AS cost, sum(r.grant_credit) AS grant_credit
         FROM unnest($1::text[], $2::date[], $3::date[]) WITH ORDINALITY AS s(billing_account_id, seg_from, seg_to, seg)
         JOIN consumption_records r ON r.billing_account_id = s.billing_account_id AND r.date >= s.seg_from AND r.date < s.seg_to
        WHERE r.date >= $4::date AND r.date < $5::date -- the month's bounds as constants: the plan reads one partition
        GROUP BY s.seg, r.service_id`,
      [splitSegments.map((x) => x.billingAccountId), splitSegments.map((x) => x.from), splitSegments.map((x) => x.to), from, to],
    );
    for (const row of rows) {
      const segment = splitSegments[Number(row.seg) - 1]; // ordinality of the unnest: 1-based
      add(segment, row.service_id, row.cost, row.grant_credit);
    }
  }
  return byPartner;
}

export type ServiceInfo = Map<string, { specialization: string | null; bonusEligible: boolean }>;

export async function serviceInfo(manager: EntityManager): Promise<ServiceInfo> {
  const rows: { id: string; specialization: string | null; bonus_eligible: boolean }[] = await manager.query(
    `SELECT id, specialization, bonus_eligible FROM services`,
  );
  return new Map(rows.map((s) => [s.id, { specialization: s.specialization, bonusEligible: s.bonus_eligible }]));
}

/**
 * One partner's invoice lines from its segment sums: segments with equal attributes merge into one line (excluded
 * lines are never split by rate), in a stable order (account, service, rate, subaccount).
 */
export function linesOfPartner(sums: SegmentSum[], services: ServiceInfo): RawLine[] {
  const lines = new Map<string, RawLine>();
  const rates = new Map<string, Decimal>();
  for (const sum of sums) {
    const { segment } = sum;
    const service = services.get(sum.serviceId);
    // A service missing from the catalogue map counts as bonus-eligible.
    const exclusion = lineExclusion(segment.attribution === 'OWN', service?.bonusEligible ?? true);
    // Excluded lines carry no deal rate (priceInvoiceLine prices them at 0), so they are never split by rate.
    const rate = exclusion ? '0' : segment.dealBonusRate;
    const key = `${segment.billingAccountId}|${segment.customerId ?? ''}|${sum.serviceId}|${exclusion ?? ''}|${rate}`;
    const line = lines.get(key);
    if (line) {
      line.cost = line.cost.plus(sum.cost);
      line.grantCredit = line.grantCredit.plus(sum.grantCredit);
      continue;
    }
    let dealBonusRate = rates.get(rate);
    if (!dealBonusRate) rates.set(rate, (dealBonusRate = new Dec(rate)));
    lines.set(key, {
      partnerId: segment.partnerId,
      billingAccountId: segment.billingAccountId,
      customerId: segment.customerId,
      serviceId: sum.serviceId,
      specialization: service?.specialization ?? null,
      exclusion,
      dealBonusRate,
      cost: fromNumeric(sum.cost),
      grantCredit: fromNumeric(sum.grantCredit),
      rateText: rate,
    });
  }
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // Rates are canonical decimals below 1 (or "1"), so their text sorts like their value.
  return [...lines.values()].sort(
    (a, b) =>
      compare(a.billingAccountId, b.billingAccountId) ||
      compare(a.serviceId, b.serviceId) ||
      compare(a.rateText, b.rateText) ||
      compare(a.customerId ?? '', b.customerId ?? ''),
  );
}

export interface ProjectUsage {
  projectId: string;
  partnerId: string;
  billingAccountId: string;
  serviceId: string;
  specialization: string | null;
  bonusEligible: boolean;
  cost: Decimal;
  grantCredit: Decimal;
}

/**
 * Consumption of approved (or completed) projects' scopes in [from, to) (SPEC §7): the customer's account on days it
 * is direct and before the project partner's exit date; a record counts for at most one project: the one approved
 * first among those accruing a rebate in the month, else the one approved first (for G). Driven from the projects, so it
 * reads only their accounts' records (by index). Sent straight to the given connection, so a caller can queue it
 * ahead of its next statement without waiting.
 */
export async function aggregateProjectUsage(client: Pick<PoolClient, 'query'>, from: string, to: string, month: string): Promise<ProjectUsage[]> {
  const { rows } = await client.query<Record<string, string | boolean | null>>(
    `WITH candidates AS (
       SELECT p.id, p.partner_id, p.customer_billing_account_id, p.scope, p.scope_id, p.approved_at, pa.exit_date,
              (p.status = 'APPROVED' AND p.rebate_from <= $3 AND $3 <= p.rebate_to) AS accruing
         FROM projects p JOIN partners pa ON pa.id = p.partner_id
        WHERE p.status IN ('APPROVED', 'COMPLETED') AND p.approved_at IS NOT NULL
     ), matched AS (
       SELECT DISTINCT ON (a.id) a.id, a.service_id, a.cost, a.grant_credit, c.id AS project_id, c.partner_id, a.billing_account_id
         FROM candidates c
         JOIN consumption_attribution a
           ON a.billing_account_id = c.customer_billing_account_id AND a.date >= $1 AND a.date < $2
          AND a.attribution = 'DIRECT' AND (c.exit_date IS NULL OR a.date < c.exit_date)
          AND ((c.scope = 'CLOUD' AND a.cloud_id = c.scope_id) OR (c.scope = 'FOLDER' AND a.folder_id = c.scope_id))
        ORDER BY a.id, c.accruing DESC, c.approved_at, c.id
     )
     SELECT m.project_id, m.partner_id, m.billing_account_id, m.service_id, s.specialization, s.bonus_eligible,
            sum(m.cost) AS cost, sum(m.grant_credit) AS grant_credit
       FROM matched m JOIN services s ON s.id = m.service_id
      GROUP BY 1, 2, 3, 4, 5, 6
      ORDER BY 1, 4`,
    [from, to, month],
  );
  return rows.map((r) => ({
    projectId: r.project_id as string,
    partnerId: r.partner_id as string,
    billingAccountId: r.billing_account_id as string,
    serviceId: r.service_id as string,
    specialization: r.specialization as string | null,
    bonusEligible: r.bonus_eligible as boolean,
    cost: new Dec(r.cost as string),
    grantCredit: new Dec(r.grant_credit as string),
  }));
}

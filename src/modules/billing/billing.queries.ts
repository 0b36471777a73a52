// Set-based aggregation for the month close and the invoice preview: the database sums the month's records into
// few rows; the domain code prices them. Amounts come back as raw numeric strings (never JS numbers).
import type { EntityManager } from 'typeorm';
import { Dec, type Dec as Decimal } from '../../shared/money';
import type { LineExclusion } from './domain/invoice-line';

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
}

/**
 * Invoice lines of month [from, to): the attribution of every record (SPEC §4) joined to the deal in force that day
 * (SPEC §6), grouped by partner × billing account × subaccount × service × rates. One pass over the month's records.
 */
export async function aggregateLines(manager: EntityManager, from: string, to: string, partnerId: string | null = null): Promise<RawLine[]> {
  const rows: Record<string, string | null>[] = await manager.query(
    `SELECT a.partner_id, a.billing_account_id, a.customer_id, a.service_id, s.specialization,
            CASE WHEN a.attribution = 'OWN' THEN 'PARTNER_OWN' WHEN NOT s.bonus_eligible THEN 'EXCLUDED_SERVICE' END AS exclusion,
            CASE WHEN a.attribution = 'OWN' OR NOT s.bonus_eligible THEN 0 ELSE coalesce(d.bonus_rate, 0) END AS deal_rate,
            sum(a.cost) AS cost, sum(a.grant_credit) AS grant_credit
       FROM consumption_attribution a
       JOIN services s ON s.id = a.service_id
       LEFT JOIN customers c ON c.id = a.customer_id
       LEFT JOIN deals d
         ON d.partner_id = a.partner_id AND d.customer_inn = c.inn AND d.activated_on IS NOT NULL
        AND a.date >= d.activated_on AND (d.ended_on IS NULL OR a.date < d.ended_on)
      WHERE a.date >= $1 AND a.date < $2 AND a.partner_id IS NOT NULL AND ($3::uuid IS NULL OR a.partner_id = $3::uuid)
      GROUP BY 1, 2, 3, 4, 5, 6, 7
      ORDER BY 1, 2, 4, 7, 3`,
    [from, to, partnerId],
  );
  return rows.map((r) => ({
    partnerId: r.partner_id!,
    billingAccountId: r.billing_account_id!,
    customerId: r.customer_id,
    serviceId: r.service_id!,
    specialization: r.specialization,
    exclusion: r.exclusion as LineExclusion | null,
    dealBonusRate: new Dec(r.deal_rate!),
    cost: new Dec(r.cost!),
    grantCredit: new Dec(r.grant_credit!),
  }));
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
 * is direct and before the project partner's exit date; a record counts for at most one project, the one approved
 * first. Driven from the projects, so it reads only their accounts' records (by index).
 */
export async function aggregateProjectUsage(manager: EntityManager, from: string, to: string): Promise<ProjectUsage[]> {
  const rows: Record<string, string | boolean | null>[] = await manager.query(
    `WITH candidates AS (
       SELECT p.id, p.partner_id, p.customer_billing_account_id, p.scope, p.scope_id, p.approved_at, pa.exit_date
         FROM projects p JOIN partners pa ON pa.id = p.partner_id
        WHERE p.status IN ('APPROVED', 'COMPLETED') AND p.approved_at IS NOT NULL
     ), matched AS (
       SELECT DISTINCT ON (a.id) a.id, a.service_id, a.cost, a.grant_credit, c.id AS project_id, c.partner_id, a.billing_account_id
         FROM candidates c
         JOIN consumption_attribution a
           ON a.billing_account_id = c.customer_billing_account_id AND a.date >= $1 AND a.date < $2
          AND a.attribution = 'DIRECT' AND (c.exit_date IS NULL OR a.date < c.exit_date)
          AND ((c.scope = 'CLOUD' AND a.cloud_id = c.scope_id) OR (c.scope = 'FOLDER' AND a.folder_id = c.scope_id))
        ORDER BY a.id, c.approved_at, c.id
     )
     SELECT m.project_id, m.partner_id, m.billing_account_id, m.service_id, s.specialization, s.bonus_eligible,
            sum(m.cost) AS cost, sum(m.grant_credit) AS grant_credit
       FROM matched m JOIN services s ON s.id = m.service_id
      GROUP BY 1, 2, 3, 4, 5, 6
      ORDER BY 1, 4`,
    [from, to],
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

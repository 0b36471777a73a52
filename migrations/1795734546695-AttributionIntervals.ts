import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attribution as intervals: every span of days on which a billing account belongs to a partner, as a linked
 * subaccount or as the partner's own account on its in-program days. consumption_attribution joins records to it;
 * the month close splits the intervals by deals into a few segments and joins the month's records to those once.
 */
export class AttributionIntervals1795734546695 implements MigrationInterface {
  name = 'AttributionIntervals1795734546695';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW "consumption_attribution"`);
    await queryRunner.query(`CREATE VIEW "attribution_intervals" AS
      SELECT l.billing_account_id, l.partner_id, l.customer_id, 'SUBACCOUNT'::text AS attribution, l.linked_from AS valid_from, l.linked_to AS valid_to
        FROM account_links l
       WHERE l.linked_to IS NULL OR l.linked_to > l.linked_from
      UNION ALL
      SELECT p.own_billing_account_id, p.id, NULL::uuid, 'OWN'::text, p.active_from, p.exit_date
        FROM partners p
       WHERE p.active_from IS NOT NULL AND (p.exit_date IS NULL OR p.exit_date > p.active_from)`);
    await queryRunner.query(`CREATE VIEW "consumption_attribution" AS
      SELECT r.id, r.billing_account_id, r.date, r.service_id, r.cloud_id, r.folder_id, r.cost, r.grant_credit, r.source,
             coalesce(i.attribution, 'DIRECT') AS attribution, i.partner_id, i.customer_id
        FROM consumption_records r
        LEFT JOIN attribution_intervals i
          ON i.billing_account_id = r.billing_account_id AND r.date >= i.valid_from AND (i.valid_to IS NULL OR r.date < i.valid_to)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW "consumption_attribution"`);
    await queryRunner.query(`DROP VIEW "attribution_intervals"`);
    await queryRunner.query(`CREATE VIEW "consumption_attribution" AS
      SELECT r.id, r.billing_account_id, r.date, r.service_id, r.cloud_id, r.folder_id, r.cost, r.grant_credit, r.source,
             CASE WHEN l.partner_id IS NOT NULL THEN 'SUBACCOUNT' WHEN p.id IS NOT NULL THEN 'OWN' ELSE 'DIRECT' END AS attribution,
             COALESCE(l.partner_id, p.id) AS partner_id,
             l.customer_id
        FROM consumption_records r
        LEFT JOIN account_links l
          ON l.billing_account_id = r.billing_account_id AND r.date >= l.linked_from AND (l.linked_to IS NULL OR r.date < l.linked_to)
        LEFT JOIN partners p
          ON p.own_billing_account_id = r.billing_account_id AND p.active_from IS NOT NULL
         AND r.date >= p.active_from AND (p.exit_date IS NULL OR r.date < p.exit_date)`);
  }
}

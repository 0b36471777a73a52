import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Consumption1795733578182 implements MigrationInterface {
  name = 'Consumption1795733578182';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "billing_months" ("month" date NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "invoices_finalized" integer NOT NULL, "rebate_entries_created" integer NOT NULL, CONSTRAINT "PK_d85266c8f73a2dfe0ee0d68b611" PRIMARY KEY ("month"))`);
    await queryRunner.query(`CREATE TABLE "consumption_batches" ("batch_id" text NOT NULL, "fingerprint" text NOT NULL, "record_count" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_fa85c7c5be457c2272971f30e90" PRIMARY KEY ("batch_id"))`);
    await queryRunner.query(`CREATE TABLE "consumption_records" ("id" BIGSERIAL NOT NULL, "billing_account_id" text NOT NULL, "date" date NOT NULL, "service_id" text NOT NULL, "cloud_id" text NOT NULL, "folder_id" text NOT NULL, "cost" numeric(24,6) NOT NULL, "grant_credit" numeric(24,6) NOT NULL, "source" text NOT NULL, "batch_id" text, CONSTRAINT "PK_37fb7efaf895b46f71ea1ec211a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "consumption_folder_idx" ON "consumption_records" ("folder_id", "date") `);
    await queryRunner.query(`CREATE INDEX "consumption_cloud_idx" ON "consumption_records" ("cloud_id", "date") `);
    await queryRunner.query(`CREATE INDEX "consumption_date_idx" ON "consumption_records" ("date") `);
    await queryRunner.query(`CREATE INDEX "consumption_account_date_idx" ON "consumption_records" ("billing_account_id", "date") `);
    await queryRunner.query(`CREATE TABLE "account_links" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "partner_id" uuid NOT NULL, "billing_account_id" text NOT NULL, "linked_from" date NOT NULL, "linked_to" date, CONSTRAINT "PK_e03b1e79173941b176b58836ecd" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "account_links_partner_idx" ON "account_links" ("partner_id") `);
    await queryRunner.query(`CREATE INDEX "account_links_customer_idx" ON "account_links" ("customer_id") `);
    await queryRunner.query(`CREATE INDEX "account_links_account_idx" ON "account_links" ("billing_account_id", "linked_from") `);
    await queryRunner.query(`CREATE TABLE "customers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid NOT NULL, "name" text NOT NULL, "inn" text NOT NULL, "billing_account_id" text NOT NULL, "status" text NOT NULL, "linked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_133ec679a801fab5e070f73d3ea" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "customers_live_billing_account_key" ON "customers" ("billing_account_id") WHERE "status" <> 'INACTIVE'`);
    await queryRunner.query(`CREATE INDEX "customers_inn_idx" ON "customers" ("inn") `);
    await queryRunner.query(`CREATE INDEX "customers_partner_created_idx" ON "customers" ("partner_id", "created_at", "id") `);
    await queryRunner.query(`ALTER TABLE "partners" ADD "active_from" date`);
    // Two links of one billing account may never overlap in time.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await queryRunner.query(`ALTER TABLE "account_links" ADD CONSTRAINT "account_links_no_overlap" EXCLUDE USING gist ("billing_account_id" WITH =, daterange("linked_from", "linked_to", '[)') WITH &&)`);
    await queryRunner.query(`ALTER TABLE "consumption_records" ADD CONSTRAINT "consumption_amounts_check" CHECK ("cost" >= 0 AND "grant_credit" >= 0 AND "grant_credit" <= "cost")`);
    // Attribution (SPEC §4): each record belongs to the partner whose link covers its date (a subaccount), to a partner
    // whose own account it is on the partner's in-program days (own), or to nobody (a direct customer).
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

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW "consumption_attribution"`);
    await queryRunner.query(`ALTER TABLE "account_links" DROP CONSTRAINT "account_links_no_overlap"`);
    await queryRunner.query(`ALTER TABLE "consumption_records" DROP CONSTRAINT "consumption_amounts_check"`);
    await queryRunner.query(`ALTER TABLE "partners" DROP COLUMN "active_from"`);
    await queryRunner.query(`DROP INDEX "public"."customers_partner_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."customers_inn_idx"`);
    await queryRunner.query(`DROP INDEX "public"."customers_live_billing_account_key"`);
    await queryRunner.query(`DROP TABLE "customers"`);
    await queryRunner.query(`DROP INDEX "public"."account_links_account_idx"`);
    await queryRunner.query(`DROP INDEX "public"."account_links_customer_idx"`);
    await queryRunner.query(`DROP INDEX "public"."account_links_partner_idx"`);
    await queryRunner.query(`DROP TABLE "account_links"`);
    await queryRunner.query(`DROP INDEX "public"."consumption_account_date_idx"`);
    await queryRunner.query(`DROP INDEX "public"."consumption_date_idx"`);
    await queryRunner.query(`DROP INDEX "public"."consumption_cloud_idx"`);
    await queryRunner.query(`DROP INDEX "public"."consumption_folder_idx"`);
    await queryRunner.query(`DROP TABLE "consumption_records"`);
    await queryRunner.query(`DROP TABLE "consumption_batches"`);
    await queryRunner.query(`DROP TABLE "billing_months"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DealsProjectsPresales1795733665704 implements MigrationInterface {
  name = 'DealsProjectsPresales1795733665704';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "deals" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid NOT NULL, "customer_inn" text NOT NULL, "customer_name" text NOT NULL, "target_monthly_consumption" numeric NOT NULL, "procurement" boolean NOT NULL, "contract_ends_on" date, "description" text NOT NULL, "status" text NOT NULL, "status_reason" text, "bonus_rate" numeric(5,4), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "approved_at" TIMESTAMP WITH TIME ZONE, "link_deadline" date, "activated_on" date, "ended_on" date, "expired_on" date, CONSTRAINT "PK_8c66f03b250f613ff8615940b4b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "deals_open_inn_key" ON "deals" ("customer_inn") WHERE "status" IN ('SUBMITTED', 'APPROVED', 'ACTIVE')`);
    await queryRunner.query(`CREATE INDEX "deals_inn_idx" ON "deals" ("customer_inn") `);
    await queryRunner.query(`CREATE INDEX "deals_created_idx" ON "deals" ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "deals_partner_created_idx" ON "deals" ("partner_id", "created_at", "id") `);
    await queryRunner.query(`CREATE TABLE "presale_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid NOT NULL, "customer_name" text NOT NULL, "customer_inn" text, "deal_id" uuid, "project_id" uuid, "products" text array NOT NULL, "description" text NOT NULL, "status" text NOT NULL, "status_reason" text, "assignee" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "respond_by" date NOT NULL, CONSTRAINT "PK_4b41946705d8d1209e678d67ca2" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "presale_requests_created_idx" ON "presale_requests" ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "presale_requests_partner_created_idx" ON "presale_requests" ("partner_id", "created_at", "id") `);
    await queryRunner.query(`CREATE TABLE "projects" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid NOT NULL, "customer_inn" text NOT NULL, "customer_name" text NOT NULL, "customer_billing_account_id" text NOT NULL, "scope" text NOT NULL, "scope_id" text NOT NULL, "target_monthly_consumption" numeric NOT NULL, "description" text NOT NULL, "status" text NOT NULL, "status_reason" text, "rebate_rate" numeric(5,4), "rebate_from" text, "rebate_to" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "approved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "projects_open_scope_key" ON "projects" ("scope", "scope_id") WHERE "status" IN ('SUBMITTED', 'APPROVED')`);
    await queryRunner.query(`CREATE INDEX "projects_account_idx" ON "projects" ("customer_billing_account_id") `);
    await queryRunner.query(`CREATE INDEX "projects_created_idx" ON "projects" ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "projects_partner_created_idx" ON "projects" ("partner_id", "created_at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."projects_partner_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."projects_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."projects_account_idx"`);
    await queryRunner.query(`DROP INDEX "public"."projects_open_scope_key"`);
    await queryRunner.query(`DROP TABLE "projects"`);
    await queryRunner.query(`DROP INDEX "public"."presale_requests_partner_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."presale_requests_created_idx"`);
    await queryRunner.query(`DROP TABLE "presale_requests"`);
    await queryRunner.query(`DROP INDEX "public"."deals_partner_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."deals_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."deals_inn_idx"`);
    await queryRunner.query(`DROP INDEX "public"."deals_open_inn_key"`);
    await queryRunner.query(`DROP TABLE "deals"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BillingLedgerWithdrawals1795733742049 implements MigrationInterface {
  name = 'BillingLedgerWithdrawals1795733742049';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "invoice_lines" ("partner_id" uuid NOT NULL, "month" text NOT NULL, "line_no" integer NOT NULL, "billing_account_id" text NOT NULL, "customer_id" uuid, "service_id" text NOT NULL, "cost" numeric NOT NULL, "grant_credit" numeric NOT NULL, "eligible" numeric NOT NULL, "bonus_rate" numeric(5,4) NOT NULL, "deal_bonus_rate" numeric(5,4) NOT NULL, "discount" numeric NOT NULL, "payable" numeric NOT NULL, "exclusion" text, CONSTRAINT "PK_6d5d4a75725377a75b9486ab00b" PRIMARY KEY ("partner_id", "month", "line_no"))`);
    await queryRunner.query(`CREATE TABLE "invoices" ("partner_id" uuid NOT NULL, "month" text NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "total_cost" numeric NOT NULL, "grant_credits" numeric NOT NULL, "eligible_amount" numeric NOT NULL, "discount" numeric NOT NULL, "bonus_withdrawals_applied" numeric NOT NULL, "bonus_carried_over" numeric NOT NULL, "payable" numeric NOT NULL, "customer_cost" numeric NOT NULL, CONSTRAINT "PK_d41fce5ee1704d902eb8b930577" PRIMARY KEY ("partner_id", "month"))`);
    await queryRunner.query(`CREATE INDEX "invoices_month_idx" ON "invoices" ("month") `);
    await queryRunner.query(`CREATE TABLE "specialization_bases" ("partner_id" uuid NOT NULL, "specialization" text NOT NULL, "quarter" text NOT NULL, "eligible_consumption" numeric NOT NULL, "level" text, "base" numeric NOT NULL, "rebate" numeric NOT NULL, "co_marketing" numeric NOT NULL, CONSTRAINT "PK_6c7ea4726ae35a7852618a74b23" PRIMARY KEY ("partner_id", "specialization", "quarter"))`);
    await queryRunner.query(`CREATE TABLE "ledger_entries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid NOT NULL, "kind" text NOT NULL, "amount" numeric NOT NULL, "balance_after" numeric NOT NULL, "period" text, "project_id" uuid, "specialization" text, "withdrawal_id" uuid, "description" text NOT NULL, "sequence" bigint NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6efcb84411d3f08b08450ae75d5" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ledger_entries_withdrawal_idx" ON "ledger_entries" ("withdrawal_id") `);
    await queryRunner.query(`CREATE INDEX "ledger_entries_project_idx" ON "ledger_entries" ("project_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "ledger_entries_sequence_key" ON "ledger_entries" ("sequence") `);
    await queryRunner.query(`CREATE INDEX "ledger_entries_partner_sequence_idx" ON "ledger_entries" ("partner_id", "sequence") `);
    await queryRunner.query(`CREATE TABLE "withdrawals" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid NOT NULL, "amount" numeric NOT NULL, "destination" text NOT NULL, "status" text NOT NULL, "status_reason" text, "month" text, "bank_bic" text, "bank_account_number" text, "bank_name" text, "payment_reference" text, "idempotency_key" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_9871ec481baa7755f8bd8b7c7e9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "withdrawals_bonus_month_idx" ON "withdrawals" ("partner_id", "month") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "withdrawals_idempotency_key" ON "withdrawals" ("partner_id", "idempotency_key") `);
    await queryRunner.query(`CREATE INDEX "withdrawals_created_idx" ON "withdrawals" ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "withdrawals_partner_created_idx" ON "withdrawals" ("partner_id", "created_at", "id") `);
    // The ledger is append-only: entries are never updated or deleted (SPEC §11).
    await queryRunner.query(`CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$`);
    await queryRunner.query(`CREATE TRIGGER ledger_entries_no_update_delete BEFORE UPDATE OR DELETE ON "ledger_entries" FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()`);
    await queryRunner.query(`ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_balance_non_negative" CHECK ("balance_after" >= 0)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_balance_non_negative"`);
    await queryRunner.query(`DROP TRIGGER ledger_entries_no_update_delete ON "ledger_entries"`);
    await queryRunner.query(`DROP FUNCTION ledger_entries_append_only()`);
    await queryRunner.query(`DROP INDEX "public"."withdrawals_partner_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."withdrawals_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."withdrawals_idempotency_key"`);
    await queryRunner.query(`DROP INDEX "public"."withdrawals_bonus_month_idx"`);
    await queryRunner.query(`DROP TABLE "withdrawals"`);
    await queryRunner.query(`DROP INDEX "public"."ledger_entries_partner_sequence_idx"`);
    await queryRunner.query(`DROP INDEX "public"."ledger_entries_sequence_key"`);
    await queryRunner.query(`DROP INDEX "public"."ledger_entries_project_idx"`);
    await queryRunner.query(`DROP INDEX "public"."ledger_entries_withdrawal_idx"`);
    await queryRunner.query(`DROP TABLE "ledger_entries"`);
    await queryRunner.query(`DROP TABLE "specialization_bases"`);
    await queryRunner.query(`DROP INDEX "public"."invoices_month_idx"`);
    await queryRunner.query(`DROP TABLE "invoices"`);
    await queryRunner.query(`DROP TABLE "invoice_lines"`);
  }
}

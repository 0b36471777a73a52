import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795733153564 implements MigrationInterface {
  name = 'Foundation1795733153564';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Event sequences are taken under an advisory lock (see events.service.ts), so they are visible in commit order.
    await queryRunner.query(`CREATE SEQUENCE "event_sequence" AS bigint START 1`);
    await queryRunner.query(`CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" text NOT NULL, "name" text NOT NULL, "role" text NOT NULL, "partner_id" uuid, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "api_tokens_partner_idx" ON "api_tokens" ("partner_id", "created_at") `);
    await queryRunner.query(`CREATE TABLE "clock_state" ("id" integer NOT NULL, "now" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ec7722801c8e3d6990ca0f3dfa8" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "events" ("sequence" bigint NOT NULL, "partner_id" uuid NOT NULL, "type" text NOT NULL, "entity_id" text NOT NULL, "status" text, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f76b4ba9e52adc10a9b8be4dc76" PRIMARY KEY ("sequence"))`);
    await queryRunner.query(`CREATE INDEX "events_partner_sequence_idx" ON "events" ("partner_id", "sequence") `);
    await queryRunner.query(`CREATE TABLE "partner_specializations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid NOT NULL, "specialization" text NOT NULL, "level" text NOT NULL, "active_from" date NOT NULL, "active_to" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5d5bf69163f8a6f5d15e3ecfe45" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "partner_specializations_partner_idx" ON "partner_specializations" ("partner_id", "specialization", "active_from") `);
    await queryRunner.query(`CREATE TABLE "partners" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "inn" text NOT NULL, "own_billing_account_id" text NOT NULL, "contact_email" text NOT NULL, "status" text NOT NULL, "status_reason" text, "level" text NOT NULL DEFAULT 'PARTNER', "payment_mode" text NOT NULL, "billing_threshold" numeric, "bank_bic" text, "bank_account_number" text, "bank_name" text, "quit_effective_on" date, "exit_date" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_998645b20820e4ab99aeae03b41" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "partners_inn_key" ON "partners" ("inn") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "partners_own_billing_account_key" ON "partners" ("own_billing_account_id") `);
    await queryRunner.query(`CREATE INDEX "partners_created_idx" ON "partners" ("created_at", "id") `);
    await queryRunner.query(`CREATE TABLE "services" ("id" text NOT NULL, "name" text NOT NULL, "bonus_eligible" boolean NOT NULL, "specialization" text, "aliases" text array NOT NULL DEFAULT '{}', CONSTRAINT "PK_ba2d347a3168a296416c6c5ccb2" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "program_settings" ("effective_from" date NOT NULL, "base_bonus_rate" numeric(5,4) NOT NULL, "max_deal_bonus_rate" numeric(5,4) NOT NULL, "max_project_rebate_rate" numeric(5,4) NOT NULL, "min_deal_target_consumption" numeric NOT NULL, "min_project_monthly_consumption" numeric NOT NULL, "deal_link_window_days" integer NOT NULL, "project_rebate_months" integer NOT NULL, "quit_notice_days" integer NOT NULL, "presale_response_business_days" integer NOT NULL, "specialization_rates" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c6635c73fc033d8f87b9c27d79d" PRIMARY KEY ("effective_from"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SEQUENCE "event_sequence"`);
    await queryRunner.query(`DROP TABLE "program_settings"`);
    await queryRunner.query(`DROP TABLE "services"`);
    await queryRunner.query(`DROP INDEX "public"."partners_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partners_own_billing_account_key"`);
    await queryRunner.query(`DROP INDEX "public"."partners_inn_key"`);
    await queryRunner.query(`DROP TABLE "partners"`);
    await queryRunner.query(`DROP INDEX "public"."partner_specializations_partner_idx"`);
    await queryRunner.query(`DROP TABLE "partner_specializations"`);
    await queryRunner.query(`DROP INDEX "public"."events_partner_sequence_idx"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP TABLE "clock_state"`);
    await queryRunner.query(`DROP INDEX "public"."api_tokens_partner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."api_tokens_hash_key"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
  }
}

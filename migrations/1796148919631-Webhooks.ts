import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1796148919631 implements MigrationInterface {
  name = 'Webhooks1796148919631';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "webhook_endpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid, "url" text NOT NULL, "description" text, "event_types" text array NOT NULL DEFAULT '{}', "status" text NOT NULL, "disabled_reason" text, "secret" text NOT NULL, "previous_secret" text, "previous_secret_until" TIMESTAMP WITH TIME ZONE, "cursor" bigint NOT NULL DEFAULT '0', "failures" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "lease_owner" text, "lease_until" TIMESTAMP WITH TIME ZONE, "generation" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "webhook_endpoints_created_idx" ON "webhook_endpoints" ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "webhook_endpoints_partner_created_idx" ON "webhook_endpoints" ("partner_id", "created_at", "id") `);
    await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "endpoint_id" uuid NOT NULL, "sequence" bigint, "message_id" text NOT NULL, "event_type" text NOT NULL, "attempt" integer NOT NULL, "response_status" integer, "duration_ms" integer NOT NULL, "succeeded" boolean NOT NULL, "error" text, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "webhook_deliveries_sequence_idx" ON "webhook_deliveries" ("sequence") `);
    await queryRunner.query(`CREATE INDEX "webhook_deliveries_endpoint_attempted_idx" ON "webhook_deliveries" ("endpoint_id", "attempted_at", "id") `);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "fk_webhook_endpoints_partner_id" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "fk_webhook_deliveries_endpoint_id" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "fk_webhook_deliveries_sequence" FOREIGN KEY ("sequence") REFERENCES "events"("sequence") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_sequence"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_endpoint_id"`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "fk_webhook_endpoints_partner_id"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_endpoint_attempted_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_sequence_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_endpoints_partner_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_endpoints_created_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
  }
}

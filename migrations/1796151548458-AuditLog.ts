import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (SPEC §20): one row per mutation call, append-only (a trigger refuses UPDATE, DELETE and TRUNCATE,
 * so not even a bug in the API can rewrite history), and the actor of every event.
 */
export class AuditLog1796151548458 implements MigrationInterface {
  name = 'AuditLog1796151548458';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "audit_entries" ("id" BIGSERIAL NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_kind" text NOT NULL, "actor_token_id" uuid, "operation" text NOT NULL, "partner_id" uuid, "entity_id" text, "outcome" text NOT NULL, "codes" text array NOT NULL, "request_id" text, "input" text, CONSTRAINT "PK_6b1623bcad4d04530b76548d619" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "audit_entries_occurred_at_idx" ON "audit_entries" ("occurred_at") `);
    await queryRunner.query(`CREATE INDEX "audit_entries_actor_token_idx" ON "audit_entries" ("actor_token_id", "id") `);
    await queryRunner.query(`CREATE INDEX "audit_entries_partner_idx" ON "audit_entries" ("partner_id", "id") `);
    await queryRunner.query(`ALTER TABLE "events" ADD "actor_kind" text NOT NULL DEFAULT 'SYSTEM'`);
    await queryRunner.query(`ALTER TABLE "events" ADD "actor_token_id" uuid`);
    await queryRunner.query(`ALTER TABLE "audit_entries" ADD CONSTRAINT "fk_audit_entries_actor_token_id" FOREIGN KEY ("actor_token_id") REFERENCES "api_tokens"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "audit_entries" ADD CONSTRAINT "fk_audit_entries_partner_id" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "events" ADD CONSTRAINT "fk_events_actor_token_id" FOREIGN KEY ("actor_token_id") REFERENCES "api_tokens"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await queryRunner.query(`CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`CREATE TRIGGER "audit_entries_append_only" BEFORE UPDATE OR DELETE ON "audit_entries"
      FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()`);
    await queryRunner.query(`CREATE TRIGGER "audit_entries_no_truncate" BEFORE TRUNCATE ON "audit_entries"
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "audit_entries_no_truncate" ON "audit_entries"`);
    await queryRunner.query(`DROP TRIGGER "audit_entries_append_only" ON "audit_entries"`);
    await queryRunner.query(`DROP FUNCTION audit_entries_append_only()`);
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "fk_events_actor_token_id"`);
    await queryRunner.query(`ALTER TABLE "audit_entries" DROP CONSTRAINT "fk_audit_entries_partner_id"`);
    await queryRunner.query(`ALTER TABLE "audit_entries" DROP CONSTRAINT "fk_audit_entries_actor_token_id"`);
    await queryRunner.query(`ALTER TABLE "events" DROP COLUMN "actor_token_id"`);
    await queryRunner.query(`ALTER TABLE "events" DROP COLUMN "actor_kind"`);
    await queryRunner.query(`DROP INDEX "public"."audit_entries_partner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_entries_actor_token_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_entries_occurred_at_idx"`);
    await queryRunner.query(`DROP TABLE "audit_entries"`);
  }
}

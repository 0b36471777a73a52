import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event sequences without a lock held across whole transactions (SPEC §24). A writer inserts its events with a
 * provisional sequence (EVENT_STAGE + a per-database counter, far above every final one) and takes no lock; right
 * before commit, with every other lock it needs already held, `number_events()` takes the event-sequence advisory lock,
 * gives the transaction's events (and the ledger entries written with them) their final sequences in insertion order
 * and the commit releases the lock. Sequences therefore become visible in commit order, and the lock is held for one
 * UPDATE and the COMMIT, never for the work of the transaction. eventTransaction calls number_events() itself (so it
 * can hand the final sequences back); the deferred constraint trigger numbers any other writer's events at commit.
 */
export class EventsNumberedAtCommit1796145134409 implements MigrationInterface {
  name = 'EventsNumberedAtCommit1796145134409';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE "event_staging_sequence" AS bigint START 1`);
    await queryRunner.query(`CREATE FUNCTION number_events() RETURNS TABLE (staged bigint, final bigint) LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM events WHERE sequence >= 4611686018427387904) THEN RETURN; END IF;
        PERFORM pg_advisory_xact_lock(7262001);
        RETURN QUERY
          WITH m AS (
                 SELECT o.old, nextval('event_sequence') AS new
                   FROM (SELECT e.sequence AS old FROM events e WHERE e.sequence >= 4611686018427387904 ORDER BY e.sequence) o),
               ev AS (UPDATE events e SET sequence = m.new FROM m WHERE e.sequence = m.old),
               le AS (UPDATE ledger_entries l SET sequence = m.new FROM m WHERE l.sequence = m.old)
          SELECT m.old, m.new FROM m;
      END $$`);
    // The ledger stays append-only; the one change allowed is number_events() giving an entry its final sequence.
    await queryRunner.query(`CREATE OR REPLACE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.sequence >= 4611686018427387904 AND NEW.sequence < 4611686018427387904
           AND to_jsonb(NEW) - 'sequence' = to_jsonb(OLD) - 'sequence' THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'ledger entries are append-only';
      END $$`);
    await queryRunner.query(`CREATE FUNCTION events_number_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.sequence >= 4611686018427387904 AND EXISTS (SELECT 1 FROM events WHERE sequence = NEW.sequence) THEN
          PERFORM number_events();
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE CONSTRAINT TRIGGER "events_number_at_commit" AFTER INSERT ON "events"
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_number_at_commit()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "events_number_at_commit" ON "events"`);
    await queryRunner.query(`DROP FUNCTION events_number_at_commit()`);
    await queryRunner.query(`DROP FUNCTION number_events()`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$`);
    await queryRunner.query(`DROP SEQUENCE "event_staging_sequence"`);
  }
}

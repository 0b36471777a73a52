import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event numbering moves inside COMMIT (SPEC §24). Until now eventTransaction called number_events() as a statement
 * of its own, so the event-sequence lock was held from that statement through the audit entry's INSERT to the
 * COMMIT: three round trips to the API, each waiting for its event loop — under load the lock was held for
 * milliseconds per writer and writers queued on it (measured: 15 of 19 busy backends waiting on it, 100 commits/s).
 * Now every transaction is numbered by the deferred constraint trigger, which runs inside the COMMIT statement: the
 * lock is held for one UPDATE and the commit record's flush, never across a round trip.
 *
 * number_events(first) also starts its scans at the transaction's first provisional sequence: the range of
 * provisional sequences below it holds only the dead index entries of rows numbered earlier (each renumbering leaves
 * one until VACUUM), which a scan from 2^62 would step over on every commit.
 */
export class EventsNumberedInCommit1796156597647 implements MigrationInterface {
  name = 'EventsNumberedInCommit1796156597647';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION number_events(first_staged bigint) RETURNS TABLE (staged bigint, final bigint) LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM events WHERE sequence >= first_staged) THEN RETURN; END IF;
        PERFORM pg_advisory_xact_lock(7262001);
        RETURN QUERY
          WITH m AS (
                 SELECT o.old, nextval('event_sequence') AS new
                   FROM (SELECT e.sequence AS old FROM events e WHERE e.sequence >= first_staged ORDER BY e.sequence) o),
               ev AS (UPDATE events e SET sequence = m.new FROM m WHERE e.sequence = m.old),
               le AS (UPDATE ledger_entries l SET sequence = m.new FROM m WHERE l.sequence = m.old AND l.sequence >= first_staged)
          SELECT m.old, m.new FROM m;
      END $$`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION number_events() RETURNS TABLE (staged bigint, final bigint) LANGUAGE sql AS $$
      SELECT * FROM number_events(4611686018427387904)
    $$`);
    // Deferred triggers fire in insertion order, so the first one of a transaction carries its lowest provisional
    // sequence; it numbers them all and the others find their row renumbered (one primary-key probe each).
    await queryRunner.query(`CREATE OR REPLACE FUNCTION events_number_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.sequence >= 4611686018427387904 AND EXISTS (SELECT 1 FROM events WHERE sequence = NEW.sequence) THEN
          PERFORM number_events(NEW.sequence);
        END IF;
        RETURN NULL;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE OR REPLACE FUNCTION events_number_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.sequence >= 4611686018427387904 AND EXISTS (SELECT 1 FROM events WHERE sequence = NEW.sequence) THEN
          PERFORM number_events();
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION number_events() RETURNS TABLE (staged bigint, final bigint) LANGUAGE plpgsql AS $$
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
    await queryRunner.query(`DROP FUNCTION number_events(bigint)`);
  }
}

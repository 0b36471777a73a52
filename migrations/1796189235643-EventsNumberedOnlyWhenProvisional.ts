import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The deferred constraint trigger that numbers a transaction's events inside COMMIT (EventsNumberedInCommit) fires
 * only for events inserted with a PROVISIONAL sequence. The hot writers (write-transaction.ts) and the month close
 * (numberEventsFromNow) insert final sequences under the event-sequence lock; a trigger queued for each of their rows
 * would only find it numbered already — one function call and one index probe per event inside COMMIT, under the
 * lock (the close's COMMIT queued one per INVOICE_FINALIZED and ledger event).
 */
export class EventsNumberedOnlyWhenProvisional1796189235643 implements MigrationInterface {
  name = 'EventsNumberedOnlyWhenProvisional1796189235643';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "events_number_at_commit" ON "events"`);
    await queryRunner.query(`CREATE CONSTRAINT TRIGGER "events_number_at_commit" AFTER INSERT ON "events"
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.sequence >= 4611686018427387904) EXECUTE FUNCTION events_number_at_commit()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "events_number_at_commit" ON "events"`);
    await queryRunner.query(`CREATE CONSTRAINT TRIGGER "events_number_at_commit" AFTER INSERT ON "events"
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_number_at_commit()`);
  }
}

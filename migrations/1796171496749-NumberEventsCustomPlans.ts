import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * number_events(first) runs inside every writer's COMMIT while it holds the event-sequence lock. PL/pgSQL caches its
 * queries' plans and, after five calls, switches to a generic plan, which cannot know that `sequence >= first_staged`
 * selects the handful of rows the transaction just staged: it assumes a third of the table and scans `events` and
 * `ledger_entries` whole — under the lock, so every writer waited for a scan that grew with the event log (measured:
 * 6 ms per commit with 60,000 events against 1 ms with custom plans; at bench:writers' 1× program 12 of 32 writers
 * waiting on the lock at 67 mutations/s). Custom plans every call keep each commit's numbering to index probes.
 */
export class NumberEventsCustomPlans1796171496749 implements MigrationInterface {
  name = 'NumberEventsCustomPlans1796171496749';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER FUNCTION number_events(bigint) SET plan_cache_mode = force_custom_plan`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER FUNCTION number_events(bigint) RESET plan_cache_mode`);
  }
}

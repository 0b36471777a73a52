// The hot event-writing mutations (withdrawals, deal registration and review) as transactions of two round trips
// on a plain pg connection, no TypeORM: `read` sends BEGIN with the mutation's locks and reads in one batch (each
// statement with its own snapshot, so a read after a lock sees everything committed before the lock was granted),
// the service applies its rules in TypeScript, and `commit` sends the writes folded into one statement with the
// events and their NOTIFY, the call's audit entry and COMMIT in a second batch. Event numbering is unchanged: the
// events carry provisional sequences (reserved in a read batch by `stageEvents`) and the deferred trigger gives them
// their final ones inside COMMIT (event-log.ts); on PostgreSQL 17+ the COMMIT does not wait for its flush under the
// event-sequence lock, the batch flushes after it (durable-commit.ts). Locks follow the order of src/shared/locks.ts;
// a deadlock PostgreSQL reports makes the whole transaction run again, as eventTransaction does.
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import { currentAudit } from '../shared/acting';
import { batchText, inline, type Sql } from '../shared/sql-batch';
import { ASYNC_COMMIT, asyncCommits, FLUSH_WAL } from './durable-commit';
import { EVENT_STAGE, insertEventsStatement, type NewEvent } from './event-log';

export type Row = Record<string, unknown>;

/** An event with the provisional sequence reserved for it (see stageEvents). */
export interface StagedEvent extends NewEvent {
  sequence: string;
}

/** Reserves `count` provisional event sequences, in order (a read statement: its rows carry `sequence`). */
export function stageEvents(count: number): Sql {
  return {
    text: `SELECT (${EVENT_STAGE} + nextval('event_staging_sequence'))::text AS sequence FROM generate_series(1, $1::int) ORDER BY 1`,
    values: [count],
  };
}

/** The sequences reserved by a stageEvents statement, from its rows. */
export function stagedSequences(rows: Row[]): string[] {
  return rows.map((row) => String(row.sequence));
}

/** The writes and the events as one statement (data-modifying CTEs) that notifies the event bus. */
function foldWrites(writes: Sql[], events: StagedEvent[]): Sql {
  const staged = events.map((e) => e.sequence);
  const parts = events.length ? [...writes, insertEventsStatement(events, { staged })] : writes;
  const ctes = parts.map((part, i) => `w${i} AS (${inline(part)})`).join(',\n');
  return { text: `WITH ${ctes}\nSELECT ${events.length ? `pg_notify('events', '')` : 'NULL'}` };
}

const DEADLOCK = '40P01';
const ATTEMPTS = 3;

export class WriteTransaction {
  private begun = false;
  private ended = false;

  constructor(
    private readonly client: PoolClient,
    /** Commit without waiting for the flush, then flush after COMMIT (durable-commit.ts). */
    private readonly asyncCommit = false,
  ) {}

  /** One round trip: BEGIN (on the first call) and the statements, in order; the rows of each statement. */
  async read(statements: Sql[]): Promise<Row[][]> {
    const begin = !this.begun;
    this.begun = true;
    const results = await this.send(begin ? [{ text: 'BEGIN' }, ...statements] : statements);
    return results.slice(begin ? 1 : 0).map((result) => result.rows as Row[]);
  }

  /**
   * One round trip: the writes and the events in one statement, the call's audit entry (SPEC §20) and COMMIT (with
   * the flush after it, durable-commit.ts). A write must be an INSERT/UPDATE without RETURNING that no other write of
   * the batch touches (CTEs share one snapshot).
   */
  async commit(writes: Sql[], events: StagedEvent[]): Promise<void> {
    if (!this.begun) throw new Error('commit before any read: use read() first');
    const fold = foldWrites(writes, events); // first: its events name the audit entry's target
    const audit = currentAudit()?.commitStatement?.() ?? null;
    const commit = this.asyncCommit ? [ASYNC_COMMIT, { text: 'COMMIT' }, FLUSH_WAL] : [{ text: 'COMMIT' }];
    const statements = [fold, ...(audit ? [audit.statement] : []), ...commit];
    try {
      const results = await this.send(statements);
      this.ended = true;
      audit?.settle(results[1].rows.length > 0);
    } catch (error) {
      audit?.settle(false);
      throw error;
    }
  }

  /** Ends a transaction that did not commit (a replay, a refusal, an error); true when the connection is sound. */
  async end(): Promise<boolean> {
    if (!this.begun || this.ended) return true;
    this.ended = true;
    return this.client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
  }

  private async send(statements: Sql[]): Promise<QueryResult[]> {
    const result = (await this.client.query(batchText(statements))) as QueryResult | QueryResult[];
    return Array.isArray(result) ? result : [result];
  }
}

/**
 * Runs `run` in a WriteTransaction on a connection of the DataSource's pool. A transaction `run` leaves without
 * committing is rolled back; a deadlock PostgreSQL reports (it aborts one side, which changed nothing) runs it again.
 */
export async function writeTransaction<T>(ds: DataSource, run: (tx: WriteTransaction) => Promise<T>): Promise<T> {
  const pool = (ds.driver as unknown as { master: Pool }).master;
  const asyncCommit = await asyncCommits(pool);
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    const tx = new WriteTransaction(client, asyncCommit);
    let sound = true;
    try {
      const value = await run(tx);
      sound = await tx.end();
      return value;
    } catch (error) {
      sound = await tx.end();
      if ((error as { code?: string }).code !== DEADLOCK || attempt >= ATTEMPTS) throw error;
    } finally {
      client.release(sound ? undefined : true);
    }
  }
}

// The hot event-writing mutations (withdrawals, deal registration and review) as transactions of two round trips
// on a plain pg connection, no TypeORM: `read` sends BEGIN with the mutation's locks and reads in one batch (each
// statement with its own snapshot, so a read after a lock sees everything committed before the lock was granted),
// the service applies its rules in TypeScript, and `commit` sends the rest in a second batch: the writes, the call's
// audit entry, then — with every other lock of the transaction held — the event-sequence lock, the events inserted
// with their FINAL sequences (and the writes that carry one, a ledger entry), their NOTIFY, and COMMIT. The lock is
// held for one statement and the commit record (on PostgreSQL 17+ not its flush: durable-commit.ts), never across a
// round trip to the API, and sequences are drawn and made visible in the order of the lock, i.e. in commit order — as
// numberEventsFromNow does for the close (event-log.ts); nothing is renumbered inside COMMIT. Locks follow the order
// of src/shared/locks.ts; a deadlock PostgreSQL reports makes the whole transaction run again, as eventTransaction does.
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import { currentAudit } from '../shared/acting';
import { batchText, inline, SqlExpression, type Sql } from '../shared/sql-batch';
import { ASYNC_COMMIT, asyncCommits, FLUSH_WAL } from './durable-commit';
import { EVENT_SEQUENCE_LOCK, insertEventsStatement, type NewEvent } from './event-log';

export type Row = Record<string, unknown>;

/** The name of the sequences drawn in the commit batch's events statement (`n` from 1, in the order of the events). */
const NUMBERS = 'event_numbers';

/**
 * The final sequence of the commit's `index`-th event (from 0), as a value of a write passed to `commit` with it: a
 * ledger entry carries its LEDGER_ENTRY event's sequence. Such a write runs in the events statement, under the lock.
 */
export function eventSequence(index: number): SqlExpression {
  return new SqlExpression(`(SELECT sequence FROM ${NUMBERS} WHERE n = ${index + 1})`);
}

/** Whether a write has an eventSequence among its values (arrays included): it belongs in the events statement. */
function carriesSequence(write: Sql): boolean {
  const has = (value: unknown): boolean => value instanceof SqlExpression || (Array.isArray(value) && value.some(has));
  return (write.values ?? []).some(has);
}

/** Statements as one, each a data-modifying CTE (they share one snapshot), selecting `select`. */
function fold(parts: Sql[], select: string, prefix: string[] = []): Sql {
  const ctes = [...prefix, ...parts.map((part, i) => `w${i} AS (${inline(part)})`)].join(',\n');
  return { text: `WITH ${ctes}\nSELECT ${select}` };
}

/**
 * The events statement: takes the event-sequence lock, then draws the events' final sequences (nextval in the order
 * of the events: the volatile call is evaluated row by row as the series is scanned, each row joined to the lock's
 * one row first), inserts the events and the writes that carry one, and notifies the event bus.
 */
function eventsStatement(events: NewEvent[], sequenced: Sql[]): Sql {
  const lock = `event_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${EVENT_SEQUENCE_LOCK}))`;
  const numbers = `${NUMBERS} AS MATERIALIZED (SELECT nextval('event_sequence') AS sequence, n FROM event_lock, generate_series(1, ${events.length}) AS n)`;
  const insert = insertEventsStatement(events, { given: events.map((_, i) => eventSequence(i)) });
  return fold([...sequenced, insert], `pg_notify('events', '')`, [lock, numbers]);
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
   * One round trip: the writes and the call's audit entry (SPEC §20) folded into one statement, the event-sequence
   * lock, the events with the writes that carry their sequences (eventSequence), and COMMIT (with the flush after it,
   * durable-commit.ts). Whatever may wait for another transaction's lock (a row the writes or their foreign keys
   * touch) runs before the event-sequence lock is taken. A write must be an INSERT/UPDATE without RETURNING that no
   * other write of its statement touches (CTEs share one snapshot).
   */
  async commit(writes: Sql[], events: NewEvent[]): Promise<void> {
    if (!this.begun) throw new Error('commit before any read: use read() first');
    const sequenced = writes.filter(carriesSequence);
    const plain = writes.filter((write) => !carriesSequence(write));
    if (sequenced.length && !events.length) throw new Error('a write carries an event sequence, but there is no event');
    const numbered = events.length ? [eventsStatement(events, sequenced)] : [];
    const audit = currentAudit()?.commitStatement?.() ?? null; // after the events are built: they name its target
    const commit = this.asyncCommit ? [ASYNC_COMMIT, { text: 'COMMIT' }, FLUSH_WAL] : [{ text: 'COMMIT' }];
    // The writes and the audit entry in one statement, which answers how many entries it wrote (0 or 1).
    const before = audit
      ? [fold([...plain, audit.statement], `(SELECT count(*) FROM w${plain.length})::int AS audited`)]
      : plain.length
        ? [fold(plain, 'NULL')]
        : [];
    try {
      const results = await this.send([...before, ...numbered, ...commit]);
      this.ended = true;
      audit?.settle(Number(results[0].rows[0]?.audited) > 0);
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

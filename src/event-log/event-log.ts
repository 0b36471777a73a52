// Writing the event stream (SPEC §13, §24). Writers take no lock while they work: events are inserted with a
// provisional sequence (≥ EVENT_STAGE, invisible to everyone else until commit) and get their final one inside the
// COMMIT, when the deferred constraint trigger of migration EventsNumberedInCommit calls `number_events(first)`,
// which takes the event-sequence lock — the last lock of the transaction, held for one UPDATE and the commit record
// (on PostgreSQL 17+ not its flush: durable-commit.ts), never across a round trip to the API. Final sequences are
// therefore handed out in commit order: a reader that has seen sequence N never later finds a committed event ≤ N.
// The lock is never held while waiting for another lock (its holder only renumbers its own rows), so it cannot take
// part in a deadlock. A long transaction writing thousands of events (the close) numbers them as it writes them
// instead (numberEventsFromNow), holding the lock for its last steps; the hot two-round-trip writers take it in
// their commit batch and insert final sequences (write-transaction.ts), so they are not renumbered either.
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { eventActor } from '../shared/acting';
import type { Sql, SqlExpression } from '../shared/sql-batch';
import { ASYNC_COMMIT, asyncCommitsOf, FLUSH_WAL } from './durable-commit';
import type { EventType } from './event.entity';

/** The advisory lock number_events() takes (kept here for reference; the SQL function has it inline). */
export const EVENT_SEQUENCE_LOCK = 7_262_001;
/** Provisional sequences are EVENT_STAGE + n; every final (committed) sequence is below it. */
export const EVENT_STAGE = 4_611_686_018_427_387_904n; // 2^62

export interface NewEvent {
  partnerId: string;
  type: EventType;
  entityId: string;
  status?: string | null;
  occurredAt: Date;
}

/** A ledger entry returned to a caller: its provisional sequence is replaced by the final one after commit. */
export interface SequenceHolder {
  id: string;
  sequence: string;
}

/** Ledger entries holding a provisional sequence, per transaction: eventTransaction reads their final one after commit. */
const holders = new WeakMap<QueryRunner, SequenceHolder[]>();

/** Where an INSERT of events takes their sequences from. */
export type SequenceSource =
  /** Final ones given by the caller, in order: drawn in the same statement under the event-sequence lock (write-transaction.ts). */
  | { given: readonly SqlExpression[] }
  /** Provisional ones reserved by the INSERT itself. */
  | 'provisional'
  /** Final ones, by a transaction that holds the event-sequence lock (numberEventsFromNow). */
  | 'final';

/** The INSERT of events (SPEC §13) with their actor (SPEC §20), in order, their sequences from `source`. */
export function insertEventsStatement(events: NewEvent[], source: SequenceSource): Sql {
  const actor = eventActor(events[0]); // who caused them, from the request or scheduler run in progress
  const sequence =
    source === 'final' ? `nextval('event_sequence')` : source === 'provisional' ? `${EVENT_STAGE} + nextval('event_staging_sequence')` : 'e.sequence';
  return {
    text: `INSERT INTO events (sequence, partner_id, type, entity_id, status, occurred_at, actor_kind, actor_token_id)
     SELECT ${sequence}, e.partner_id, e.type, e.entity_id, e.status, e.occurred_at, $7, $8::uuid
       FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
            WITH ORDINALITY AS e(sequence, partner_id, type, entity_id, status, occurred_at, ord)
      ORDER BY e.ord`,
    values: [
      typeof source === 'object' ? source.given : events.map(() => null),
      events.map((e) => e.partnerId),
      events.map((e) => e.type),
      events.map((e) => e.entityId),
      events.map((e) => e.status ?? null),
      events.map((e) => e.occurredAt),
      actor.kind,
      actor.tokenId,
    ],
  };
}

/** Transactions that hold the event-sequence lock and insert final sequences (numberEventsFromNow). */
const numbering = new WeakSet<QueryRunner>();

/**
 * Appends events in the caller's transaction and returns their sequences, in order: PROVISIONAL ones (final at
 * commit), or final ones after numberEventsFromNow. Use them to link rows of the same transaction (ledger entries);
 * `trackSequence` a ledger entry to have its `sequence` replaced by the final one when eventTransaction has
 * committed. Any transaction may call this: a deferred trigger numbers the events inside COMMIT.
 */
export async function appendEvents(manager: EntityManager, events: NewEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const final = manager.queryRunner !== undefined && numbering.has(manager.queryRunner);
  const insert = insertEventsStatement(events, final ? 'final' : 'provisional');
  // The NOTIFY in the same statement (one round trip): sequences grow in insertion order, provisional or final.
  const rows: { sequence: string }[] = await manager.query(
    `WITH inserted AS (${insert.text}\n     RETURNING sequence), woken AS (SELECT pg_notify('events', ''))
     SELECT inserted.sequence FROM inserted, woken ORDER BY inserted.sequence`,
    insert.values as unknown[],
  );
  return rows.map((r) => r.sequence);
}

/**
 * For a long transaction whose last steps write most of its events (the month close: thousands): takes the
 * event-sequence lock NOW, numbers the events it has appended so far, and has its later appendEvents insert final
 * sequences — so its COMMIT renumbers nothing (renumbering thousands of rows, with their ledger entries and foreign
 * keys, under the lock held every other writer for a few hundred milliseconds). The lock is held from here to the
 * end of the transaction: call it once every other lock the rest of the transaction takes is held (the lock order
 * of src/shared/locks.ts), and only for the transaction's last steps.
 */
export async function numberEventsFromNow(manager: EntityManager): Promise<void> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('numberEventsFromNow needs a transaction');
  // One round trip (two statements of the simple protocol): number_events takes the lock only if there are events.
  await manager.query(`SELECT pg_advisory_xact_lock(${EVENT_SEQUENCE_LOCK}); SELECT count(*) FROM number_events(${EVENT_STAGE})`);
  numbering.add(runner);
}

export async function appendEvent(manager: EntityManager, event: NewEvent): Promise<string> {
  const [sequence] = await appendEvents(manager, [event]);
  return sequence;
}

/** Has eventTransaction replace a ledger entry's provisional `sequence` by its final one once committed. */
export function trackSequence(manager: EntityManager, holder: SequenceHolder): void {
  const runner = manager.queryRunner;
  if (!runner) return;
  let list = holders.get(runner);
  if (!list) holders.set(runner, (list = []));
  list.push(holder);
}

/** The final sequences of committed ledger entries (numbered inside their COMMIT), read by id. */
async function finalSequences(ds: DataSource, list: SequenceHolder[]): Promise<void> {
  const rows: { id: string; sequence: string }[] = await ds.query('SELECT id::text, sequence::text FROM ledger_entries WHERE id = ANY($1::uuid[])', [
    list.map((h) => h.id),
  ]);
  const finals = new Map(rows.map((r) => [r.id, r.sequence]));
  for (const holder of list) holder.sequence = finals.get(holder.id) ?? holder.sequence;
}

const DEADLOCK = '40P01';
const ATTEMPTS = 3;

/**
 * A transaction that writes events. `run` takes whatever row and advisory locks it needs, in the order documented
 * by each module (partner row first, then what belongs to the partner, balance locks last); the event-sequence
 * lock comes after all of them, inside COMMIT. Tracked ledger entries get their final sequences once committed.
 * Should PostgreSQL report a deadlock (it aborts one side), the whole transaction is retried — it changed
 * nothing — a bounded number of times. On PostgreSQL 17+ the COMMIT does not wait for its flush under the
 * event-sequence lock; the flush follows it, before this returns (durable-commit.ts).
 */
export async function eventTransaction<T>(ds: DataSource, run: (manager: EntityManager) => Promise<T>): Promise<T> {
  const asyncCommit = await asyncCommitsOf(ds);
  for (let attempt = 1; ; attempt++) {
    try {
      let tracked: SequenceHolder[] = [];
      const result = await ds.transaction(async (manager) => {
        const runner = manager.queryRunner;
        if (runner) {
          holders.delete(runner);
          numbering.delete(runner); // a query runner serves one transaction after another
        }
        const value = await run(manager);
        tracked = (runner && holders.get(runner)) || [];
        if (asyncCommit) await manager.query(ASYNC_COMMIT.text);
        return value;
      });
      if (asyncCommit) await ds.query(FLUSH_WAL.text);
      if (tracked.length) await finalSequences(ds, tracked);
      return result;
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK || attempt >= ATTEMPTS) throw error;
    }
  }
}

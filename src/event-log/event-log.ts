// Writing the event stream (SPEC §13, §24). Writers take no lock while they work: events are inserted with a
// provisional sequence (≥ EVENT_STAGE, invisible to everyone else until commit) and get their final one right before
// commit, when `number_events()` (migration EventsNumberedAtCommit) takes the event-sequence lock — the last lock of
// the transaction, held only for one UPDATE and the COMMIT. Final sequences are therefore handed out in commit order:
// a reader that has seen sequence N never later finds a committed event ≤ N. The lock is never held while waiting
// for another lock (its holder only renumbers its own rows), so it cannot take part in a deadlock.
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { eventActor } from '../shared/acting';
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

/** Objects holding a provisional sequence, per transaction: eventTransaction sets their final one before commit. */
const holders = new WeakMap<QueryRunner, { sequence: string }[]>();

/**
 * Appends events in the caller's transaction and returns their PROVISIONAL sequences (in order; final at commit).
 * Use them to link rows of the same transaction (ledger entries); `trackSequence` an object to have its
 * `sequence` replaced by the final one when eventTransaction commits. Any transaction may call this: outside
 * eventTransaction a deferred trigger numbers the events at commit.
 */
export async function appendEvents(manager: EntityManager, events: NewEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const actor = eventActor(events[0]); // who caused them (SPEC §20), from the request or scheduler run in progress
  const rows: { sequence: string }[] = await manager.query(
    `INSERT INTO events (sequence, partner_id, type, entity_id, status, occurred_at, actor_kind, actor_token_id)
     SELECT ${EVENT_STAGE} + nextval('event_staging_sequence'), e.partner_id, e.type, e.entity_id, e.status, e.occurred_at, $6, $7::uuid
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
            WITH ORDINALITY AS e(partner_id, type, entity_id, status, occurred_at, ord)
      ORDER BY e.ord
     RETURNING sequence`,
    [
      events.map((e) => e.partnerId),
      events.map((e) => e.type),
      events.map((e) => e.entityId),
      events.map((e) => e.status ?? null),
      events.map((e) => e.occurredAt),
      actor.kind,
      actor.tokenId,
    ],
  );
  await manager.query(`SELECT pg_notify('events', '')`);
  return rows.map((r) => r.sequence);
}

export async function appendEvent(manager: EntityManager, event: NewEvent): Promise<string> {
  const [sequence] = await appendEvents(manager, [event]);
  return sequence;
}

/** Has eventTransaction replace `holder.sequence` (a provisional sequence) by the final one before it returns. */
export function trackSequence(manager: EntityManager, holder: { sequence: string }): void {
  const runner = manager.queryRunner;
  if (!runner) return;
  let list = holders.get(runner);
  if (!list) holders.set(runner, (list = []));
  list.push(holder);
}

/** Gives this transaction's events their final sequences now (takes the event-sequence lock until commit). */
async function numberEvents(manager: EntityManager): Promise<void> {
  const rows: { staged: string; final: string }[] = await manager.query('SELECT staged::text, final::text FROM number_events()');
  const list = manager.queryRunner ? holders.get(manager.queryRunner) : undefined;
  if (!list?.length) return;
  const finals = new Map(rows.map((r) => [r.staged, r.final]));
  for (const holder of list) holder.sequence = finals.get(holder.sequence) ?? holder.sequence;
}

const DEADLOCK = '40P01';
const ATTEMPTS = 3;

/**
 * A transaction that writes events. `run` takes whatever row and advisory locks it needs, in the order documented
 * by each module (partner row first, then what belongs to the partner, balance locks last); the event-sequence
 * lock comes after all of them, right before commit. Should PostgreSQL still report a deadlock (it aborts one
 * side), the whole transaction is retried — it changed nothing — a bounded number of times.
 */
export async function eventTransaction<T>(ds: DataSource, run: (manager: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction(async (manager) => {
        if (manager.queryRunner) holders.delete(manager.queryRunner);
        const result = await run(manager);
        await numberEvents(manager);
        return result;
      });
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK || attempt >= ATTEMPTS) throw error;
    }
  }
}

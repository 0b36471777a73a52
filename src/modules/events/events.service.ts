import type { DataSource, EntityManager } from 'typeorm';
import { eventActor } from '../audit/acting';
import type { EventType } from './event.entity';

/** Held from the first event a transaction writes until it commits: sequences then become visible in order. */
export const EVENT_SEQUENCE_LOCK = 7_262_001;

export interface NewEvent {
  partnerId: string;
  type: EventType;
  entityId: string;
  status?: string | null;
  occurredAt: Date;
}

/**
 * Appends events in the caller's transaction and returns their sequences. The advisory lock serialises writers
 * from their first event to their commit, so a reader that has seen sequence N will never later find a smaller one.
 */
export async function appendEvents(manager: EntityManager, events: NewEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  await manager.query('SELECT pg_advisory_xact_lock($1)', [EVENT_SEQUENCE_LOCK]);
  const actor = eventActor(events[0]); // who caused them (SPEC §20), from the request or scheduler run in progress
  const rows: { sequence: string }[] = await manager.query(
    `INSERT INTO events (sequence, partner_id, type, entity_id, status, occurred_at, actor_kind, actor_token_id)
     SELECT nextval('event_sequence'), e.partner_id, e.type, e.entity_id, e.status, e.occurred_at, $6, $7::uuid
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

/**
 * Takes the event-sequence lock now rather than at the first event. A transaction that will lock rows which other
 * event writers lock *after* their first event (deals, projects and presale requests: the subaccount link hooks and
 * the partner exit handlers run after their own event) takes it first, so every writer acquires the two in one order
 * and they cannot deadlock.
 */
export async function holdEventLock(manager: EntityManager): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1)', [EVENT_SEQUENCE_LOCK]);
}

export async function appendEvent(manager: EntityManager, event: NewEvent): Promise<string> {
  const [sequence] = await appendEvents(manager, [event]);
  return sequence;
}

/**
 * A transaction that writes events. It takes the event-sequence lock before anything else, so every event-writing
 * transaction acquires its locks in the same order (event lock first) and two of them can never deadlock; the price
 * is that event writers commit one at a time, each holding the lock for its own (short) transaction.
 */
export function eventTransaction<T>(ds: DataSource, run: (manager: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction(async (manager) => {
    await holdEventLock(manager);
    return run(manager);
  });
}

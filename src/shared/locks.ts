// Transaction-scoped PostgreSQL advisory locks, all in the two-key form (space, key): one enum of spaces, so no two
// kinds of lock can share a key, and a text key is hashed in SQL (hashtext) within its own space.
//
// Lock order — a transaction takes the locks it needs in this order, never the other way round, so two
// transactions cannot deadlock on them:
//   1. CsvImport               one CSV import at a time
//   2. WithdrawalIdempotency   (partner, idempotency key) of a withdrawal, before anything else it touches
//   3. the partner row         SELECT … FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE, then what belongs to the partner
//   4. key locks               PartnerInn, BillingAccount, DealInn, ProjectScope, WebhookEndpoints: an identity or a
//                              count about to be claimed
//                              (several in one transaction in the order its module documents)
//   5. MonthClose              exclusive for closeBillingMonth; shared by every writer of a month's data
//                              (consumption, BONUS withdrawals), so a month cannot close under them
//   6. PartnerBalance          per partner, several sorted by partner id (the ledger's running balances)
//   7. EventSequence           last: the hot writers' events statement right before COMMIT (write-transaction.ts), or
//                              inside COMMIT (number_events(), a deferred trigger), in the one-key form
//                              pg_advisory_xact_lock(7262001) — one-key and two-key locks never collide
// A deadlock PostgreSQL still detects makes eventTransaction retry the whole transaction.

import type { Sql } from './sql-batch';

export enum LockSpace {
  /** Reserved: the event-sequence lock taken by number_events() in SQL (one-key form, see the lock order above). */
  EventSequence = 7_262_001,
  /** Held shared by ingestion and exclusively by the month close, so no record lands in a month being closed. */
  MonthClose = 7_262_002,
  /** Serialises CSV imports: two imports replacing the same pairs at once could otherwise both keep their rows. */
  CsvImport = 7_262_003,
  PartnerInn = 7_262_010,
  BillingAccount = 7_262_011,
  DealInn = 7_262_012,
  ProjectScope = 7_262_013,
  PartnerBalance = 7_262_100,
  WithdrawalIdempotency = 7_262_200,
  /** Per partner ('provider' for the provider's own endpoints): the endpoint count limit cannot race. */
  WebhookEndpoints = 7_262_300,
}

/** A TypeORM EntityManager or a pg client: anything that runs a query in the transaction. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** The statement that holds the lock of `key` in `space` exclusively until the transaction ends. */
export function lockStatement(space: LockSpace, key = ''): Sql {
  return { text: 'SELECT pg_advisory_xact_lock($1, hashtext($2))', values: [space, key] };
}

/** The statement of the shared form: shared holders exclude an exclusive one, not each other. */
export function lockSharedStatement(space: LockSpace, key = ''): Sql {
  return { text: 'SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', values: [space, key] };
}

/** The statement of exclusive locks of several keys of one space, sorted; null for no key. */
export function lockEachStatement(space: LockSpace, keys: string[]): Sql | null {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return null;
  return { text: 'SELECT pg_advisory_xact_lock($1, hashtext(k)) FROM unnest($2::text[]) AS k ORDER BY k', values: [space, sorted] };
}

async function run(db: Queryable, statement: Sql | null): Promise<void> {
  if (statement) await db.query(statement.text, statement.values as unknown[]);
}

/** Holds the lock of `key` in `space` exclusively until the transaction ends; spaces without keys use the default. */
export async function lock(db: Queryable, space: LockSpace, key = ''): Promise<void> {
  await run(db, lockStatement(space, key));
}

/** The shared form of `lock`: shared holders exclude an exclusive one, not each other. */
export async function lockShared(db: Queryable, space: LockSpace, key = ''): Promise<void> {
  await run(db, lockSharedStatement(space, key));
}

/** Exclusive locks of several keys of one space, sorted, in one statement. */
export async function lockEach(db: Queryable, space: LockSpace, keys: string[]): Promise<void> {
  await run(db, lockEachStatement(space, keys));
}

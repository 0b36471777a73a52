// Commits that do not flush the WAL while they hold the event-sequence lock (SPEC §24).
//
// Every event writer is numbered inside its COMMIT under the event-sequence lock (event-log.ts), and PostgreSQL
// releases a transaction's locks only once its commit record is on disk — so with synchronous commits each writer's
// fsync ran under the lock, one after the other (the NOTIFY queue's commit lock serialises them the same way): the
// number of event writers committed per second was one over the disk's flush time, and a month close's COMMIT, with
// its megabytes of WAL, held every writer for its flush.
//
// On PostgreSQL 17+ an event writer commits with `synchronous_commit = off` — the commit record is written, the
// transaction is visible and its locks are released at once — and then, outside every lock, waits for the WAL to be
// flushed up to that point (`pg_logical_emit_message(..., flush => true)`, which flushes all WAL written before it)
// before it answers: its caller still hears of a commit only once it is durable, and concurrent writers' flushes
// share one fsync (group commit). Sequence order is still commit order: visibility and lock release still happen
// in the order of the commits under the lock.
//
// The one thing this changes is that another transaction may read a commit in the moment before it is durable. For
// the event stream that moment must not leak out (a subscriber that saw sequence N and then, after a crash, found N
// reused by another event would skip it), so the reads of the event stream flush too before they hand events on
// (src/modules/events/event-read.ts). Older servers, or a role without EXECUTE on the function: synchronous commits,
// as before.
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { Sql } from '../shared/sql-batch';

/** Before COMMIT: the commit does not wait for its flush (a session setting would outlive the transaction). */
export const ASYNC_COMMIT: Sql = { text: 'SET LOCAL synchronous_commit = off' };

/** After COMMIT: flushes the WAL written so far, this transaction's commit record included (a few bytes of its own). */
export const FLUSH_WAL: Sql = { text: `SELECT pg_logical_emit_message(false, 'durable-commit', '', true)` };

/** The same flush, skipped when the WAL is already flushed as far as it is written. */
export const FLUSH_WAL_IF_BEHIND: Sql = {
  text: `SELECT CASE WHEN pg_current_wal_flush_lsn() < pg_current_wal_insert_lsn() THEN pg_logical_emit_message(false, 'durable-commit', '', true) END`,
};

// to_regprocedure: NULL before 17 (no 4-argument form), where has_function_privilege of a name would raise instead.
const EMIT_WITH_FLUSH = `to_regprocedure('pg_catalog.pg_logical_emit_message(boolean, text, text, boolean)')`;
const SUPPORTED = `SELECT coalesce(has_function_privilege(${EMIT_WITH_FLUSH}, 'EXECUTE'), false) AS ok`;

type Ask = (sql: string) => Promise<{ ok: boolean }[]>;
const known = new WeakMap<object, Promise<boolean>>();

function supported(key: object, ask: Ask): Promise<boolean> {
  let answer = known.get(key);
  if (!answer) {
    answer = ask(SUPPORTED).then((rows) => rows[0]?.ok === true);
    answer.catch(() => known.delete(key)); // asked again next time
    known.set(key, answer);
  }
  return answer;
}

/** Whether commits on this pool may be asynchronous with a flush after them (PostgreSQL 17+ and the privilege). */
export function asyncCommits(pool: Pool): Promise<boolean> {
  return supported(pool, (sql) => pool.query(sql).then((r) => r.rows as { ok: boolean }[]));
}

/** asyncCommits for a TypeORM DataSource (its pool). */
export function asyncCommitsOf(ds: DataSource): Promise<boolean> {
  return asyncCommits((ds.driver as unknown as { master: Pool }).master);
}

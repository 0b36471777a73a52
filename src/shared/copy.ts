// Bulk writes with COPY ... FROM STDIN (text format) on the caller's connection, inside its transaction: the
// cheapest way for PostgreSQL to take many rows. A failure while the rows stream sends CopyFail, so the statement
// fails as a whole and the transaction rolls back.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Dec } from './money';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A text value in COPY text format (backslash, tab and line breaks escaped); null is \N. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value; // ids and codes: nothing to escape
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Exact decimal text of an amount ("0" for any zero); null is \N. */
export function copyNumeric(value: Dec | null): string {
  if (value === null) return '\\N';
  return value.isZero() ? '0' : value.toFixed();
}

/** One row of already formatted values (copyText / copyNumeric, or text that needs no escaping). */
export function copyRow(values: string[]): string {
  return values.join('\t') + '\n';
}

/** "\n"-terminated rows joined into chunks of about `chars` characters (one CopyData message each). */
export function* copyChunks(rows: Iterable<string>, chars = 64 * 1024): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += row;
    if (chunk.length >= chars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * Streams rows (each a chunk of one or more "\n"-terminated rows) into `table`. `bufferBytes` is how far the
 * producer may run ahead of PostgreSQL: rows wait in this buffer while the connection is still busy with earlier
 * statements queued on it.
 */
export async function copyInto(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<string> | AsyncIterable<string>,
  bufferBytes = 1024 * 1024,
): Promise<void> {
  const copy = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`, { highWaterMark: bufferBytes }));
  await pipeline(Readable.from(rows), copy);
}

/** The pg connection under a TypeORM manager that runs in a transaction (its query runner's connection). */
export function transactionClient(manager: { queryRunner?: unknown }): PoolClient {
  const client = (manager.queryRunner as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
  if (!client) throw new Error('A transaction (a query runner with a connection) is required here');
  return client;
}

// The write path sends values inlined as SQL literals (src/shared/sql-batch.ts, simple protocol). Hostile text must
// come back byte for byte, as a parameter of the extended protocol would, and never end a string or a statement.
import { Client } from 'pg';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchText, inline, literal } from '../../src/shared/sql-batch';
import { setupTestApp, type TestApp } from '../support/test-app';

const HOSTILE = [
  "'",
  "''",
  '\\',
  "\\'",
  "'; DROP TABLE partners; --",
  "x'); DELETE FROM ledger_entries; SELECT ('",
  '$1 $2 $$ $body$',
  "E'\\x41'",
  'line\nbreak\r\ttab',
  '“Кавычки” — ООО «Ромашка» 🚀',
  '\\\\server\\share',
  '/* unterminated comment',
];

let t: TestApp;
let client: Client;
beforeAll(async () => {
  t = await setupTestApp();
  client = new Client({ connectionString: t.databaseUrl });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await t.close();
});

/** Each value through the simple protocol (inlined, all in one batch) and through the extended protocol (a parameter). */
async function roundTrip(values: string[]): Promise<{ simple: unknown[]; extended: unknown[] }> {
  const statement = 'SELECT $1::text AS v';
  const results = (await client.query(batchText(values.map((v) => ({ text: statement, values: [v] }))))) as unknown as { rows: { v: unknown }[] }[];
  const simple = results.map((r) => r.rows[0].v);
  const extended: unknown[] = [];
  for (const v of values) extended.push((await client.query<{ v: unknown }>(statement, [v])).rows[0].v);
  return { simple, extended };
}

describe('SQL literals of the one-round-trip write path', () => {
  it('hostile text comes back exactly as sent, as a parameter would, and runs nothing', async () => {
    const { simple, extended } = await roundTrip(HOSTILE);
    expect(simple).toEqual(HOSTILE);
    expect(extended).toEqual(HOSTILE);
    const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_tables WHERE tablename IN ('partners', 'ledger_entries')");
    expect(rows[0].n).toBe('2');
  });

  it('holds when the session has standard_conforming_strings off (backslashes are escaped, not trusted)', async () => {
    await client.query('SET standard_conforming_strings = off');
    try {
      expect((await roundTrip(HOSTILE)).simple).toEqual(HOSTILE);
    } finally {
      await client.query('SET standard_conforming_strings = on');
    }
  });

  it('numbers, money, dates, arrays, JSON and NULL keep their value; placeholders inside values are not re-read', async () => {
    const at = new Date('2026-11-30T23:59:59.123Z');
    const text = inline({
      text: 'SELECT $1::numeric AS money, $2::timestamptz AS at, $3::text[] AS list, $4::jsonb AS doc, $5::text AS none, $6::text AS dollar, $7::int AS n',
      values: [new Decimal('12345678901234567890.123456789'), at, ["a'b", '$2'], { note: "it's $1" }, null, '$3', 42],
    });
    const { rows } = await client.query(text);
    expect(rows[0]).toEqual({ money: '12345678901234567890.123456789', at, list: ["a'b", '$2'], doc: { note: "it's $1" }, none: null, dollar: '$3', n: 42 });
  });

  it('refuses what has no exact literal: non-finite numbers, invalid dates, a placeholder without a value', () => {
    expect(() => literal(Number.NaN)).toThrow(/finite/);
    expect(() => literal(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => literal(new Date('nope'))).toThrow(/Invalid date/);
    expect(() => literal(Symbol('x'))).toThrow(/No SQL literal/);
    expect(() => inline({ text: 'SELECT $2', values: ['only one'] })).toThrow(/\$2 has no value/);
  });
});

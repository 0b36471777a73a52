// Several SQL statements in one round trip. PostgreSQL's simple query protocol runs a string of statements separated
// by semicolons in order, each with its own snapshot (READ COMMITTED), and answers them together: a transaction that
// takes a lock in one statement and reads what the lock protects in the next costs one round trip, not two. The
// simple protocol has no parameters, so values are written into the text as literals — quoted by pg's escapeLiteral,
// the same text the extended protocol would send as a parameter; a statement's text must hold no `$n` of its own
// (inside a string or a dollar-quoted body) and must cast any value whose type the context does not give.
import { escapeLiteral } from 'pg';
import Decimal from 'decimal.js';

/** One statement: its text with $1…$n placeholders and their values. */
export interface Sql {
  text: string;
  values?: readonly unknown[];
}

/**
 * SQL text that stands where a value would, written into the statement as it is (inline only; never outside input):
 * e.g. a sequence drawn by another part of the same statement.
 */
export class SqlExpression {
  constructor(readonly text: string) {}
}

/** A value as an SQL literal (NULL, a quoted string, ARRAY[…]); objects other than dates and decimals become JSON. */
export function literal(value: unknown): string {
  if (value instanceof SqlExpression) return value.text;
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return escapeLiteral(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return escapeLiteral(value.toString());
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Not a finite number: ${value}`);
    return escapeLiteral(String(value));
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('Invalid date');
    return escapeLiteral(value.toISOString());
  }
  if (Decimal.isDecimal(value)) return escapeLiteral((value as Decimal).toFixed());
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') return escapeLiteral(JSON.stringify(value));
  throw new TypeError(`No SQL literal for a ${typeof value}`);
}

/** The statement with its placeholders replaced by literals (a statement without values is taken as it is). */
export function inline(statement: Sql): string {
  const values = statement.values;
  if (!values) return statement.text;
  return statement.text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= values.length) throw new Error(`SQL placeholder $${n} has no value`);
    return literal(values[index]);
  });
}

/** The statements as one simple-protocol query string. */
export function batchText(statements: readonly Sql[]): string {
  return statements.map(inline).join(';\n');
}

// Keyset pages in plain SQL (SqlReader), for the connections on hot read paths. Same cursors and order as
// paginate() in pagination.ts, but one named statement per page in the usual case:
//   - the statement's text depends only on which arguments are present (cursor or not, totalCount asked for or
//     not), never on their values: each such variant is its own prepared statement, and the page size is a parameter;
//   - totalCount, when selected, is folded into the page statement (a window count on a first page, a scalar
//     subquery after a cursor), and so is whether items lie beyond the starting cursor;
//   - `joins` may bring in what the node's selection needs (e.g. a related row), in the same statement.
import { pageWindow, toConnection, type Connection, type CursorCast, type PageArgsInput, type PageWindow } from './pagination';
import { statement, type SqlReader, type Statement } from './sql';

export interface SqlPageSpec<T> {
  /** Statement family name, e.g. 'customers.ofPartner'; variants get a suffix. */
  name: string;
  /** Select list of the node (and of joined rows). */
  select: string;
  /** The listed table with its alias, e.g. 'customers c'. */
  table: string;
  /** Extra joins for the node's selection (not used by the counts). */
  joins?: string;
  /** Filters on the table with $1..$n placeholders (the `params` of sqlPage). */
  where: string;
  /** The two SQL expressions of the order (the second unique), and their cursor casts. */
  keys: [string, string];
  casts: [CursorCast, CursorCast];
  read(row: T): [string, string];
  /** Row keys holding timestamps (read back from json as text by foldPage). */
  instants?: string[];
  /** Turns a raw row into the node (e.g. numeric text into Decimal); the row itself by default. */
  map?(row: Record<string, unknown>): T;
}

interface Variant {
  page: Statement;
  counts: Statement;
}

const variants = new Map<string, Variant>();

function variantOf<T>(spec: SqlPageSpec<T>, paramCount: number, window: PageWindow, withTotal: boolean): Variant {
  const flags = `${window.backward ? 'b' : 'f'}${window.after ? 'A' : ''}${window.before ? 'B' : ''}${withTotal ? 'T' : ''}`;
  const key = `${spec.name}:${flags}`;
  const known = variants.get(key);
  if (known) return known;
  let n = paramCount;
  const tuple = `(${spec.keys[0]}, ${spec.keys[1]}::text)`;
  const bound = (first: number) => `($${first}::${spec.casts[0]}, $${first + 1}::${spec.casts[1]})`;
  const afterAt = window.after ? ((n += 2), n - 1) : 0;
  const beforeAt = window.before ? ((n += 2), n - 1) : 0;
  const after = afterAt ? ` AND ${tuple} > ${bound(afterAt)}` : '';
  const before = beforeAt ? ` AND ${tuple} < ${bound(beforeAt)}` : '';
  // Items on the far side of the cursor the page starts from (for hasPreviousPage, or hasNextPage going backwards).
  const startAt = window.backward ? beforeAt : afterAt;
  const beyond = startAt ? `EXISTS (SELECT 1 FROM ${spec.table} WHERE ${spec.where} AND ${tuple} ${window.backward ? '>=' : '<='} ${bound(startAt)})` : 'false';
  const total = !withTotal ? 'NULL::bigint' : after || before ? `(SELECT count(*) FROM ${spec.table} WHERE ${spec.where})` : 'count(*) OVER ()';
  const direction = window.backward ? 'DESC' : 'ASC';
  const limit = `$${n + 1}`;
  const page = statement(
    `${key}`,
    `SELECT ${spec.select}, ${total} AS "__total", ${beyond} AS "__beyond"
       FROM ${spec.table} ${spec.joins ?? ''} WHERE ${spec.where}${after}${before}
      ORDER BY ${spec.keys[0]} ${direction}, ${spec.keys[1]} ${direction} LIMIT ${limit}`,
  );
  const counts = statement(`${key}:counts`, `SELECT count(*) AS "__total", ${beyond} AS "__beyond" FROM ${spec.table} WHERE ${spec.where}`);
  const variant = { page, counts };
  variants.set(key, variant);
  return variant;
}

type CountedRow = { __total: string | null; __beyond: boolean };

/**
 * One page of `spec` for the Relay arguments; `withTotal` when totalCount is selected. Usually one statement; a
 * second only for an empty page after a cursor with totalCount asked for (the counts ride on the page's rows).
 */
export async function sqlPage<T>(sql: SqlReader, spec: SqlPageSpec<T>, params: unknown[], args: PageArgsInput, withTotal: boolean): Promise<Connection<T>> {
  const window = pageWindow(args, spec.casts);
  const variant = variantOf(spec, params.length, window, withTotal);
  const values = [...params, ...(window.after ?? []), ...(window.before ?? []), window.size + 1];
  const raw = await sql.rows<Record<string, unknown> & CountedRow>(variant.page, values);
  let counts = raw[0] as CountedRow | undefined;
  if (!counts && (window.after || window.before)) {
    [counts] = await sql.rows<CountedRow>(variant.counts, values.slice(0, -1));
  }
  // A spec's map picks its own keys from the row; without one the node is the row less the counts.
  const rows = raw.map((row) => {
    if (spec.map) return spec.map(row);
    const { __total: _total, __beyond: _beyond, ...node } = row;
    return node as T;
  });
  return toConnection<T>(rows, window, spec.read, { totalCount: withTotal ? Number(counts?.__total ?? 0) : 0, beyondCursor: counts?.__beyond ?? false });
}

function withoutTotal(row: Record<string, unknown>): Record<string, unknown> {
  const { __total: _total, ...node } = row;
  return node;
}

/** One page folded into a parent's statement (e.g. a partner's subaccounts in the partner's read). */
export interface PageFold<T> {
  /** Statement-shape key of the fold (no values). */
  key: string;
  /** A json expression: the page's rows (with the total on each), `param` numbering this fold's values. */
  sql(param: (value: unknown) => string): string;
  /** The connection from the expression's json value. */
  decode(json: unknown): Connection<T>;
}

/**
 * `spec`'s first page (forward, no cursor) as a json expression for a parent's statement; `outer` are the SQL
 * expressions standing for the where clause's $1..$n (e.g. ['p.id']), `values` the fold's own parameters after
 * them. Null for any other window (after/before/last): the field then reads its page itself. Timestamps come back
 * as text in json: `instants` names the row keys that are turned back into Dates.
 */
export function foldPage<T>(spec: SqlPageSpec<T>, outer: string[], values: unknown[], args: PageArgsInput, withTotal: boolean): PageFold<T> | null {
  if (args.after != null || args.before != null || args.last != null) return null;
  const window = pageWindow(args, spec.casts);
  return {
    key: `${spec.name}${withTotal ? 'T' : ''}`,
    sql(param) {
      const own = values.map((value) => param(value));
      const at = (k: number) => (k <= outer.length ? outer[k - 1] : own[k - outer.length - 1]);
      const where = spec.where.replace(/\$(\d+)/g, (_m, k: string) => at(Number(k)));
      const joins = (spec.joins ?? '').replace(/\$(\d+)/g, (_m, k: string) => at(Number(k)));
      const total = withTotal ? 'count(*) OVER ()' : 'NULL::bigint';
      return `(SELECT coalesce(json_agg(r), '[]'::json) FROM (SELECT ${spec.select}, ${total} AS "__total"
                 FROM ${spec.table} ${joins} WHERE ${where} ORDER BY ${spec.keys[0]}, ${spec.keys[1]} LIMIT ${param(window.size + 1)}) r)`;
    },
    decode(json) {
      const raw = json as (Record<string, unknown> & { __total: number | null })[];
      const rows = raw.map((row) => {
        // A spec's map picks its own keys; without one the node is the row less the total.
        const node: Record<string, unknown> = spec.map ? row : withoutTotal(row);
        for (const key of spec.instants ?? []) if (typeof node[key] === 'string') node[key] = new Date(node[key]);
        return spec.map ? spec.map(node) : (node as T);
      });
      return toConnection<T>(rows, window, spec.read, { totalCount: withTotal ? Number(raw[0]?.__total ?? 0) : 0, beyondCursor: false });
    },
  };
}

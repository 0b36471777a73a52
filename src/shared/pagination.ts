// Relay connections: `first` 1–100 (default 20), an opaque cursor, ordered by creation time then id.
import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badUserInput } from './errors';

@ObjectType('PageInfo')
export class PageInfo {
  @Field(() => Boolean) hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function ConnectionType<T extends object>(name: string, node: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String) cursor: string;
    @Field(() => node) node: T;
  }
  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    @Field(() => [Edge]) edges: Edge[];
    @Field(() => PageInfo) pageInfo: PageInfo;
    @Field(() => Int) totalCount: number;
  }
  return ConnectionClass;
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export function pageSize(first: number | null | undefined): number {
  if (first == null) return 20;
  if (!Number.isInteger(first) || first < 1 || first > 100) throw badUserInput('first must be between 1 and 100');
  return first;
}

/** What each cursor part must look like before it is cast in SQL. */
const CURSOR_PART: Record<string, (part: string) => boolean> = {
  timestamptz: (part) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(part) && !Number.isNaN(Date.parse(part)),
  bigint: (part) => /^\d{1,19}$/.test(part),
  text: (part) => part.length <= 200,
  uuid: (part) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(part),
};

function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(cursor: string, size: number): string[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === size && parts.every((p) => typeof p === 'string')) return parts;
  } catch {
    // fall through
  }
  throw badUserInput('after is not a cursor this API issued');
}

/**
 * Keyset pagination over (created_at, id) — or any two ordered columns — of a query builder whose filters are set.
 * `keys` name the SQL expressions and how to read them from a row.
 */
export async function paginate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  args: PageArgs,
  keys: { sql: [string, string]; read: (row: T) => [string, string]; cast?: [string, string] } = {
    sql: [`${qb.alias}.createdAt`, `${qb.alias}.id`],
    read: (row) => [(row.createdAt as Date).toISOString(), String(row.id)],
    cast: ['timestamptz', 'text'],
  },
): Promise<Connection<T>> {
  const size = pageSize(args.first);
  const totalCount = await qb.clone().getCount();
  const page = qb.clone();
  if (args.after != null) {
    const [a, b] = decodeCursor(args.after, 2);
    const [castA, castB] = keys.cast ?? ['text', 'text'];
    if (!CURSOR_PART[castA](a) || !CURSOR_PART[castB](b)) throw badUserInput('after is not a cursor this API issued');
    page.andWhere(`(${keys.sql[0]}, ${keys.sql[1]}::text) > (CAST(:cursorA AS ${castA}), CAST(:cursorB AS ${castB}))`, { cursorA: a, cursorB: b });
  }
  page.orderBy(keys.sql[0], 'ASC').addOrderBy(keys.sql[1], 'ASC').take(size + 1);
  const rows = await page.getMany();
  const hasNextPage = rows.length > size;
  const edges = rows.slice(0, size).map((node) => ({ cursor: encodeCursor(keys.read(node)), node }));
  return { edges, totalCount, pageInfo: { hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null } };
}

// Hand-written SQL pages (see sql-page.ts). The same shape as issue 14's pagination (pageWindow + toConnection);
// on merge its versions replace these.
export type CursorCast = 'timestamptz' | 'bigint' | 'text' | 'uuid';
export type PageArgsInput = PageArgs & { last?: number | null; before?: string | null };

/** A validated page request: how many rows, which direction, and the decoded cursor bounds (exclusive). */
export interface PageWindow {
  size: number;
  backward: boolean;
  after: string[] | null;
  before: string[] | null;
}

function decodeCursorParts(name: string, cursor: string, casts: CursorCast[]): string[] {
  const parts = decodeCursor(cursor, casts.length);
  if (!parts.every((part, i) => CURSOR_PART[casts[i]](part))) throw badUserInput(`${name} is not a cursor this API issued`);
  return parts;
}

export function pageWindow(args: PageArgsInput, casts: CursorCast[]): PageWindow {
  if (args.first != null && args.last != null) throw badUserInput('give first or last, not both');
  const backward = args.last != null;
  const size = backward ? pageSize(args.last) : pageSize(args.first);
  const after = args.after != null ? decodeCursorParts('after', args.after, casts) : null;
  const before = args.before != null ? decodeCursorParts('before', args.before, casts) : null;
  return { size, backward, after, before };
}

export function toConnection<T>(rows: T[], window: PageWindow, read: (row: T) => string[], counts: { totalCount: number; beyondCursor: boolean }): Connection<T> {
  const more = rows.length > window.size;
  const page = rows.slice(0, window.size);
  if (window.backward) page.reverse();
  const edges = page.map((node) => ({ cursor: encodeCursor(read(node)), node }));
  const pageInfo = {
    hasNextPage: window.backward ? counts.beyondCursor : more,
    hasPreviousPage: window.backward ? more : counts.beyondCursor,
    startCursor: edges.length ? edges[0].cursor : null,
    endCursor: edges.length ? edges[edges.length - 1].cursor : null,
  };
  return { edges, pageInfo, totalCount: counts.totalCount };
}

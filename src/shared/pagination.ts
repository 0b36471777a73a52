// Relay connections (SPEC §9, §23): `first`/`after` forwards, `last`/`before` backwards, 1–100 items (default:
// the first 20), opaque cursors, a stable order on two keys (creation time then id unless a module says otherwise).
//
// Three layers, use the highest that fits:
//   paginate(qb, args, keys?)             TypeORM query builder with its filters set → Connection (does everything).
//   pageWindow(args, casts) + toConnection(rows, window, read, counts)
//                                         for hand-written SQL: pageWindow validates the arguments and decodes the
//                                         cursors; you fetch `window.size + 1` rows in `window.backward ? DESC : ASC`
//                                         order of the keys, keeping key > window.after and key < window.before;
//                                         toConnection turns those rows into edges and page info.
//   PageArgs                              the four arguments; extend it in a module's @ArgsType.
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badUserInput } from './errors';

@ObjectType('PageInfo', { description: 'Where a page sits in its list (Relay cursor connections).', simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean, { description: 'True when items follow the last edge of this page (ask again with `after: endCursor`).' })
  hasNextPage: boolean;
  @Field(() => Boolean, { description: 'True when items precede the first edge of this page (ask again with `before: startCursor`).' })
  hasPreviousPage: boolean;
  @Field(() => String, { nullable: true, description: 'Cursor of the first edge; null on an empty page.' })
  startCursor: string | null;
  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; null on an empty page.' })
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { readonly cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** An edge of a page: its cursor is encoded when first read (most pages never select their edges' cursors). */
export class Edge<T> {
  private encoded: string | undefined;

  constructor(
    readonly node: T,
    private readonly keys: () => string[],
  ) {}

  get cursor(): string {
    return (this.encoded ??= encodeCursor(this.keys()));
  }

  /** The same edge (same cursor, still encoded only when read) with another node. */
  withNode<U>(node: U): Edge<U> {
    const edge = new Edge(node, this.keys);
    edge.encoded = this.encoded;
    return edge;
  }
}

/** An edge of a connection with another node (e.g. a row's entity instead of the row), its cursor unchanged. */
export function withNode<T, U>(edge: Connection<T>['edges'][number], node: U): Connection<U>['edges'][number] {
  return edge instanceof Edge ? (edge as Edge<T>).withNode(node) : { cursor: edge.cursor, node };
}

/** Builds `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function ConnectionType<T extends object>(name: string, node: ClassType<T>, what = `${name} items`) {
  @ObjectType(`${name}Edge`, { description: `One of the ${what} with its cursor.`, simpleResolvers: true })
  class Edge {
    @Field(() => String, { description: 'Opaque position of this item; pass it as `after` or `before`.' }) cursor: string;
    @Field(() => node, { description: 'The item.' }) node: T;
  }
  @ObjectType(`${name}Connection`, { description: `A page of ${what} (Relay cursor connection).`, simpleResolvers: true })
  class ConnectionClass {
    @Field(() => [Edge], { description: 'The items of this page, in list order.' }) edges: Edge[];
    @Field(() => PageInfo, { description: 'Cursors and whether more items lie on either side of this page.' }) pageInfo: PageInfo;
    @Field(() => Int, { description: 'How many items the whole list has (every page, the filters applied).' }) totalCount: number;
  }
  return ConnectionClass;
}

/** The four Relay arguments; a module's @ArgsType extends this class and adds its filters. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size counted from the start (or from `after`): 1–100, default 20.' })
  first?: number | null;
  @Field(() => String, { nullable: true, description: 'Only items after this cursor (an `endCursor` or edge cursor).' })
  after?: string | null;
  @Field(() => Int, { nullable: true, description: 'Page size counted back from the end (or from `before`): 1–100; not with `first`.' })
  last?: number | null;
  @Field(() => String, { nullable: true, description: 'Only items before this cursor (a `startCursor` or edge cursor).' })
  before?: string | null;
}

export type PageArgsInput = Pick<PageArgs, 'first' | 'after' | 'last' | 'before'>;

function checkSize(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 100) throw badUserInput(`${name} must be between 1 and 100`);
  return value;
}

/** `first` as a page size (1–100, default 20). */
export function pageSize(first: number | null | undefined): number {
  return first == null ? 20 : checkSize('first', first);
}

/** SQL type of a cursor part, and what the part must look like before it is cast in SQL. */
export type CursorCast = 'timestamptz' | 'bigint' | 'text' | 'uuid';
const CURSOR_PART: Record<CursorCast, (part: string) => boolean> = {
  timestamptz: (part) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(part) && !Number.isNaN(Date.parse(part)),
  bigint: (part) => /^\d{1,19}$/.test(part),
  text: (part) => part.length <= 200,
  uuid: (part) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(part),
};

export function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(name: string, cursor: string, casts: CursorCast[]): string[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (Array.isArray(parts) && parts.length === casts.length && parts.every((p, i) => typeof p === 'string' && CURSOR_PART[casts[i]](p))) {
    return parts as string[];
  }
  throw badUserInput(`${name} is not a cursor this API issued`);
}

/** A validated page request: how many rows, which direction, and the decoded cursor bounds (exclusive). */
export interface PageWindow {
  size: number;
  /** true for `last`: read in descending key order; toConnection puts the rows back in list order. */
  backward: boolean;
  after: string[] | null;
  before: string[] | null;
}

/** Validates the four arguments (BAD_USER_INPUT on a bad size, `first` with `last`, or a foreign cursor). */
export function pageWindow(args: PageArgsInput, casts: CursorCast[]): PageWindow {
  if (args.first != null && args.last != null) throw badUserInput('give first or last, not both');
  const backward = args.last != null;
  const size = backward ? checkSize('last', args.last as number) : pageSize(args.first);
  const after = args.after != null ? decodeCursor('after', args.after, casts) : null;
  const before = args.before != null ? decodeCursor('before', args.before, casts) : null;
  return { size, backward, after, before };
}

/**
 * Turns the rows of one page read into a connection. `rows` are as read: at most `size + 1`, in the window's
 * direction. `beyondCursor` says whether items exist on the far side of the cursor the reading started from
 * (≤ `after` going forwards, ≥ `before` going backwards); pass false when there is no such cursor.
 */
export function toConnection<T>(
  rows: T[],
  window: PageWindow,
  read: (row: T) => string[],
  counts: { totalCount: number; beyondCursor: boolean },
): Connection<T> {
  const more = rows.length > window.size;
  const page = rows.slice(0, window.size);
  if (window.backward) page.reverse();
  const edges = page.map((node) => new Edge(node, () => read(node)));
  const pageInfo = new EdgesPageInfo(window.backward ? counts.beyondCursor : more, window.backward ? more : counts.beyondCursor, edges);
  return { edges, pageInfo, totalCount: counts.totalCount };
}

/** A page's PageInfo whose start and end cursors are encoded only when read (like its edges' cursors). */
class EdgesPageInfo implements PageInfo {
  constructor(
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
    private readonly edges: readonly { readonly cursor: string }[],
  ) {}

  get startCursor(): string | null {
    return this.edges.length ? this.edges[0].cursor : null;
  }

  get endCursor(): string | null {
    return this.edges.length ? this.edges[this.edges.length - 1].cursor : null;
  }
}

export interface PageKeys<T> {
  /** The two SQL expressions the list is ordered by (the second must be unique, e.g. the id). */
  sql: [string, string];
  read: (row: T) => [string, string];
  cast?: [CursorCast, CursorCast];
}

/**
 * Keyset pagination over (created_at, id) — or any two ordered columns — of a query builder whose filters are set.
 * Two queries: one aggregate (totalCount and whether items lie beyond the starting cursor) and the page itself.
 */
export async function paginate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  args: PageArgsInput,
  keys: PageKeys<T> = {
    sql: [`${qb.alias}.createdAt`, `${qb.alias}.id`],
    read: (row) => [(row.createdAt as Date).toISOString(), String(row.id)],
    cast: ['timestamptz', 'text'],
  },
): Promise<Connection<T>> {
  const casts = keys.cast ?? ['text', 'text'];
  const window = pageWindow(args, casts);
  const tuple = `(${keys.sql[0]}, ${keys.sql[1]}::text)`;
  const bound = (name: string) => `(CAST(:${name}A AS ${casts[0]}), CAST(:${name}B AS ${casts[1]}))`;
  const params = (name: string, parts: string[] | null) => (parts ? { [`${name}A`]: parts[0], [`${name}B`]: parts[1] } : {});
  const start = window.backward ? window.before : window.after;
  const counts = qb.clone().orderBy().select('COUNT(*)', 'total');
  counts.addSelect(start ? `COUNT(*) FILTER (WHERE ${tuple} ${window.backward ? '>=' : '<='} ${bound('start')})` : '0', 'beyond');
  counts.setParameters(params('start', start));
  const page = qb.clone();
  if (window.after) page.andWhere(`${tuple} > ${bound('after')}`, params('after', window.after));
  if (window.before) page.andWhere(`${tuple} < ${bound('before')}`, params('before', window.before));
  const direction = window.backward ? 'DESC' : 'ASC';
  page
    .orderBy(keys.sql[0], direction)
    .addOrderBy(keys.sql[1], direction)
    .take(window.size + 1);
  const [aggregate, rows] = await Promise.all([counts.getRawOne<{ total: string; beyond: string }>(), page.getMany()]);
  return toConnection(rows, window, keys.read, {
    totalCount: Number(aggregate?.total ?? 0),
    beyondCursor: Number(aggregate?.beyond ?? 0) > 0,
  });
}

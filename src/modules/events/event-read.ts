// Reading the event table (SPEC §13): one query shape for the per-instance bus (all new events) and for the replay of a
// single subscription (one partner or all, one kind, a bounded range). LEDGER_ENTRY rows come with their ledger entry
// joined in the same query, so a wake-up is one round-trip whatever the mix of subscribers.
import type { DataSource } from 'typeorm';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import type { Actor } from '../audit/actor';
import { actorFromRow } from '../audit/actor';
import { LedgerEntryEntity } from '../rebates/ledger-entry.entity';
import type { EventType } from '../../event-log/event.entity';
import { asyncCommitsOf, FLUSH_WAL_IF_BEHIND } from '../../event-log/durable-commit';
import { EVENT_STAGE } from '../../event-log/event-log';

/** What a subscription streams: ledger entries (rebateAccruals) or status changes (partnerActivity). */
export type EventKind = 'ledger' | 'activity';

export const kindOf = (type: EventType): EventKind => (type === 'LEDGER_ENTRY' ? 'ledger' : 'activity');

/** One row of the event table as it travels to subscribers; also the root value of ActivityEvent. */
export interface StreamEvent {
  /** Numeric sequence for comparisons; `sequence` is the same number as the wire string. */
  seq: bigint;
  sequence: string;
  partnerId: string;
  type: EventType;
  entityId: string;
  status: string | null;
  occurredAt: Date;
  /** Who caused it (SPEC §20): a token, the scheduler, or the system (the month close run outside a request). */
  actor: Actor;
  /** For LEDGER_ENTRY: the ledger entry written with the event (null only if the row is missing). */
  ledgerEntry: LedgerEntryEntity | null;
}

export interface EventRange {
  /** Exclusive lower bound. */
  after: bigint;
  /** Inclusive upper bound, if any. */
  upTo?: bigint | null;
  partnerId?: string | null;
  kind?: EventKind | null;
  limit: number;
}

/** Something that runs a parameterised query and returns rows: a pg.Client or a TypeORM DataSource. */
export type Queryable = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

const LEDGER_PREFIX = 'l__';

/**
 * A page of events read in one statement that, once it has found rows, flushes the WAL before it answers: writers
 * commit asynchronously and flush after COMMIT (durable-commit.ts), so a commit may be visible a moment before it is
 * durable — every commit the statement's snapshot saw is written to the WAL before the flush, so none is handed on to
 * a subscriber or a webhook while a crash could still undo it.
 */
function durablePage(page: string): string {
  return `WITH page AS MATERIALIZED (${page}),
       flushed AS MATERIALIZED (SELECT (${FLUSH_WAL_IF_BEHIND.text.replace(/^SELECT /, '')}) AS flushed)
  SELECT page.* FROM page CROSS JOIN flushed ORDER BY page.sequence::bigint`;
}

/** Builds the SQL and the row → StreamEvent mapping once per DataSource (the ledger columns come from its metadata). */
export class EventReader {
  private readonly ledger: EntityMetadata;
  private readonly ledgerSelect: string;

  constructor(private readonly ds: DataSource) {
    this.ledger = ds.getMetadata(LedgerEntryEntity);
    this.ledgerSelect = this.ledger.columns.map((c) => `l."${c.databaseName}" AS "${LEDGER_PREFIX}${c.databaseName}"`).join(', ');
  }

  /**
   * For queries of other modules that read events their own way (the webhook worker's one-query-per-batch LATERAL
   * read): the select list over `e` (events) and `l` (ledger_entries LEFT JOINed as `ledgerJoin`), and the mapping.
   */
  get columns(): string {
    return `e.sequence::text AS sequence, e.partner_id, e.type, e.entity_id, e.status, e.occurred_at, ${this.ledgerSelect}`;
  }

  readonly ledgerJoin = `LEFT JOIN ledger_entries l ON e.type = 'LEDGER_ENTRY' AND l.sequence = e.sequence`;

  fromRow(row: Record<string, unknown>): StreamEvent {
    return this.toEvent(row, true);
  }

  /** The sequence of the last committed event (0 when there is none). */
  async lastSequence(query: Queryable): Promise<bigint> {
    const rows = (await query(`SELECT coalesce(max(sequence), 0)::text AS max FROM events`, [])) as { max: string }[];
    return BigInt(rows[0].max);
  }

  async read(query: Queryable, range: EventRange): Promise<StreamEvent[]> {
    const params: unknown[] = [range.after.toString(), range.limit];
    // Committed events always carry their final sequence; the bound only keeps a provisional one out, whatever happens.
    const where = ['e.sequence > $1', `e.sequence < ${EVENT_STAGE}`];
    if (range.upTo != null) {
      params.push(range.upTo.toString());
      where.push(`e.sequence <= $${params.length}`);
    }
    if (range.partnerId) {
      params.push(range.partnerId);
      where.push(`e.partner_id = $${params.length}`);
    }
    if (range.kind === 'ledger') where.push(`e.type = 'LEDGER_ENTRY'`);
    if (range.kind === 'activity') where.push(`e.type <> 'LEDGER_ENTRY'`);
    const withLedger = range.kind !== 'activity';
    const page =
      `SELECT e.sequence::text AS sequence, e.partner_id, e.type, e.entity_id, e.status, e.occurred_at,` +
      ` e.actor_kind, e.actor_token_id, t.name AS actor_token_name, t.role AS actor_role, t.partner_id AS actor_partner_id` +
      (withLedger
        ? `, ${this.ledgerSelect} FROM events e LEFT JOIN ledger_entries l ON e.type = 'LEDGER_ENTRY' AND l.sequence = e.sequence`
        : ` FROM events e`) +
      ` LEFT JOIN api_tokens t ON t.id = e.actor_token_id` +
      ` WHERE ${where.join(' AND ')} ORDER BY e.sequence LIMIT $2`;
    const rows = await query((await asyncCommitsOf(this.ds)) ? durablePage(page) : page, params);
    return rows.map((row) => this.toEvent(row, withLedger));
  }

  private toEvent(row: Record<string, unknown>, withLedger: boolean): StreamEvent {
    const sequence = row.sequence as string;
    return {
      seq: BigInt(sequence),
      sequence,
      partnerId: row.partner_id as string,
      type: row.type as EventType,
      entityId: row.entity_id as string,
      status: (row.status as string | null) ?? null,
      occurredAt: row.occurred_at instanceof Date ? row.occurred_at : new Date(row.occurred_at as string),
      actor: actorFromRow(row),
      ledgerEntry: withLedger && row[`${LEDGER_PREFIX}id`] != null ? this.hydrateLedgerEntry(row) : null,
    };
  }

  /** Raw columns → entity through TypeORM's own hydration (types, transformers such as money → Decimal). */
  private hydrateLedgerEntry(row: Record<string, unknown>): LedgerEntryEntity {
    const entity = this.ledger.create() as LedgerEntryEntity;
    for (const column of this.ledger.columns) {
      const value = this.ds.driver.prepareHydratedValue(row[`${LEDGER_PREFIX}${column.databaseName}`], column);
      column.setEntityValue(entity, value);
    }
    return entity;
  }
}

/** A TypeORM DataSource as a Queryable (replays run on the pool, the bus on its own connection). */
export const poolQuery =
  (ds: DataSource): Queryable =>
  (sql, params) =>
    ds.query(sql, params);

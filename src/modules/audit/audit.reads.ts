// Query.auditLog's read (SPEC §20): one page of audit entries, newest first (keyset on id), with its counts.
import type { DataSource } from 'typeorm';
import { pageWindow, toConnection, type Connection, type PageArgsInput } from '../../shared/pagination';
import { isUuid } from '../../shared/validation';
import { actorFromRow, type Actor } from './actor';
import type { AuditOutcome } from './audit-entry.entity';

export interface AuditEntryView {
  id: string;
  occurredAt: Date;
  actor: Actor;
  operation: string;
  partnerId: string | null;
  entityId: string | null;
  outcome: AuditOutcome;
  codes: string[];
  requestId: string | null;
  input: string | null;
}

/** The filters of Query.auditLog; `partnerId` null = every partner's entries (the caller checked the viewer may). */
export interface AuditLogFilter {
  partnerId: string | null;
  actorTokenId?: string | null;
  operation?: string | null;
  outcome?: AuditOutcome | null;
  from?: Date | null;
  to?: Date | null;
}

const SELECT = `SELECT a.id::text AS id, a.occurred_at, a.actor_kind, a.actor_token_id, t.name AS actor_token_name, t.role AS actor_role,
       t.partner_id AS actor_partner_id, a.operation, a.partner_id, a.entity_id, a.outcome, a.codes, a.request_id, a.input
  FROM audit_entries a LEFT JOIN api_tokens t ON t.id = a.actor_token_id`;

function filters(filter: AuditLogFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  const uuidOrNone = (value: string) => (isUuid(value) ? value : '00000000-0000-0000-0000-000000000000');
  if (filter.partnerId !== null) add((p) => `a.partner_id = ${p}::uuid`, uuidOrNone(filter.partnerId));
  if (filter.actorTokenId != null) add((p) => `a.actor_token_id = ${p}::uuid`, uuidOrNone(filter.actorTokenId));
  if (filter.operation != null) add((p) => `a.operation = ${p}`, filter.operation);
  if (filter.outcome != null) add((p) => `a.outcome = ${p}`, filter.outcome);
  if (filter.from != null) add((p) => `a.occurred_at >= ${p}`, filter.from);
  if (filter.to != null) add((p) => `a.occurred_at < ${p}`, filter.to);
  return { where: where.length ? ` WHERE ${where.join(' AND ')}` : '', params };
}

function toView(row: Record<string, unknown>): AuditEntryView {
  return {
    id: row.id as string,
    occurredAt: row.occurred_at as Date,
    actor: actorFromRow(row),
    operation: row.operation as string,
    partnerId: row.partner_id as string | null,
    entityId: row.entity_id as string | null,
    outcome: row.outcome as AuditOutcome,
    codes: row.codes as string[],
    requestId: row.request_id as string | null,
    input: row.input as string | null,
  };
}

/** One page of the audit log: the count and the page run side by side. */
export async function auditLogPage(ds: DataSource, filter: AuditLogFilter, args: PageArgsInput): Promise<Connection<AuditEntryView>> {
  const window = pageWindow(args, ['bigint']);
  const { where, params } = filters(filter);
  const and = (clause: string) => `${where ? `${where} AND` : ' WHERE'} ${clause}`;
  // The list runs newest first (id descending): `after` bounds from above, `before` from below.
  const start = window.backward ? window.before : window.after;
  const beyond = start ? `count(*) FILTER (WHERE a.id ${window.backward ? '<=' : '>='} $${params.length + 1}::bigint)` : '0';
  const countParams = start ? [...params, start[0]] : params;
  const pageParams = [...params];
  const bounds: string[] = [];
  if (window.after) bounds.push(`a.id < $${pageParams.push(window.after[0])}::bigint`);
  if (window.before) bounds.push(`a.id > $${pageParams.push(window.before[0])}::bigint`);
  const pageWhere = bounds.length ? and(bounds.join(' AND ')) : where;
  const limit = `$${pageParams.push(window.size + 1)}`;
  const [[counts], rows] = await Promise.all([
    ds.query(`SELECT count(*)::int AS total, ${beyond}::int AS beyond FROM audit_entries a${where}`, countParams) as Promise<
      { total: number; beyond: number }[]
    >,
    ds.query(`${SELECT}${pageWhere} ORDER BY a.id ${window.backward ? 'ASC' : 'DESC'} LIMIT ${limit}`, pageParams) as Promise<Record<string, unknown>[]>,
  ]);
  return toConnection(rows.map(toView), window, (entry) => [entry.id], { totalCount: counts.total, beyondCursor: counts.beyond > 0 });
}

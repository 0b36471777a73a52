// Hot reads of the rebates module as plain rows (SqlReader, named statements): balances and ledger pages, also as
// json folded into partner(id)'s statement (partners/partner-reads.ts).
import { createHash } from 'node:crypto';
import { Dec } from '../../shared/money';
import type { Connection, PageArgsInput } from '../../shared/pagination';
import { foldPage, sqlPage, type PageFold, type SqlPageSpec } from '../../shared/sql-page';
import { statement, type SqlReader } from '../../shared/sql';
import { isUuid } from '../../shared/validation';
import { ACCRUAL_KINDS } from './domain/ledger-kinds';
import type { LedgerEntryEntity } from './ledger-entry.entity';

export interface RebateBalance {
  available: Dec;
  pendingWithdrawals: Dec;
  accruedTotal: Dec;
  coMarketingBudget: Dec;
}

/** The accrual kinds of the ledger-kinds registry as an SQL list (fixed identifiers, so inlined into the named statements). */
const ACCRUAL_KINDS_SQL = ACCRUAL_KINDS.map((kind) => `'${kind}'`).join(', ');

/** The four balance figures of the partner whose id is `id`: [column, SQL text expression]. */
const balanceFigures = (id: string): [string, string][] => [
  ['b_available', `coalesce((SELECT e.balance_after FROM ledger_entries e WHERE e.partner_id = ${id} ORDER BY e.sequence DESC LIMIT 1), 0)::text`],
  ['b_pending', `coalesce((SELECT sum(w.amount) FROM withdrawals w WHERE w.partner_id = ${id} AND w.status = 'PENDING'), 0)::text`],
  ['b_accrued', `coalesce((SELECT sum(e.amount) FROM ledger_entries e WHERE e.partner_id = ${id} AND e.kind IN (${ACCRUAL_KINDS_SQL})), 0)::text`],
  ['b_co_marketing', `coalesce((SELECT sum(s.co_marketing) FROM specialization_bases s WHERE s.partner_id = ${id}), 0)::text`],
];

/** The figures as columns b_available, b_pending, b_accrued, b_co_marketing. */
const balanceColumns = (id: string) =>
  balanceFigures(id)
    .map(([column, sql]) => `${sql} AS ${column}`)
    .join(',\n');

interface BalanceRow {
  b_available: string;
  b_pending: string;
  b_accrued: string;
  b_co_marketing: string;
}

function toBalance(row: BalanceRow | undefined): RebateBalance {
  return {
    available: new Dec(row?.b_available ?? 0),
    pendingWithdrawals: new Dec(row?.b_pending ?? 0),
    accruedTotal: new Dec(row?.b_accrued ?? 0),
    coMarketingBudget: new Dec(row?.b_co_marketing ?? 0),
  };
}

const BALANCES = statement('rebates.balances', `SELECT p.id, ${balanceColumns('p.id')} FROM unnest($1::uuid[]) AS p(id)`);

/** RebateBalance of many partners in one statement, in the order of the ids (zero for unknown ones). */
export async function rebateBalances(sql: SqlReader, partnerIds: readonly string[]): Promise<RebateBalance[]> {
  const rows = await sql.rows<BalanceRow & { id: string }>(BALANCES, [partnerIds.filter(isUuid)]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return partnerIds.map((id) => toBalance(byId.get(id)));
}

/**
 * A ledger entry as its pages read it: the amounts stay PostgreSQL's numeric text, which MoneyScalar prints as it is
 * (no Decimal made only to be printed); a page's entries are only ever printed or followed to their relations.
 */
export type LedgerEntryRead = Omit<LedgerEntryEntity, 'amount' | 'balanceAfter'> & { amount: string; balanceAfter: string };

/** A ledger entry's columns: property → SQL select item over the entry `e`. */
const LEDGER_COLUMNS: [property: string, select: string][] = [
  ['id', 'e.id'],
  ['partnerId', 'e.partner_id AS "partnerId"'],
  ['kind', 'e.kind'],
  ['amount', 'e.amount::text AS amount'],
  ['balanceAfter', 'e.balance_after::text AS "balanceAfter"'],
  ['period', 'e.period'],
  ['projectId', 'e.project_id AS "projectId"'],
  ['specialization', 'e.specialization'],
  ['withdrawalId', 'e.withdrawal_id AS "withdrawalId"'],
  ['description', 'e.description'],
  ['sequence', 'e.sequence::text AS sequence'],
  ['createdAt', 'e.created_at AS "createdAt"'],
];
const PLAIN_PROPERTIES = new Set(LEDGER_COLUMNS.map(([property]) => property));
/** RebateLedgerEntry fields resolved from another property (the relations, by their ids). */
const RELATION_PROPERTIES: Record<string, string> = { partner: 'partnerId', project: 'projectId', withdrawal: 'withdrawalId' };

/**
 * The properties a page's entries need for the fields selected on its nodes (`names`: null when unknown): id and
 * sequence (the cursor) always, then each selected field's own property; null (every column) when a field is not
 * known here. A page's entries are only ever printed or followed to their relations, so a narrow row is safe.
 */
export function ledgerProperties(names: Set<string> | null): string[] | null {
  if (!names) return null;
  const wanted = new Set(['id', 'sequence']);
  for (const name of names) {
    if (PLAIN_PROPERTIES.has(name)) wanted.add(name);
    else if (RELATION_PROPERTIES[name]) wanted.add(RELATION_PROPERTIES[name]);
    else if (name !== '__typename') return null;
  }
  return LEDGER_COLUMNS.map(([property]) => property).filter((property) => wanted.has(property));
}

const ledgerSpecs = new Map<string, SqlPageSpec<LedgerEntryRead>>();

/** The ledger page reading `properties` (null: every column); each column set is its own named statement. */
function ledgerPage(properties: string[] | null): SqlPageSpec<LedgerEntryRead> {
  const key = properties?.join(',') ?? '';
  let spec = ledgerSpecs.get(key);
  if (!spec) {
    const columns = properties ? LEDGER_COLUMNS.filter(([property]) => properties.includes(property)) : LEDGER_COLUMNS;
    spec = {
      // PostgreSQL keeps 63 characters of a statement name: a narrow variant is named by a hash of its columns.
      name: properties ? `rebates.ledgerOfPartner:${createHash('sha1').update(key).digest('hex').slice(0, 12)}` : 'rebates.ledgerOfPartner',
      select: columns.map(([, select]) => select).join(', '),
      table: 'ledger_entries e',
      where: 'e.partner_id = $1',
      keys: ['e.sequence', 'e.id'],
      casts: ['bigint', 'text'],
      instants: columns.some(([property]) => property === 'createdAt') ? ['createdAt'] : [],
      read: (entry) => [entry.sequence, entry.id],
      map: (row) => row as unknown as LedgerEntryRead,
    };
    ledgerSpecs.set(key, spec);
  }
  return spec;
}

/** RebateBalance's figures by field name, with their column in balanceFigures. */
const FIGURES: Record<keyof RebateBalance, string> = {
  available: 'b_available',
  pendingWithdrawals: 'b_pending',
  accruedTotal: 'b_accrued',
  coMarketingBudget: 'b_co_marketing',
};

/** Some of a balance's figures, as PostgreSQL's numeric text (MoneyScalar prints it as it is). */
export type BalanceFigures = Partial<Record<keyof RebateBalance, string>>;

/** The balance figures `fields` (RebateBalance field names) of the partner `p` as a json expression; see figuresOfJson. */
export function balanceJson(fields: (keyof RebateBalance)[]): string {
  const sqlOf = new Map(balanceFigures('p.id'));
  return `json_build_object(${fields.map((field) => `'${field}', ${sqlOf.get(FIGURES[field])}`).join(', ')})`;
}

/** The figures from balanceJson's value. */
export const figuresOfJson = (json: unknown): BalanceFigures => json as BalanceFigures;

export const BALANCE_FIELDS = Object.keys(FIGURES) as (keyof RebateBalance)[];

/** A partner's first ledger page folded into the statement reading the partner `p` (null for other windows). */
export function foldedLedgerPage(args: PageArgsInput, withTotal: boolean, properties: string[] | null): PageFold<LedgerEntryRead> | null {
  return foldPage(ledgerPage(properties), ['p.id'], [], args, withTotal);
}

/** A page of a partner's ledger in sequence order (SPEC §9). */
export function partnerLedgerPage(
  sql: SqlReader,
  partnerId: string,
  args: PageArgsInput,
  withTotal: boolean,
  properties: string[] | null,
): Promise<Connection<LedgerEntryRead>> {
  return sqlPage(sql, ledgerPage(properties), [partnerId], args, withTotal);
}

// Hot reads of the rebates module as plain rows (SqlReader, named statements): balances and ledger pages, also as
// json folded into partner(id)'s statement (partners/partner-reads.ts).
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

const LEDGER_COLUMNS = `e.id, e.partner_id AS "partnerId", e.kind, e.amount::text AS amount, e.balance_after::text AS "balanceAfter", e.period,
  e.project_id AS "projectId", e.specialization, e.withdrawal_id AS "withdrawalId", e.description, e.sequence::text AS sequence,
  e.created_at AS "createdAt"`;

const LEDGER_PAGE: SqlPageSpec<LedgerEntryEntity> = {
  name: 'rebates.ledgerOfPartner',
  select: LEDGER_COLUMNS,
  table: 'ledger_entries e',
  where: 'e.partner_id = $1',
  keys: ['e.sequence', 'e.id'],
  casts: ['bigint', 'text'],
  instants: ['createdAt'],
  read: (entry) => [entry.sequence, entry.id],
  map: (row) => {
    const entry = row as unknown as LedgerEntryEntity;
    entry.amount = new Dec(row.amount as string);
    entry.balanceAfter = new Dec(row.balanceAfter as string);
    return entry;
  },
};

/** The balance of the partner `p` as a json expression, for the statement reading the partner (see balanceOfJson). */
export const BALANCE_JSON = `json_build_object(${balanceFigures('p.id')
  .map(([column, sql]) => `'${column}', ${sql}`)
  .join(', ')})`;

/** The balance from BALANCE_JSON's value. */
export const balanceOfJson = (json: unknown): RebateBalance => toBalance(json as BalanceRow);

/** A partner's first ledger page folded into the statement reading the partner `p` (null for other windows). */
export function foldedLedgerPage(args: PageArgsInput, withTotal: boolean): PageFold<LedgerEntryEntity> | null {
  return foldPage(LEDGER_PAGE, ['p.id'], [], args, withTotal);
}

/** A page of a partner's ledger in sequence order (SPEC §9). */
export function partnerLedgerPage(sql: SqlReader, partnerId: string, args: PageArgsInput, withTotal: boolean): Promise<Connection<LedgerEntryEntity>> {
  return sqlPage(sql, LEDGER_PAGE, [partnerId], args, withTotal);
}

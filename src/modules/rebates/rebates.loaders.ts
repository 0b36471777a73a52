// Per-request DataLoaders of the rebates module (balances and ledger sums).
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { Dec } from '../../shared/money';
import type { SqlReader } from '../../shared/sql';
import { isUuid } from '../../shared/validation';
import { rebateBalances, type RebateBalance } from './rebates.reads';

export function rebatesLoaders(ds: DataSource, sql: SqlReader) {
  /** RebateBalance by partner id. */
  const rebateBalance = new DataLoader<string, RebateBalance>((ids) => rebateBalances(sql, ids));
  return {
    rebateBalance,
    /** Project.rebateAccrued by project id: Σ of the project's PROJECT_REBATE ledger entries. */
    projectRebateAccrued: new DataLoader<string, Dec>(async (ids) => {
      const rows: { project_id: string; total: string }[] = await ds.query(
        `SELECT project_id, sum(amount) AS total FROM ledger_entries WHERE kind = 'PROJECT_REBATE' AND project_id = ANY($1::uuid[]) GROUP BY project_id`,
        [ids.filter(isUuid)],
      );
      const totals = new Map(rows.map((r) => [r.project_id, new Dec(r.total)]));
      return ids.map((id) => totals.get(id) ?? new Dec(0));
    }),
  };
}

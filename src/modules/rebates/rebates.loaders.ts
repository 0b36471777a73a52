// Per-request DataLoaders of the rebates module (balances and ledger sums).
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { Dec } from '../../shared/money';
import { isUuid } from '../../shared/validation';
import { loadRebateBalances, type RebateBalance } from './rebates.service';

export function rebatesLoaders(ds: DataSource) {
  return {
    /** RebateBalance by partner id. */
    rebateBalance: new DataLoader<string, RebateBalance>((ids) => loadRebateBalances(ds.manager, ids)),
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

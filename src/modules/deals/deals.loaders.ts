// Per-request DataLoaders of the deals module.
import DataLoader from 'dataloader';
import { byId } from '../../shared/dataloader';
import type { SqlReader } from '../../shared/sql';
import type { CustomerEntity } from '../customers/customer.entity';
import type { DealEntity } from './deal.entity';
import { activeDeals, dealCustomers, dealsByIds } from './deals.reads';

const pairsOf = (keys: readonly string[]) => keys.map((key) => key.split('|') as [string, string]);

export function dealsLoaders(sql: SqlReader) {
  return {
    deal: new DataLoader<string, DealEntity | null>(async (ids) => byId(await dealsByIds(sql, ids), ids)),
    /** Keys "partnerId|inn": the partner's ACTIVE deal for the customer INN (it covers the partner's linked subaccounts with that INN). */
    activeDeal: new DataLoader<string, DealEntity | null>(async (keys) => {
      const found = await activeDeals(sql, pairsOf(keys));
      return keys.map((key) => found.get(key) ?? null);
    }),
    /** Keys "partnerId|inn": the partner's linked subaccount with the INN, else its most recent one, else null (Deal.customer). */
    dealCustomer: new DataLoader<string, CustomerEntity | null>(async (keys) => {
      const found = await dealCustomers(sql, pairsOf(keys));
      return keys.map((key) => found.get(key) ?? null);
    }),
  };
}

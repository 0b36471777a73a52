// Per-request DataLoaders of the deals module.
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { byId, groupBy } from '../../shared/dataloader';
import { isUuid } from '../../shared/validation';
import { CustomerEntity } from '../customers/customer.entity';
import { isLinked } from '../customers/domain/subaccount-lifecycle';
import { DealEntity } from './deal.entity';

export function dealsLoaders(ds: DataSource) {
  return {
    deal: new DataLoader<string, DealEntity | null>(async (ids) => byId(await ds.manager.findBy(DealEntity, { id: In(ids.filter(isUuid)) }), ids)),
    /** Keys "partnerId|inn": the partner's ACTIVE deal for the customer INN (it covers the partner's linked subaccounts with that INN). */
    activeDeal: new DataLoader<string, DealEntity | null>(async (keys) => {
      const pairs = keys.map((key) => key.split('|'));
      const deals = await ds.manager.find(DealEntity, {
        where: pairs.map(([partnerId, customerInn]) => ({ partnerId, customerInn, status: 'ACTIVE' as const })),
      });
      const byKey = new Map(deals.map((deal) => [`${deal.partnerId}|${deal.customerInn}`, deal]));
      return keys.map((key) => byKey.get(key) ?? null);
    }),
    /** Keys "partnerId|inn": the partner's linked subaccount with the INN, else its most recent one, else null (Deal.customer). */
    dealCustomer: new DataLoader<string, CustomerEntity | null>(async (keys) => {
      const pairs = keys.map((key) => key.split('|'));
      const customers = await ds.manager.find(CustomerEntity, {
        where: pairs.map(([partnerId, inn]) => ({ partnerId, inn })),
        order: { createdAt: 'DESC', id: 'DESC' },
      });
      return groupBy(customers, keys, (c) => `${c.partnerId}|${c.inn}`).map((rows) => rows.find((c) => isLinked(c.status)) ?? rows[0] ?? null);
    }),
  };
}

// Per-request DataLoaders: every relation a list can reach is fetched in one query per kind.
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { ApiTokenEntity } from '../modules/access/api-token.entity';
import { CustomerEntity } from '../modules/customers/customer.entity';
import { addMonths, firstDayOfMonth } from '../shared/dates';
import { Dec, roundMoney } from '../shared/money';
import { PartnerSpecializationEntity } from '../modules/partners/partner-specialization.entity';
import { PartnerEntity } from '../modules/partners/partner.entity';
import { isUuid } from '../shared/validation';

function byId<T extends { id: string }>(rows: T[], ids: readonly string[]): (T | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

function groupBy<T>(rows: T[], ids: readonly string[], key: (row: T) => string): T[][] {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (!map.has(k)) map.set(k, []);
    map.get(k)!.push(row);
  }
  return ids.map((id) => map.get(id) ?? []);
}

export function createLoaders(ds: DataSource) {
  return {
    customer: new DataLoader<string, CustomerEntity | null>(async (ids) => byId(await ds.manager.findBy(CustomerEntity, { id: In(ids.filter(isUuid)) }), ids)),
    /** Keys are "customerId|YYYY-MM"; one query per distinct month asked for. */
    customerConsumption: new DataLoader<string, Dec>(async (keys) => {
      const byMonth = new Map<string, string[]>();
      for (const key of keys) {
        const [customerId, month] = key.split('|');
        if (!byMonth.has(month)) byMonth.set(month, []);
        byMonth.get(month)!.push(customerId);
      }
      const totals = new Map<string, Dec>();
      for (const [month, customerIds] of byMonth) {
        const rows: { customer_id: string; cost: string }[] = await ds.query(
          `SELECT customer_id, sum(cost) AS cost FROM consumption_attribution
            WHERE customer_id = ANY($1::uuid[]) AND date >= $2 AND date < $3 GROUP BY customer_id`,
          [customerIds.filter(isUuid), firstDayOfMonth(month), firstDayOfMonth(addMonths(month, 1))],
        );
        for (const row of rows) totals.set(`${row.customer_id}|${month}`, roundMoney(row.cost));
      }
      return keys.map((key) => totals.get(key) ?? new Dec(0));
    }),
    partner: new DataLoader<string, PartnerEntity | null>(async (ids) => byId(await ds.manager.findBy(PartnerEntity, { id: In(ids.filter(isUuid)) }), ids)),
    specializations: new DataLoader<string, PartnerSpecializationEntity[]>(async (ids) =>
      groupBy(
        await ds.manager.find(PartnerSpecializationEntity, { where: { partnerId: In([...ids]) }, order: { specialization: 'ASC', activeFrom: 'ASC' } }),
        ids,
        (r) => r.partnerId,
      ),
    ),
    apiTokens: new DataLoader<string, ApiTokenEntity[]>(async (ids) =>
      groupBy(await ds.manager.find(ApiTokenEntity, { where: { partnerId: In([...ids]) }, order: { createdAt: 'ASC', id: 'ASC' } }), ids, (r) => r.partnerId!),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

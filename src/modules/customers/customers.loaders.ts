// Per-request DataLoaders of the customers module.
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { addMonths, firstDayOfMonth } from '../../shared/dates';
import { byId } from '../../shared/dataloader';
import { ZERO, roundMoney, type Dec } from '../../shared/money';
import { isUuid } from '../../shared/validation';
import type { CustomerEntity } from './customer.entity';
import { customersByIds } from './customers.reads';
import type { SqlReader } from '../../shared/sql';

export function customersLoaders(ds: DataSource, sql: SqlReader) {
  return {
    customer: new DataLoader<string, CustomerEntity | null>(async (ids) => byId(await customersByIds(sql, ids), ids)),
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
        // Like an invoice total: the sum of per-service amounts, each rounded once by roundMoney (SPEC §2).
        const rows: { customer_id: string; cost: string }[] = await ds.query(
          `SELECT customer_id, sum(cost) AS cost FROM consumption_attribution
            WHERE customer_id = ANY($1::uuid[]) AND date >= $2 AND date < $3 GROUP BY customer_id, service_id`,
          [customerIds.filter(isUuid), firstDayOfMonth(month), firstDayOfMonth(addMonths(month, 1))],
        );
        for (const row of rows) {
          const key = `${row.customer_id}|${month}`;
          totals.set(key, (totals.get(key) ?? ZERO).plus(roundMoney(row.cost)));
        }
      }
      return keys.map((key) => totals.get(key) ?? ZERO);
    }),
  };
}

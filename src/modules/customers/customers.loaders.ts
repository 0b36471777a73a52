// Per-request DataLoaders of the customers module.
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { addMonths, firstDayOfMonth } from '../../shared/dates';
import { byId } from '../../shared/dataloader';
import { Dec, roundMoney } from '../../shared/money';
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
        const rows: { customer_id: string; cost: string }[] = await ds.query(
          // Like an invoice total: the sum of per-service amounts, each rounded half up (SPEC §2).
          `SELECT customer_id, sum(round(cost, 2)) AS cost FROM (
             SELECT customer_id, service_id, sum(cost) AS cost FROM consumption_attribution
              WHERE customer_id = ANY($1::uuid[]) AND date >= $2 AND date < $3 GROUP BY customer_id, service_id) per_service
            GROUP BY customer_id`,
          [customerIds.filter(isUuid), firstDayOfMonth(month), firstDayOfMonth(addMonths(month, 1))],
        );
        for (const row of rows) totals.set(`${row.customer_id}|${month}`, roundMoney(row.cost));
      }
      return keys.map((key) => totals.get(key) ?? new Dec(0));
    }),
  };
}

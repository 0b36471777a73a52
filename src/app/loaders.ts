// Per-request DataLoaders: every relation a list can reach is fetched in one query per kind.
import DataLoader from 'dataloader';
import type { App } from './app';
import type { InvoiceView } from '../modules/billing/billing.service';
import { In } from 'typeorm';
import { ApiTokenEntity } from '../modules/access/api-token.entity';
import { CustomerEntity } from '../modules/customers/customer.entity';
import { isLinked } from '../modules/customers/domain/subaccount-lifecycle';
import { DealEntity } from '../modules/deals/deal.entity';
import { PresaleRequestEntity } from '../modules/presales/presale-request.entity';
import { ServiceEntity } from '../modules/services/service.entity';
import { ProjectEntity } from '../modules/projects/project.entity';
import { addMonths, firstDayOfMonth } from '../shared/dates';
import { Dec, roundMoney } from '../shared/money';
import { PartnerSpecializationEntity } from '../modules/partners/partner-specialization.entity';
import { PartnerEntity } from '../modules/partners/partner.entity';
import { loadRebateBalances, type RebateBalance } from '../modules/rebates/rebates.service';
import { WithdrawalEntity } from '../modules/withdrawals/withdrawal.entity';
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

export function createLoaders(app: App) {
  const ds = app.ds;
  return {
    /** Keys are "partnerId|YYYY-MM": the final invoice or the open month's preview. */
    invoice: new DataLoader<string, InvoiceView | null>((keys) =>
      Promise.all(keys.map((key) => {
        const [partnerId, month] = key.split('|');
        return isUuid(partnerId) ? app.billing.invoice(partnerId, month) : Promise.resolve(null);
      })),
    ),
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
    service: new DataLoader<string, ServiceEntity | null>(async (ids) => byId(await ds.manager.findBy(ServiceEntity, { id: In([...ids]) }), ids)),
    withdrawal: new DataLoader<string, WithdrawalEntity | null>(async (ids) => byId(await ds.manager.findBy(WithdrawalEntity, { id: In(ids.filter(isUuid)) }), ids)),
    /** RebateBalance by partner id. */
    rebateBalance: new DataLoader<string, RebateBalance>((ids) => loadRebateBalances(ds.manager, ids)),
    deal: new DataLoader<string, DealEntity | null>(async (ids) => byId(await ds.manager.findBy(DealEntity, { id: In(ids.filter(isUuid)) }), ids)),
    project: new DataLoader<string, ProjectEntity | null>(async (ids) => byId(await ds.manager.findBy(ProjectEntity, { id: In(ids.filter(isUuid)) }), ids)),
    presaleRequest: new DataLoader<string, PresaleRequestEntity | null>(async (ids) =>
      byId(await ds.manager.findBy(PresaleRequestEntity, { id: In(ids.filter(isUuid)) }), ids),
    ),
    /** Keys "partnerId|inn": the partner's ACTIVE deal for the customer INN (it covers the partner's linked subaccounts with that INN). */
    activeDeal: new DataLoader<string, DealEntity | null>(async (keys) => {
      const pairs = keys.map((key) => key.split('|'));
      const deals = await ds.manager.find(DealEntity, { where: pairs.map(([partnerId, customerInn]) => ({ partnerId, customerInn, status: 'ACTIVE' as const })) });
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

export type Loaders = ReturnType<typeof createLoaders>;

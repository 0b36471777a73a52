// Demo billing history: a partner whose customers have consumed for the last three full months, with those months
// closed, so a new user sees final invoices, the partner bonus, project and specialization rebates right away.
// Partner approval and links are backdated (the only writes that bypass the services: history cannot be made
// through an API that lives in the present); consumption and month closes go through the services.
import type { ConsumptionRecordInput } from '../modules/consumption/consumption.service';
import { organisationInn } from '../modules/partners/domain/inn';
import { addMonths, endOfMonthExclusive, firstDayOfMonth, monthOf, addDays } from '../shared/dates';
import { Dec } from '../shared/money';
import type { App } from '../app/app';

const SERVICES = ['compute', 'object-storage', 'managed-postgresql', 'speechkit', 'marketplace'];

export async function seedDemoBilling(app: App): Promise<{ partnerName: string; ownerToken: string }> {
  const today = app.clock.today();
  const first = addMonths(monthOf(today), -3);
  const start = firstDayOfMonth(first);

  const { partner, ownerToken } = await app.partners.apply({
    name: 'Northwind Cloud LLC',
    inn: organisationInn('770000042'),
    ownBillingAccountId: 'ba-demo-northwind-own',
    paymentMode: 'POSTPAYMENT',
    contactEmail: 'finance@northwind.example',
  });
  await app.partners.review({ partnerId: partner.id, decision: 'APPROVE', level: 'PROFESSIONAL' });
  await app.partners.setSpecialization({ partnerId: partner.id, specialization: 'INFRA_DEVOPS', level: 'PROFESSIONAL', activeFrom: start });
  await app.partners.setSpecialization({ partnerId: partner.id, specialization: 'ML_AI', level: 'EXPERT', activeFrom: start });
  const customers = [];
  for (let i = 1; i <= 3; i++) {
    const customer = await app.customers.create({
      partnerId: partner.id,
      name: `Northwind customer ${i}`,
      inn: organisationInn(String(780000100 + i)),
      billingAccountId: `ba-demo-northwind-${i}`,
    });
    await app.customers.accept(customer.id);
    customers.push(customer);
  }
  // Backdate the approval and the links to the start of the history.
  await app.ds.query('UPDATE partners SET active_from = $2 WHERE id = $1', [partner.id, start]);
  await app.ds.query('UPDATE account_links SET linked_from = $2 WHERE partner_id = $1', [partner.id, start]);

  // A direct customer with an approved project (rebate from the second month of the history).
  const project = await app.projects.register({
    partnerId: partner.id,
    customerInn: organisationInn('780000200'),
    customerName: 'Fjord Analytics JSC',
    customerBillingAccountId: 'ba-demo-fjord',
    scope: 'CLOUD',
    scopeId: 'cloud-demo-fjord',
    targetMonthlyConsumption: new Dec('50000'),
    description: 'Analytics platform migration to managed PostgreSQL and Kubernetes',
  });
  await app.projects.review({ projectId: project.id, decision: 'APPROVE', rebateRate: new Dec('0.05') });
  await app.ds.query(`UPDATE projects SET approved_at = $2, rebate_from = $3, rebate_to = $4 WHERE id = $1`, [
    project.id,
    `${start}T09:00:00Z`,
    addMonths(first, 1),
    addMonths(first, 12),
  ]);

  // Daily consumption from the start of the history up to yesterday.
  const records = demoRecords(start, today, customers);
  for (let i = 0; i < records.length; i += 5000) await app.consumption.record(`demo-history-${i}`, records.slice(i, i + 5000));

  // Close the three full months of history, in order.
  for (let month = first; endOfMonthExclusive(month) <= today; month = addMonths(month, 1)) await app.billing.close(month);
  return { partnerName: partner.name, ownerToken };
}

/** The history's daily records: each customer's services, the partner's own account and the project's cloud. */
function demoRecords(start: string, today: string, customers: { billingAccountId: string }[]): ConsumptionRecordInput[] {
  const records: ConsumptionRecordInput[] = [];
  for (let day = start, n = 0; day < today; day = addDays(day, 1), n++) {
    customers.forEach((customer, i) => {
      SERVICES.forEach((serviceId, s) => {
        const cost = new Dec(300 + 150 * i + 40 * s + ((n * 37 + i * 11 + s * 7) % 90)).plus('0.125');
        records.push({
          billingAccountId: customer.billingAccountId,
          date: day,
          serviceId,
          cloudId: `cloud-demo-${i}`,
          folderId: `folder-demo-${i}`,
          cost,
          grantCredit: s === 1 ? new Dec('20') : null,
        });
      });
    });
    records.push({
      billingAccountId: 'ba-demo-northwind-own',
      date: day,
      serviceId: 'compute',
      cloudId: 'cloud-demo-own',
      folderId: 'folder-demo-own',
      cost: new Dec('210.50'),
      grantCredit: null,
    });
    records.push({
      billingAccountId: 'ba-demo-fjord',
      date: day,
      serviceId: 'managed-postgresql',
      cloudId: 'cloud-demo-fjord',
      folderId: 'folder-demo-fjord',
      cost: new Dec(1100 + (n % 13) * 10),
      grantCredit: null,
    });
  }
  return records;
}

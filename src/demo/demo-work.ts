// Demo deals, projects and presale requests in every status, built through the services like the rest of the demo.
// Two states need time to have passed (a link deadline missed, a rebate window over): those rows are backdated with
// one explicit UPDATE each, then the same service code that the scheduler / month close runs finishes the transition.
import { addMonths, monthOf } from '../shared/dates';
import { Dec } from '../shared/money';
import { organisationInn } from '../modules/partners/domain/inn';
import type { App } from '../app/app';
import type { DemoHistory } from './demo-billing';

const customerInn = (n: number) => organisationInn(String(780000000 + n));

type DemoPartners = { reseller: string; integrator: string };

/**
 * Deals of every status, projects of every status and presale requests of every status for two ACTIVE partners.
 * Returns what consumes in the billing history: the reseller's linked subaccounts and the integrator's approved project.
 */
export async function seedDemoWork(app: App, partners: DemoPartners): Promise<Omit<DemoHistory, 'partnerIds'>> {
  const deals = await seedDemoDeals(app, partners);
  const approved = await seedDemoProjects(app, partners);
  await seedDemoPresales(app, partners, deals);
  const customerAccounts = ['ba-demo-customer-1', 'ba-demo-customer-2']; // ACTIVE deals: Northwind Retail, City Hospital No. 7
  return { customerAccounts, projects: [{ id: approved.id, billingAccountId: 'ba-demo-direct-2', scope: 'FOLDER', scopeId: 'demo-folder-2' }] };
}

/** Deals of every status for the reseller; returns the ones presale requests refer to. */
async function seedDemoDeals(app: App, partners: DemoPartners) {
  const { customers, deals } = app;
  const linkedSubaccount = async (partnerId: string, n: number, name: string) => {
    const customer = await customers.create({ partnerId, name, inn: customerInn(n), billingAccountId: `ba-demo-customer-${n}` });
    return customers.accept(customer.id);
  };
  const register = (n: number, name: string, extra: { procurement?: boolean; contractEndsOn?: string } = {}) =>
    deals.register({
      partnerId: partners.reseller,
      customerInn: customerInn(n),
      customerName: name,
      targetMonthlyConsumption: new Dec('50000'),
      description: `Migration of ${name} to the cloud`,
      ...extra,
    });
  const approve = (dealId: string, rate: string) => deals.review({ dealId, decision: 'APPROVE', bonusRate: new Dec(rate) });

  // ACTIVE: the customer is already a linked subaccount when the deal is approved.
  await linkedSubaccount(partners.reseller, 1, 'Northwind Retail LLC');
  const active = await register(1, 'Northwind Retail LLC');
  await approve(active.id, '0.05');

  // ACTIVE procurement deal (44-FZ tender): the uplift stops the day after the contract ends.
  await linkedSubaccount(partners.reseller, 2, 'City Hospital No. 7');
  const today = app.clock.today();
  const tender = await register(2, 'City Hospital No. 7', { procurement: true, contractEndsOn: `${addMonths(monthOf(today), 9)}-28` });
  await approve(tender.id, '0.08');

  // APPROVED: waiting for the customer to accept the subaccount invitation (created, not yet accepted).
  const waiting = await register(3, 'Blue Lake Logistics JSC');
  await customers.create({ partnerId: partners.reseller, name: 'Blue Lake Logistics JSC', inn: customerInn(3), billingAccountId: 'ba-demo-customer-3' });
  await approve(waiting.id, '0.03');

  // SUBMITTED and REJECTED.
  await register(4, 'Granite Foods LLC');
  const rejected = await register(5, 'Quick Loans LLC');
  await deals.review({ dealId: rejected.id, decision: 'REJECT', reason: 'The customer is already served by the provider directly' });

  // ENDED: the only covered subaccount was unlinked.
  const leaving = await linkedSubaccount(partners.reseller, 6, 'Short Stay Hotels LLC');
  const ended = await register(6, 'Short Stay Hotels LLC');
  await approve(ended.id, '0.04');
  await customers.delete(leaving.id);

  // EXPIRED: approved 61 days ago and never linked.
  const expired = await register(7, 'Silent Partner LLC');
  await approve(expired.id, '0.05');
  await app.ds.query(`UPDATE deals SET approved_at = approved_at - interval '61 days', link_deadline = link_deadline - 61 WHERE id = $1`, [expired.id]);
  await deals.expireIfDue(expired.id);
  return { active, tender, waiting };
}

/** Projects of every status for the integrator; returns the APPROVED one. */
async function seedDemoProjects(app: App, partners: DemoPartners): Promise<{ id: string }> {
  const { projects } = app;
  const today = app.clock.today();
  // Projects of a direct customer's clouds and folders.
  const project = (n: number, scope: 'CLOUD' | 'FOLDER') =>
    projects.register({
      partnerId: partners.integrator,
      customerInn: customerInn(100 + n),
      customerName: `Direct Customer ${n} LLC`,
      customerBillingAccountId: `ba-demo-direct-${n}`,
      scope,
      scopeId: `demo-${scope.toLowerCase()}-${n}`,
      targetMonthlyConsumption: new Dec('40000'),
      description: 'A new analytics platform',
    });
  await project(1, 'CLOUD'); // SUBMITTED
  const approved = await project(2, 'FOLDER');
  await projects.review({ projectId: approved.id, decision: 'APPROVE', rebateRate: new Dec('0.1') });
  const refused = await project(3, 'CLOUD');
  await projects.review({ projectId: refused.id, decision: 'REJECT', reason: 'The customer already runs this workload in the cloud' });
  // COMPLETED: its rebate window ended last month, and the month close completed it.
  const finished = await project(4, 'CLOUD');
  await projects.review({ projectId: finished.id, decision: 'APPROVE', rebateRate: new Dec('0.07') });
  const lastMonth = addMonths(monthOf(today), -1);
  await app.ds.query(`UPDATE projects SET rebate_from = $2, rebate_to = $3 WHERE id = $1`, [finished.id, addMonths(lastMonth, -11), lastMonth]);
  await app.ds.transaction((manager) => projects.completeWindowsClosedBy(manager, lastMonth, app.clock.now()));
  return approved;
}

/** Presale requests of every status for the reseller. */
async function seedDemoPresales(app: App, partners: DemoPartners, deals: { active: { id: string }; tender: { id: string }; waiting: { id: string } }) {
  const { presales } = app;
  const { active, tender, waiting } = deals;
  // Presale requests.
  const ask = (customerName: string, products: string[], links: { dealId?: string; projectId?: string } = {}) =>
    presales.submit({ partnerId: partners.reseller, customerName, products, description: `Architecture review for ${customerName}`, ...links });
  await ask('Northwind Retail LLC', ['Managed Service for Kubernetes', 'Object Storage'], { dealId: active.id }); // NEW
  const inProgress = await ask('Blue Lake Logistics JSC', ['Managed Service for PostgreSQL'], { dealId: waiting.id });
  await presales.update({ presaleRequestId: inProgress.id, status: 'IN_PROGRESS', assignee: 'Anna Petrova, solutions architect' }, 'ADMIN');
  const done = await ask('City Hospital No. 7', ['SmartWebSecurity', 'Key Management Service'], { dealId: tender.id });
  await presales.update({ presaleRequestId: done.id, status: 'IN_PROGRESS', assignee: 'Ivan Sokolov' }, 'ADMIN');
  await presales.update({ presaleRequestId: done.id, status: 'COMPLETED' }, 'ADMIN');
  const declined = await ask('Granite Foods LLC', ['Quantum computing']);
  await presales.update({ presaleRequestId: declined.id, status: 'DECLINED', reason: 'The provider does not offer this product' }, 'ADMIN');
  const cancelled = await ask('Short Stay Hotels LLC', ['Compute Cloud']);
  await presales.update({ presaleRequestId: cancelled.id, status: 'CANCELLED', reason: 'The customer changed its plans' }, 'PARTNER');
}

/** Work of a partner about to leave, so its exit shows the effects: deal ENDED, project REJECTED, presale CANCELLED. */
export async function seedDemoWorkOfLeaver(app: App, partnerId: string): Promise<void> {
  await app.deals.register({
    partnerId,
    customerInn: customerInn(200),
    customerName: 'Orphaned Customer LLC',
    targetMonthlyConsumption: new Dec('35000'),
    description: 'Registered before the partner status was revoked',
  });
  await app.projects.register({
    partnerId,
    customerInn: customerInn(201),
    customerName: 'Orphaned Direct LLC',
    customerBillingAccountId: 'ba-demo-direct-orphan',
    scope: 'FOLDER',
    scopeId: 'demo-folder-orphan',
    targetMonthlyConsumption: new Dec('30000'),
    description: 'Registered before the partner status was revoked',
  });
  await app.presales.submit({ partnerId, customerName: 'Orphaned Customer LLC', products: ['Compute Cloud'], description: 'Sizing help' });
}

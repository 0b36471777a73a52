// Demo data for a new database, so a first `npm start` shows a living program. Built through the services, so it
// obeys every rule the API enforces.
import { organisationInn } from '../modules/partners/domain/inn';
import { addDays } from '../shared/dates';
import type { App } from '../app/app';
import { seedDemoWork, seedDemoWorkOfLeaver } from './demo-work';
import { seedDemoBilling } from './demo-billing';
import { seedDemoRebates } from './demo-rebates';

/** What `npm start` prints for a new demo database: the token of the partner whose dashboard shows every feature. */
export interface DemoLogin {
  partnerName: string;
  ownerToken: string;
}

/**
 * The demo's story, one partner per chapter: Cloud Works (the token printed) resells — its subaccounts' invoices,
 * deals, presale requests, rebates and withdrawals in every status; Data Peak integrates — projects in every status,
 * one earning project rebates; Northwind Cloud — three closed months with the partner bonus, own-account and
 * excluded-service lines, project and specialization rebates; Newcomer waits for review, Shady Reseller was
 * rejected, Sunset Integrator is leaving (takes its balance as bonus), Broken Promise was revoked (its work ended,
 * its balance paid out to the bank).
 */
export async function seedDemo(app: App): Promise<DemoLogin> {
  const { partners } = app;
  const applied = async (n: number, name: string) =>
    partners.apply({
      name,
      inn: organisationInn(String(770000000 + n)),
      ownBillingAccountId: `ba-demo-own-${n}`,
      paymentMode: n % 2 ? 'ADVANCE' : 'POSTPAYMENT',
      contactEmail: `billing@partner${n}.example`,
    });
  const make = async (n: number, name: string) => (await applied(n, name)).partner;

  const first = await applied(1, 'Cloud Works LLC');
  const cloudWorks = first.partner;
  await partners.review({ partnerId: cloudWorks.id, decision: 'APPROVE', level: 'PROFESSIONAL' });
  await partners.updateProfile({ partnerId: cloudWorks.id, bankAccount: { bic: '044525225', accountNumber: '40702810438000034726', bankName: 'Sberbank' } });
  await partners.setSpecialization({ partnerId: cloudWorks.id, specialization: 'INFRA_DEVOPS', level: 'PROFESSIONAL', activeFrom: '2026-01-01' });
  await partners.setSpecialization({ partnerId: cloudWorks.id, specialization: 'ML_AI', level: 'EXPERT', activeFrom: '2026-04-01' });

  const dataPeak = await make(2, 'Data Peak JSC');
  await partners.review({ partnerId: dataPeak.id, decision: 'APPROVE', level: 'EXPERT' });
  await partners.setSpecialization({ partnerId: dataPeak.id, specialization: 'DATA_PLATFORM', level: 'EXPERT', activeFrom: '2026-01-01' });
  // Deals, projects and presale requests in every status.
  const work = await seedDemoWork(app, { reseller: cloudWorks.id, integrator: dataPeak.id });

  await make(3, 'Newcomer Systems LLC'); // PENDING_REVIEW

  const rejected = await make(4, 'Shady Reseller LLC');
  await partners.review({ partnerId: rejected.id, decision: 'REJECT', reason: 'Incomplete company documents' });

  const leaving = await make(5, 'Sunset Integrator LLC');
  await partners.review({ partnerId: leaving.id, decision: 'APPROVE' });
  const today = app.clock.today();
  const effective = addDays(today, 45);
  await partners.giveQuitNotice(leaving.id, effective);

  const revoked = await make(6, 'Broken Promise LLC');
  await partners.review({ partnerId: revoked.id, decision: 'APPROVE' });
  await seedDemoWorkOfLeaver(app, revoked.id);
  await partners.revoke(revoked.id, 'Breach of the partner agreement');

  // Rebate balances and withdrawals in every status (APPLIED, PENDING, PAID, REJECTED).
  await seedDemoRebates(app, { reseller: cloudWorks.id, leaving: leaving.id, revoked: revoked.id });

  // Three months of consumption with those months closed: invoices, bonuses and rebates to look at — Northwind's,
  // Cloud Works' subaccounts and Data Peak's approved project.
  await seedDemoBilling(app, { ...work, partnerIds: [cloudWorks.id, dataPeak.id] });
  return { partnerName: cloudWorks.name, ownerToken: first.ownerToken };
}

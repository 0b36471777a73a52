import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CustomerActiveDealDocument,
  DealDocument,
  DealsDocument,
  GiveQuitNoticeDocument,
  PartnerDealsDocument,
  RegisterDealDocument,
  ReviewDealDocument,
  RevokePartnerStatusDocument,
  SuspendSubaccountDocument,
  UpdateProgramSettingsDocument,
} from '../generated/graphql';
import { isUniqueViolation } from '../../src/shared/db-errors';
import { activePartner, applyPartner, tokenFor, uniqueInn } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';
import {
  acceptSubaccount,
  approveDeal,
  createSubaccount,
  dealInput,
  deleteSubaccount,
  recordUsage,
  registerDeal,
  registerProject,
  rejectDeal,
  statusEvents,
} from '../support/work-fixtures';

// Tuesday 2026-03-10, 12:00 in Moscow.
const NOW = '2026-03-10T09:00:00Z';
const TODAY = '2026-03-10';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: NOW });
});
afterAll(() => t.close());

/** A test app of its own, for tests that move the clock. */
async function withOwnClock(run: (local: TestApp) => Promise<void>): Promise<void> {
  const local = await setupTestApp({ now: NOW });
  try {
    await run(local);
  } finally {
    await local.close();
  }
}

const codes = (errors: { code: string }[]) => errors.map((e) => e.code);

describe('registering a deal', () => {
  it('creates a SUBMITTED deal for a new customer, trimming its texts, and records the status event', async () => {
    const p = await activePartner(t);
    const inn = uniqueInn();
    const r = await t.ok(
      RegisterDealDocument,
      {
        input: dealInput(p, {
          customerInn: inn,
          customerName: '  Northwind LLC  ',
          description: '  ERP migration ',
          targetMonthlyConsumption: '30000',
          contractEndsOn: '2020-01-01',
        }),
      },
      p.ownerToken,
    );
    expect(r.registerDeal.userErrors).toEqual([]);
    expect(r.registerDeal.deal).toMatchObject({
      partner: { id: p.id },
      customerInn: inn,
      customerName: 'Northwind LLC',
      description: 'ERP migration',
      targetMonthlyConsumption: '30000.00',
      procurement: false,
      // only a procurement contract's end matters; on other deals it is not kept
      contractEndsOn: null,
      status: 'SUBMITTED',
      bonusRate: null,
      submittedAt: '2026-03-10T09:00:00.000Z',
      approvedAt: null,
      linkDeadline: null,
      activatedOn: null,
      endedOn: null,
      customer: null,
    });
    expect(await statusEvents(t, r.registerDeal.deal!.id)).toEqual([
      { type: 'DEAL_STATUS_CHANGED', status: 'SUBMITTED', occurredAt: '2026-03-10T09:00:00.000Z' },
    ]);
  });

  it('reports every field error together', async () => {
    const p = await activePartner(t);
    const r = await t.ok(
      RegisterDealDocument,
      {
        input: dealInput(p, {
          customerInn: '1234567890',
          customerName: '   ',
          targetMonthlyConsumption: '50000.001',
          procurement: true,
          description: 'x'.repeat(4001),
        }),
      },
      p.ownerToken,
    );
    expect(r.registerDeal.deal).toBeNull();
    expect(r.registerDeal.userErrors.map((e) => [e.code, e.field.join('.')]).sort()).toEqual([
      ['INVALID_INN', 'input.customerInn'],
      ['VALIDATION_FAILED', 'input.contractEndsOn'],
      ['VALIDATION_FAILED', 'input.customerName'],
      ['VALIDATION_FAILED', 'input.description'],
      ['VALIDATION_FAILED', 'input.targetMonthlyConsumption'],
    ]);
  });

  it('refuses a target below the minimum in force (TARGET_TOO_LOW) and follows the settings of the registration month', async () => {
    const p = await activePartner(t);
    const low = await t.ok(RegisterDealDocument, { input: dealInput(p, { targetMonthlyConsumption: '29999.99' }) }, p.ownerToken);
    expect(low.registerDeal.userErrors).toEqual([expect.objectContaining({ code: 'TARGET_TOO_LOW', field: ['input', 'targetMonthlyConsumption'] })]);
    expect(low.registerDeal.userErrors[0].message).toContain('30000.00');
    await withOwnClock(async (local) => {
      const q = await activePartner(local);
      await local.ok(UpdateProgramSettingsDocument, { input: { effectiveFrom: '2026-04', minDealTargetConsumption: '40000' } });
      expect(
        (await local.ok(RegisterDealDocument, { input: dealInput(q, { targetMonthlyConsumption: '35000' }) }, q.ownerToken)).registerDeal.userErrors,
      ).toEqual([]);
      await local.advanceTo('2026-04-01T09:00:00Z');
      const april = await local.ok(RegisterDealDocument, { input: dealInput(q, { targetMonthlyConsumption: '35000' }) }, q.ownerToken);
      expect(codes(april.registerDeal.userErrors)).toEqual(['TARGET_TOO_LOW']);
    });
  });

  it('needs contractEndsOn today or later on a procurement deal', async () => {
    const p = await activePartner(t);
    const past = await t.ok(RegisterDealDocument, { input: dealInput(p, { procurement: true, contractEndsOn: '2026-03-09' }) }, p.ownerToken);
    expect(past.registerDeal.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'contractEndsOn'] })]);
    const ok = await t.ok(RegisterDealDocument, { input: dealInput(p, { procurement: true, contractEndsOn: TODAY }) }, p.ownerToken);
    expect(ok.registerDeal.deal).toMatchObject({ procurement: true, contractEndsOn: TODAY });
  });

  it('is open to ACTIVE partners only (PARTNER_NOT_ACTIVE), not pending or quitting ones', async () => {
    const pending = await applyPartner(t);
    const r1 = await t.ok(RegisterDealDocument, { input: dealInput(pending) }, pending.ownerToken);
    expect(codes(r1.registerDeal.userErrors)).toEqual(['PARTNER_NOT_ACTIVE']);
    const quitting = await activePartner(t);
    await t.ok(GiveQuitNoticeDocument, { input: { partnerId: quitting.id, effectiveOn: '2026-05-01' } }, quitting.ownerToken);
    const r2 = await t.ok(RegisterDealDocument, { input: dealInput(quitting) }, quitting.ownerToken);
    expect(codes(r2.registerDeal.userErrors)).toEqual(['PARTNER_NOT_ACTIVE']);
  });

  it('answers NOT_FOUND for an unknown partner (ADMIN acting on behalf)', async () => {
    const r = await t.ok(RegisterDealDocument, { input: { ...dealInput({ id: '00000000-0000-4000-8000-000000000000' } as never) } });
    expect(r.registerDeal.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'partnerId'] })]);
  });

  it("refuses a customer whose INN is on a billing account with consumption (NOT_NEW_CUSTOMER), any partner's subaccount or a project account", async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const inn = uniqueInn();
    const sub = await createSubaccount(t, other, { inn });
    expect((await t.ok(RegisterDealDocument, { input: dealInput(p, { customerInn: inn }) }, p.ownerToken)).registerDeal.userErrors).toEqual([]);
    // (that deal is now open; a fresh INN shows the rule without DEAL_CONFLICT)
    const inn2 = uniqueInn();
    const sub2 = await createSubaccount(t, other, { inn: inn2, accept: false });
    await recordUsage(t, { billingAccountId: sub2.billingAccountId, date: '2026-03-01' });
    const refused = await t.ok(RegisterDealDocument, { input: dealInput(p, { customerInn: inn2 }) }, p.ownerToken);
    expect(refused.registerDeal.userErrors).toEqual([expect.objectContaining({ code: 'NOT_NEW_CUSTOMER', field: ['input', 'customerInn'] })]);
    expect(sub.status).toBe('ACTIVE');

    const inn3 = uniqueInn();
    const project = await registerProject(t, other, { customerInn: inn3 });
    await recordUsage(t, { billingAccountId: project.customerBillingAccountId, date: TODAY, cloudId: project.scopeId });
    const viaProject = await t.ok(RegisterDealDocument, { input: dealInput(p, { customerInn: inn3 }) }, p.ownerToken);
    expect(codes(viaProject.registerDeal.userErrors)).toEqual(['NOT_NEW_CUSTOMER']);
  });

  it('allows one open deal per customer INN across partners (DEAL_CONFLICT), and another once the first is rejected', async () => {
    const first = await activePartner(t);
    const second = await activePartner(t);
    const inn = uniqueInn();
    const deal = await registerDeal(t, first, { customerInn: inn });
    const refused = await t.ok(RegisterDealDocument, { input: dealInput(second, { customerInn: inn }) }, second.ownerToken);
    expect(refused.registerDeal.userErrors).toEqual([expect.objectContaining({ code: 'DEAL_CONFLICT', field: ['input', 'customerInn'] })]);
    // the message does not name the other partner
    expect(refused.registerDeal.userErrors[0].message).not.toContain(first.id);
    await approveDeal(t, deal.id);
    expect(codes((await t.ok(RegisterDealDocument, { input: dealInput(second, { customerInn: inn }) }, second.ownerToken)).registerDeal.userErrors)).toEqual([
      'DEAL_CONFLICT',
    ]);

    const inn2 = uniqueInn();
    const deal2 = await registerDeal(t, first, { customerInn: inn2 });
    await rejectDeal(t, deal2.id);
    const accepted = await t.ok(RegisterDealDocument, { input: dealInput(second, { customerInn: inn2 }) }, second.ownerToken);
    expect(accepted.registerDeal.userErrors).toEqual([]);
    expect(accepted.registerDeal.deal).toMatchObject({ status: 'SUBMITTED', partner: { id: second.id } });
  });

  it('leaves exactly one open deal when ten partners register the same INN at the same moment', async () => {
    const partners = await Promise.all(Array.from({ length: 10 }, () => activePartner(t)));
    const inn = uniqueInn();
    const results = await Promise.all(partners.map((p) => t.ok(RegisterDealDocument, { input: dealInput(p, { customerInn: inn }) }, p.ownerToken)));
    const won = results.filter((r) => r.registerDeal.deal);
    const lost = results.filter((r) => !r.registerDeal.deal);
    expect(won).toHaveLength(1);
    expect(lost.map((r) => codes(r.registerDeal.userErrors))).toEqual(Array(9).fill(['DEAL_CONFLICT']));
    const [{ count }] = await t.app.ds.query(`SELECT count(*)::int AS count FROM deals WHERE customer_inn = $1`, [inn]);
    expect(count).toBe(1);
  });

  it('is backed by a partial unique index that the service recognises as DEAL_CONFLICT', async () => {
    const p = await activePartner(t);
    const deal = await registerDeal(t, p);
    const duplicate = `INSERT INTO deals (partner_id, customer_inn, customer_name, target_monthly_consumption, procurement, description, status, created_at)
                       VALUES ($1, $2, 'Copy', 50000, false, '', $3, now())`;
    const error = await t.app.ds.query(duplicate, [p.id, deal.customerInn, 'APPROVED']).catch((e: unknown) => e);
    expect(isUniqueViolation(error, 'deals_open_inn_key')).toBe(true);
    // closed deals do not hold the INN
    await expect(t.app.ds.query(duplicate, [p.id, deal.customerInn, 'EXPIRED'])).resolves.toBeDefined();
  });

  it('is for the partner owner (or ADMIN on its behalf): other roles and partners are FORBIDDEN, no token UNAUTHENTICATED', async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const viewer = await tokenFor(t, p, 'PARTNER_VIEWER');
    const accountant = await tokenFor(t, p, 'PARTNER_ACCOUNTANT');
    for (const token of [viewer, accountant, other.ownerToken]) {
      const r = await t.gql(RegisterDealDocument, { input: dealInput(p) }, token);
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await t.gql(RegisterDealDocument, { input: dealInput(p) }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const byAdmin = await t.ok(RegisterDealDocument, { input: dealInput(p) });
    expect(byAdmin.registerDeal.deal).toMatchObject({ status: 'SUBMITTED', partner: { id: p.id } });
  });

  it('refuses a malformed Money target at the top level (BAD_USER_INPUT)', async () => {
    const p = await activePartner(t);
    const r = await t.gql(RegisterDealDocument, { input: dealInput(p, { targetMonthlyConsumption: '5e4' }) }, p.ownerToken);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('reviewing a deal', () => {
  it('approves with a bonus rate: APPROVED, approvedAt now, link deadline 60 days later', async () => {
    const p = await activePartner(t);
    const deal = await registerDeal(t, p);
    const approved = await approveDeal(t, deal.id, '0.05');
    expect(approved).toMatchObject({
      status: 'APPROVED',
      bonusRate: '0.05',
      approvedAt: '2026-03-10T09:00:00.000Z',
      linkDeadline: '2026-05-09',
      activatedOn: null,
      statusReason: null,
    });
    expect((await statusEvents(t, deal.id)).map((e) => e.status)).toEqual(['SUBMITTED', 'APPROVED']);
  });

  it('checks the rate: missing → VALIDATION_FAILED, 0 or above the maximum → RATE_OUT_OF_RANGE', async () => {
    const p = await activePartner(t);
    const deal = await registerDeal(t, p);
    const missing = await t.ok(ReviewDealDocument, { input: { dealId: deal.id, decision: 'APPROVE' } });
    expect(missing.reviewDeal.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'bonusRate'] })]);
    for (const bonusRate of ['0', '0.1501', '1']) {
      const r = await t.ok(ReviewDealDocument, { input: { dealId: deal.id, decision: 'APPROVE', bonusRate } });
      expect(r.reviewDeal.userErrors).toEqual([expect.objectContaining({ code: 'RATE_OUT_OF_RANGE', field: ['input', 'bonusRate'] })]);
    }
    expect((await approveDeal(t, deal.id, '0.15')).bonusRate).toBe('0.15');
  });

  it('rejects only with a reason, and reviews a deal once (INVALID_TRANSITION naming the status)', async () => {
    const p = await activePartner(t);
    const deal = await registerDeal(t, p);
    const noReason = await t.ok(ReviewDealDocument, { input: { dealId: deal.id, decision: 'REJECT', reason: '   ' } });
    expect(noReason.reviewDeal.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'reason'] })]);
    const rejected = await rejectDeal(t, deal.id, '  Existing customer  ');
    expect(rejected).toMatchObject({ status: 'REJECTED', statusReason: 'Existing customer', bonusRate: null });
    const again = await t.ok(ReviewDealDocument, { input: { dealId: deal.id, decision: 'APPROVE', bonusRate: '0.05' } });
    expect(again.reviewDeal.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION' })]);
    expect(again.reviewDeal.userErrors[0].message).toContain('REJECTED');
  });

  it('answers NOT_FOUND for an unknown deal and FORBIDDEN to partner tokens', async () => {
    const r = await t.ok(ReviewDealDocument, { input: { dealId: 'no-such-deal', decision: 'APPROVE', bonusRate: '0.05' } });
    expect(r.reviewDeal.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'dealId'] })]);
    const p = await activePartner(t);
    const deal = await registerDeal(t, p);
    const own = await t.gql(ReviewDealDocument, { input: { dealId: deal.id, decision: 'APPROVE', bonusRate: '0.05' } }, p.ownerToken);
    expect(own.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('activates at approval when a subaccount of the partner with the INN is already linked, suspended ones included', async () => {
    const p = await activePartner(t);
    const inn = uniqueInn();
    const sub = await createSubaccount(t, p, { inn });
    await t.ok(SuspendSubaccountDocument, { input: { customerId: sub.id } }, p.ownerToken);
    const deal = await registerDeal(t, p, { customerInn: inn });
    const approved = await approveDeal(t, deal.id, '0.07');
    expect(approved).toMatchObject({ status: 'ACTIVE', activatedOn: TODAY, linkDeadline: '2026-05-09', customer: { id: sub.id, status: 'SUSPENDED' } });
    expect((await statusEvents(t, deal.id)).map((e) => e.status)).toEqual(['SUBMITTED', 'APPROVED', 'ACTIVE']);
    const customer = await t.ok(CustomerActiveDealDocument, { id: sub.id }, p.ownerToken);
    expect(customer.customer!.activeDeal).toEqual({ id: deal.id, status: 'ACTIVE', bonusRate: '0.07', activatedOn: TODAY });
  });

  it('does not activate for a subaccount with the INN under another partner', async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const inn = uniqueInn();
    const foreign = await createSubaccount(t, other, { inn });
    const deal = await registerDeal(t, p, { customerInn: inn });
    expect(await approveDeal(t, deal.id)).toMatchObject({ status: 'APPROVED', customer: null });
    expect((await t.ok(CustomerActiveDealDocument, { id: foreign.id }, other.ownerToken)).customer!.activeDeal).toBeNull();
  });
});

describe('reading deals', () => {
  it('shows a deal to its partner and ADMIN; another partner gets null with FORBIDDEN; an unknown id is null', async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const deal = await registerDeal(t, p);
    const integrator = await tokenFor(t, p, 'INTEGRATOR');
    expect((await t.ok(DealDocument, { id: deal.id }, integrator)).deal!.id).toBe(deal.id);
    expect((await t.ok(DealDocument, { id: deal.id })).deal!.id).toBe(deal.id);
    const foreign = await t.gql(DealDocument, { id: deal.id }, other.ownerToken);
    expect(foreign.data?.deal).toBeNull();
    expect(foreign.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const r = await t.gql(DealDocument, { id });
      expect(r.errors).toBeUndefined();
      expect(r.data?.deal).toBeNull();
    }
  });

  it("lists a partner's deals in creation order, filtered by status, a page at a time", async () => {
    const p = await activePartner(t);
    const a = await registerDeal(t, p);
    const b = await registerDeal(t, p);
    const c = await registerDeal(t, p);
    await rejectDeal(t, b.id);
    // The manual clock stands still, so all three share createdAt and the id breaks the tie.
    const all = (await t.ok(PartnerDealsDocument, { id: p.id }, p.ownerToken)).partner!.deals;
    expect(all.totalCount).toBe(3);
    expect(all.edges.map((e) => e.node.id)).toEqual([a.id, b.id, c.id].sort());
    const submitted = [a.id, c.id].sort();
    const page1 = (await t.ok(PartnerDealsDocument, { id: p.id, first: 1, status: 'SUBMITTED' }, p.ownerToken)).partner!.deals;
    expect(page1).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(page1.edges.map((e) => e.node.id)).toEqual([submitted[0]]);
    const page2 = (await t.ok(PartnerDealsDocument, { id: p.id, first: 1, after: page1.pageInfo.endCursor, status: 'SUBMITTED' }, p.ownerToken)).partner!.deals;
    expect(page2.edges.map((e) => e.node.id)).toEqual([submitted[1]]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });

  it('serves the root work queue: ADMIN sees every partner (filter by partner and status), a partner token only its own', async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const mine = await registerDeal(t, p);
    const theirs = await registerDeal(t, other);
    const admin = (await t.ok(DealsDocument, { first: 100, status: 'SUBMITTED' })).deals;
    const ids = admin.edges.map((e) => e.node.id);
    expect(ids).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect(admin.edges.every((e) => e.node.status === 'SUBMITTED')).toBe(true);
    const filtered = (await t.ok(DealsDocument, { partnerId: other.id })).deals;
    expect(filtered.edges.map((e) => e.node.id)).toEqual([theirs.id]);
    const own = (await t.ok(DealsDocument, {}, p.ownerToken)).deals;
    expect(own.edges.map((e) => e.node.id)).toEqual([mine.id]);
    expect(own.edges.every((e) => e.node.partner.id === p.id)).toBe(true);
    expect((await t.gql(DealsDocument, { partnerId: other.id }, p.ownerToken)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.ok(DealsDocument, { partnerId: 'not-a-uuid' })).deals.totalCount).toBe(0);
    expect((await t.gql(DealsDocument, { first: 101 })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('deal time rules', () => {
  it('activates a deal approved before the subaccount is accepted on the acceptance day', async () => {
    await withOwnClock(async (local) => {
      const p = await activePartner(local);
      const inn = uniqueInn();
      const deal = await registerDeal(local, p, { customerInn: inn });
      await approveDeal(local, deal.id);
      const invited = await createSubaccount(local, p, { inn, accept: false });
      await local.advanceTo('2026-03-20T08:00:00Z');
      expect((await local.ok(DealDocument, { id: deal.id })).deal).toMatchObject({
        status: 'APPROVED',
        customer: { id: invited.id, status: 'ACCEPTANCE_REQUIRED' },
      });
      await acceptSubaccount(local, invited.id);
      const active = (await local.ok(DealDocument, { id: deal.id })).deal!;
      expect(active).toMatchObject({ status: 'ACTIVE', activatedOn: '2026-03-20', customer: { id: invited.id, status: 'ACTIVE' } });
      expect((await statusEvents(local, deal.id)).at(-1)).toEqual({ type: 'DEAL_STATUS_CHANGED', status: 'ACTIVE', occurredAt: '2026-03-20T08:00:00.000Z' });
    });
  });

  it('expires a deal not linked within 60 days on day 61, dated with that day however late the clock moves', async () => {
    await withOwnClock(async (local) => {
      const p = await activePartner(local);
      const a = await registerDeal(local, p);
      const b = await registerDeal(local, p);
      await approveDeal(local, a.id);
      await approveDeal(local, b.id);
      // 2026-05-09 23:30 Moscow: the last day of the window
      await local.advanceTo('2026-05-09T20:30:00Z');
      expect((await local.ok(DealDocument, { id: a.id })).deal!.status).toBe('APPROVED');
      // 2026-05-10 00:00 Moscow: day 61
      await local.advanceTo('2026-05-09T21:00:00Z');
      expect((await local.ok(DealDocument, { id: a.id })).deal!.status).toBe('EXPIRED');
      expect((await statusEvents(local, a.id)).at(-1)).toEqual({ type: 'DEAL_STATUS_CHANGED', status: 'EXPIRED', occurredAt: '2026-05-09T21:00:00.000Z' });
      const [row] = await local.app.ds.query(`SELECT expired_on::text AS expired_on FROM deals WHERE id = $1`, [a.id]);
      expect(row.expired_on).toBe('2026-05-10');
      // noticed again: nothing more happens
      expect(await local.app.scheduler.runDue()).toBe(0);
      expect((await statusEvents(local, b.id)).map((e) => e.status)).toEqual(['SUBMITTED', 'APPROVED', 'EXPIRED']);
      // too late to link: the subaccount is accepted, the deal stays expired
      const inn = (await local.ok(DealDocument, { id: a.id })).deal!.customerInn;
      await createSubaccount(local, p, { inn });
      expect((await local.ok(DealDocument, { id: a.id })).deal!.status).toBe('EXPIRED');
    });
  });

  it('dates a late-noticed expiry with its due date', async () => {
    await withOwnClock(async (local) => {
      const p = await activePartner(local);
      const deal = await registerDeal(local, p);
      await approveDeal(local, deal.id);
      await local.advanceTo('2026-07-01T09:00:00Z');
      expect((await statusEvents(local, deal.id)).at(-1)).toEqual({ type: 'DEAL_STATUS_CHANGED', status: 'EXPIRED', occurredAt: '2026-05-09T21:00:00.000Z' });
    });
  });

  it('ends an ACTIVE deal on the day its last covered subaccount is unlinked', async () => {
    await withOwnClock(async (local) => {
      const p = await activePartner(local);
      const inn = uniqueInn();
      const first = await createSubaccount(local, p, { inn });
      const second = await createSubaccount(local, p, { inn });
      const deal = await registerDeal(local, p, { customerInn: inn });
      await approveDeal(local, deal.id);
      await local.advanceTo('2026-03-15T09:00:00Z');
      await deleteSubaccount(local, p, first.id);
      expect((await local.ok(DealDocument, { id: deal.id })).deal).toMatchObject({ status: 'ACTIVE', endedOn: null, customer: { id: second.id } });
      await local.advanceTo('2026-04-02T09:00:00Z');
      await deleteSubaccount(local, p, second.id);
      const ended = (await local.ok(DealDocument, { id: deal.id })).deal!;
      expect(ended).toMatchObject({ status: 'ENDED', activatedOn: TODAY, endedOn: '2026-04-02' });
      expect((await local.ok(CustomerActiveDealDocument, { id: second.id })).customer!.activeDeal).toBeNull();
      // a new subaccount with the INN does not revive an ended deal
      await createSubaccount(local, p, { inn });
      expect((await local.ok(DealDocument, { id: deal.id })).deal!.status).toBe('ENDED');
    });
  });

  it('ends an ACTIVE procurement deal the day after its contract ends, dated with that day', async () => {
    await withOwnClock(async (local) => {
      const p = await activePartner(local);
      const inn = uniqueInn();
      await createSubaccount(local, p, { inn });
      const deal = await registerDeal(local, p, { customerInn: inn, procurement: true, contractEndsOn: '2026-04-15' });
      expect((await approveDeal(local, deal.id)).status).toBe('ACTIVE');
      await local.advanceTo('2026-04-15T20:00:00Z'); // 23:00 Moscow on the last contract day
      expect((await local.ok(DealDocument, { id: deal.id })).deal!.status).toBe('ACTIVE');
      await local.advanceTo('2026-05-20T09:00:00Z');
      expect((await local.ok(DealDocument, { id: deal.id })).deal).toMatchObject({ status: 'ENDED', endedOn: '2026-04-16' });
      expect((await statusEvents(local, deal.id)).at(-1)).toEqual({ type: 'DEAL_STATUS_CHANGED', status: 'ENDED', occurredAt: '2026-04-15T21:00:00.000Z' });
    });
  });

  it("ends the revoked partner's open deals and unlinks its subaccounts on the revocation day", async () => {
    await withOwnClock(async (local) => {
      const p = await activePartner(local);
      const inn = uniqueInn();
      const sub = await createSubaccount(local, p, { inn });
      const active = await registerDeal(local, p, { customerInn: inn });
      await approveDeal(local, active.id);
      const approved = await registerDeal(local, p);
      await approveDeal(local, approved.id);
      const submitted = await registerDeal(local, p);
      const rejected = await registerDeal(local, p);
      await rejectDeal(local, rejected.id);
      await local.advanceTo('2026-03-20T09:00:00Z');
      const r = await local.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'Breach of the agreement' } });
      expect(r.revokePartnerStatus.userErrors).toEqual([]);
      const deals = (await local.ok(PartnerDealsDocument, { id: p.id })).partner!.deals.edges.map((e) => e.node);
      expect(Object.fromEntries(deals.map((d) => [d.id, d.status]))).toEqual({
        [active.id]: 'ENDED',
        [approved.id]: 'ENDED',
        [submitted.id]: 'ENDED',
        [rejected.id]: 'REJECTED',
      });
      for (const id of [active.id, approved.id, submitted.id]) {
        expect((await local.ok(DealDocument, { id })).deal!.endedOn).toBe('2026-03-20');
        expect((await statusEvents(local, id)).at(-1)).toMatchObject({ status: 'ENDED', occurredAt: '2026-03-20T09:00:00.000Z' });
      }
      expect((await local.ok(CustomerActiveDealDocument, { id: sub.id })).customer).toMatchObject({ status: 'INACTIVE', activeDeal: null });
      const [link] = await local.app.ds.query(`SELECT linked_to::text AS linked_to FROM account_links WHERE customer_id = $1`, [sub.id]);
      expect(link.linked_to).toBe('2026-03-20');
      // the INN is free again for another partner
      const next = await activePartner(local);
      expect((await local.ok(RegisterDealDocument, { input: dealInput(next, { customerInn: inn }) }, next.ownerToken)).registerDeal.userErrors).toEqual([]);
    });
  });

  it("ends a quitting partner's deals on the effective date when the clock passes it", async () => {
    await withOwnClock(async (local) => {
      const p = await activePartner(local);
      const inn = uniqueInn();
      await createSubaccount(local, p, { inn });
      const deal = await registerDeal(local, p, { customerInn: inn });
      await approveDeal(local, deal.id);
      await local.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-04-20' } }, p.ownerToken);
      await local.advanceTo('2026-04-19T09:00:00Z');
      expect((await local.ok(DealDocument, { id: deal.id })).deal!.status).toBe('ACTIVE');
      await local.advanceTo('2026-05-05T09:00:00Z');
      expect((await local.ok(DealDocument, { id: deal.id })).deal).toMatchObject({ status: 'ENDED', endedOn: '2026-04-20' });
      expect((await statusEvents(local, deal.id)).at(-1)).toMatchObject({ status: 'ENDED', occurredAt: '2026-04-19T21:00:00.000Z' });
    });
  });
});

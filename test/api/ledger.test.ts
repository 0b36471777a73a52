import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdjustRebateBalanceDocument,
  PartnerBalancesDocument,
  PartnerRebatesDocument,
  RegisterProjectDocument,
  UpdatePartnerProfileDocument,
  WithdrawRebateDocument,
} from '../generated/graphql';
import { Dec } from '../../src/shared/money';
import { verifyLedger } from '../../src/modules/rebates/ledger-verify';
import { activePartner, eventsOf, tokenFor, uniqueAccount, uniqueInn, type TestPartner } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-05-20T09:00:00Z' });
});
afterAll(() => t.close());

const adjust = (partnerId: string, amount: string, reason = 'Manual correction', token?: string) =>
  t.gql(AdjustRebateBalanceDocument, { input: { partnerId, amount, reason } }, token);

async function adjustOk(partner: TestPartner, amount: string, reason = 'Manual correction') {
  const r = await adjust(partner.id, amount, reason);
  expect(r.errors).toBeUndefined();
  expect(r.data!.adjustRebateBalance.userErrors).toEqual([]);
  return r.data!.adjustRebateBalance.entry!;
}

const rebates = async (partner: TestPartner, args: { first?: number; after?: string } = {}, token?: string) =>
  (await t.ok(PartnerRebatesDocument, { id: partner.id, first: args.first ?? 100, after: args.after }, token)).partner!;

describe('adjustRebateBalance', () => {
  it('appends an ADJUSTMENT entry with the trimmed reason, the running balance and a ledger event', async () => {
    const p = await activePartner(t);
    const entry = await adjustOk(p, '1500.5', '  Migrated from the old program  ');
    expect(entry).toMatchObject({
      kind: 'ADJUSTMENT',
      amount: '1500.50',
      balanceAfter: '1500.50',
      description: 'Migrated from the old program',
      period: null,
      specialization: null,
      withdrawal: null,
      project: null,
      partner: { id: p.id },
      createdAt: '2026-05-20T09:00:00.000Z',
    });
    expect(entry.sequence).toMatch(/^\d+$/);
    expect((await eventsOf(t, entry.id)).map((e) => [e.type, e.status, e.sequence])).toEqual([['LEDGER_ENTRY', 'ADJUSTMENT', entry.sequence]]);
  });

  it('may be negative but never takes the balance below zero (INSUFFICIENT_BALANCE, nothing written)', async () => {
    const p = await activePartner(t);
    await adjustOk(p, '100.00');
    const down = await adjustOk(p, '-40.25');
    expect(down).toMatchObject({ amount: '-40.25', balanceAfter: '59.75' });
    const tooMuch = await adjust(p.id, '-59.76');
    expect(tooMuch.data!.adjustRebateBalance).toMatchObject({
      entry: null,
      userErrors: [expect.objectContaining({ code: 'INSUFFICIENT_BALANCE', field: ['input', 'amount'] })],
    });
    expect(await adjustOk(p, '-59.75')).toMatchObject({ balanceAfter: '0.00' });
    expect((await rebates(p)).rebateLedger.totalCount).toBe(3);
  });

  it('needs a reason and a non-zero amount of at most 2 fraction digits, reporting both at once', async () => {
    const p = await activePartner(t);
    const both = await adjust(p.id, '0', '   ');
    expect(both.data!.adjustRebateBalance.userErrors.map((e) => [e.code, e.field.join('.')]).sort()).toEqual([
      ['VALIDATION_FAILED', 'input.amount'],
      ['VALIDATION_FAILED', 'input.reason'],
    ]);
    const scale = await adjust(p.id, '1.001');
    expect(scale.data!.adjustRebateBalance.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'amount'] })]);
    const bad = await adjust(p.id, '1e3');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await rebates(p)).rebateLedger.totalCount).toBe(0);
  });

  it('is ADMIN only; an unknown partner is NOT_FOUND', async () => {
    const p = await activePartner(t);
    for (const token of [p.ownerToken, await tokenFor(t, p, 'PARTNER_ACCOUNTANT')]) {
      expect((await adjust(p.id, '10.00', 'self-service', token)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    const unknown = await adjust(crypto.randomUUID(), '10.00');
    expect(unknown.data!.adjustRebateBalance.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'partnerId'] });
    const notUuid = await adjust('nope', '10.00');
    expect(notUuid.data!.adjustRebateBalance.userErrors[0].code).toBe('NOT_FOUND');
  });
});

describe('Partner.rebateLedger and Partner.rebateBalance', () => {
  it('lists entries in sequence order with running balances, paged by an opaque cursor', async () => {
    const p = await activePartner(t);
    for (const amount of ['10.00', '20.00', '-5.00', '30.00', '-15.00']) await adjustOk(p, amount);
    const page1 = (await rebates(p, { first: 2 })).rebateLedger;
    expect(page1.totalCount).toBe(5);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await rebates(p, { first: 2, after: page1.pageInfo.endCursor! })).rebateLedger;
    const page3 = (await rebates(p, { first: 2, after: page2.pageInfo.endCursor! })).rebateLedger;
    expect(page3.pageInfo.hasNextPage).toBe(false);
    const entries = [...page1.edges, ...page2.edges, ...page3.edges].map((e) => e.node);
    expect(entries.map((e) => e.balanceAfter)).toEqual(['10.00', '30.00', '25.00', '55.00', '40.00']);
    const sequences = entries.map((e) => BigInt(e.sequence));
    expect([...sequences].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequences);
    const bad = await t.gql(PartnerRebatesDocument, { id: p.id, first: 2, after: 'garbage' });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await t.gql(PartnerRebatesDocument, { id: p.id, first: 101 });
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('sums accruals, PENDING payouts and the co-marketing budget into RebateBalance', async () => {
    const p = await activePartner(t);
    const registered = await t.ok(
      RegisterProjectDocument,
      {
        input: {
          partnerId: p.id,
          customerInn: uniqueInn(),
          customerName: 'Direct Co',
          customerBillingAccountId: uniqueAccount('ba-direct'),
          scope: 'CLOUD',
          scopeId: uniqueAccount('cloud'),
          targetMonthlyConsumption: '50000.00',
          description: 'Migration',
        },
      },
      p.ownerToken,
    );
    expect(registered.registerProject.userErrors).toEqual([]);
    const projectId: string = registered.registerProject.project!.id;
    const now = t.app.clock.now();
    // Accruals are written by the month close; here they are appended directly through the ledger service.
    await t.app.ds.transaction((manager) =>
      t.app.ledger.append(manager, [
        {
          partnerId: p.id,
          kind: 'PROJECT_REBATE',
          amount: new Dec('4500.00'),
          period: '2026-04',
          projectId,
          description: 'Project rebate 2026-04',
          createdAt: now,
        },
        {
          partnerId: p.id,
          kind: 'SPECIALIZATION_REBATE',
          amount: new Dec('700.00'),
          period: '2026-Q1',
          specialization: 'INFRA_DEVOPS',
          description: 'INFRA_DEVOPS 2026-Q1',
          createdAt: now,
        },
      ]),
    );
    await t.app.ds.query(
      `INSERT INTO specialization_bases (partner_id, specialization, quarter, eligible_consumption, level, base, rebate, co_marketing)
       VALUES ($1, 'INFRA_DEVOPS', '2025-Q4', 10000, 'PROFESSIONAL', 10000, 700, 300.10), ($1, 'ML_AI', '2026-Q1', 5000, 'EXPERT', 5000, 0, 75.05)`,
      [p.id],
    );
    await adjustOk(p, '-200.00');
    await t.ok(UpdatePartnerProfileDocument, {
      input: { partnerId: p.id, bankAccount: { bic: '044525225', accountNumber: '40702810438000034726' } },
    });
    const bank = await t.ok(WithdrawRebateDocument, { input: { partnerId: p.id, amount: '1000', destination: 'BANK_ACCOUNT', idempotencyKey: 'b1' } });
    expect(bank.withdrawRebate.userErrors).toEqual([]);
    const partner = await rebates(p, {}, await tokenFor(t, p, 'PARTNER_VIEWER'));
    expect(partner.rebateBalance).toEqual({ available: '4000.00', pendingWithdrawals: '1000.00', accruedTotal: '5200.00', coMarketingBudget: '375.15' });
    const [project, spec] = partner.rebateLedger.edges.map((e) => e.node);
    expect(project).toMatchObject({ kind: 'PROJECT_REBATE', period: '2026-04', project: { id: projectId }, specialization: null });
    expect(spec).toMatchObject({ kind: 'SPECIALIZATION_REBATE', period: '2026-Q1', specialization: 'INFRA_DEVOPS', project: null });
  });

  it('shows zeros for a partner without entries and batches balances of many partners', async () => {
    const partners = await Promise.all([activePartner(t), activePartner(t), activePartner(t)]);
    await adjustOk(partners[1], '12.34');
    const ids = partners.map((p) => p.id);
    const r = await t.ok(PartnerBalancesDocument);
    const balances = new Map(r.partners.edges.map((e) => [e.node.id, e.node.rebateBalance.available]));
    expect(ids.map((id) => balances.get(id))).toEqual(['0.00', '12.34', '0.00']);
  });

  it("hides another partner's ledger (FORBIDDEN)", async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const r = await t.gql(PartnerRebatesDocument, { id: other.id }, p.ownerToken);
    expect(r.data?.partner).toBeNull();
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('verifyLedger', () => {
  it('finds nothing wrong with a ledger written through the services', async () => {
    expect(await verifyLedger(t.app.ds.manager)).toEqual([]);
  });

  it('reports broken chains, withdrawals without their entry and unreturned rejections', async () => {
    const p = await activePartner(t);
    await adjustOk(p, '100.00');
    const runner = t.app.ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const m = runner.manager;
      // An entry whose balance does not follow from the previous one (and that has no event).
      await m.query(
        `INSERT INTO ledger_entries (partner_id, kind, amount, balance_after, description, sequence, created_at)
         VALUES ($1, 'ADJUSTMENT', 10, 500, 'forged', nextval('event_sequence'), now())`,
        [p.id],
      );
      // A withdrawal that never left the balance, and a rejected one never returned.
      const [{ id: lost }] = await m.query(
        `INSERT INTO withdrawals (partner_id, amount, destination, status, idempotency_key, created_at) VALUES ($1, 5, 'BONUS', 'APPLIED', 'lost', now()) RETURNING id`,
        [p.id],
      );
      const [{ id: unreturned }] = await m.query(
        `INSERT INTO withdrawals (partner_id, amount, destination, status, idempotency_key, created_at) VALUES ($1, 7, 'BANK_ACCOUNT', 'REJECTED', 'unreturned', now()) RETURNING id`,
        [p.id],
      );
      const violations = await verifyLedger(m);
      const rules = violations.map((v) => [v.rule, v.partnerId, v.subjectId ?? null]);
      expect(rules).toEqual(
        expect.arrayContaining([
          ['RUNNING_BALANCE_BROKEN', p.id, expect.any(String)],
          ['BALANCE_NOT_SUM', p.id, null],
          ['ENTRY_WITHOUT_EVENT', p.id, expect.any(String)],
          ['WITHDRAWAL_ENTRY_MISMATCH', p.id, lost],
          ['WITHDRAWAL_ENTRY_MISMATCH', p.id, unreturned],
          ['REVERSAL_MISMATCH', p.id, unreturned],
        ]),
      );
      expect(violations.every((v) => v.partnerId === p.id)).toBe(true);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await verifyLedger(t.app.ds.manager)).toEqual([]);
  });
});

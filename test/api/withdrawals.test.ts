import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdjustRebateBalanceDocument,
  PartnerRebatesDocument,
  RevokePartnerStatusDocument,
  SettleWithdrawalDocument,
  UpdatePartnerProfileDocument,
  WithdrawalDocument,
  WithdrawalsDocument,
  WithdrawRebateDocument,
  type WithdrawalDestination,
} from '../generated/graphql';
import { verifyLedger } from '../../src/modules/rebates/ledger-verify';
import { activePartner, applyPartner, eventsOf, tokenFor, type TestPartner } from '../support/factories';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
});
afterAll(() => t.close());

const BANK = { bic: '044525225', accountNumber: '40702810438000034726', bankName: 'Sberbank' };

async function fund(partner: TestPartner, amount: string): Promise<void> {
  const r = await t.ok(AdjustRebateBalanceDocument, { input: { partnerId: partner.id, amount, reason: 'Test funding' } });
  expect(r.adjustRebateBalance.userErrors).toEqual([]);
}

async function addBankAccount(partner: TestPartner, bank = BANK): Promise<void> {
  const r = await t.ok(UpdatePartnerProfileDocument, { input: { partnerId: partner.id, bankAccount: bank } }, partner.ownerToken);
  expect(r.updatePartnerProfile.userErrors).toEqual([]);
}

function withdraw(partner: TestPartner, amount: string, options: { destination?: WithdrawalDestination; key?: string; token?: string | null } = {}) {
  return t.gql(
    WithdrawRebateDocument,
    { input: { partnerId: partner.id, amount, destination: options.destination ?? 'BONUS', idempotencyKey: options.key ?? crypto.randomUUID() } },
    options.token === undefined ? partner.ownerToken : options.token,
  );
}

async function withdrawOk(partner: TestPartner, amount: string, options: Parameters<typeof withdraw>[2] = {}) {
  const r = await withdraw(partner, amount, options);
  expect(r.errors).toBeUndefined();
  expect(r.data!.withdrawRebate.userErrors).toEqual([]);
  return r.data!.withdrawRebate.withdrawal!;
}

function settle(withdrawalId: string, decision: 'PAID' | 'REJECTED', details: { paymentReference?: string; reason?: string } = {}, token?: string) {
  return t.ok(SettleWithdrawalDocument, { input: { withdrawalId, decision, ...details } }, token);
}

async function rebates(partner: TestPartner, first = 100) {
  return (await t.ok(PartnerRebatesDocument, { id: partner.id, first })).partner!;
}

async function expectSoundLedger(): Promise<void> {
  expect(await verifyLedger(t.app.ds.manager)).toEqual([]);
}

describe('withdrawals under concurrency', () => {
  it('lets exactly 10 of 50 concurrent withdrawals of 100.00 through against a balance of 1000.00', async () => {
    const p = await activePartner(t);
    await fund(p, '1000.00');
    const results = await Promise.all(Array.from({ length: 50 }, () => withdraw(p, '100.00')));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const succeeded = results.filter((r) => r.data!.withdrawRebate.withdrawal);
    const refused = results.filter((r) => !r.data!.withdrawRebate.withdrawal);
    expect(succeeded).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused)
      expect(r.data!.withdrawRebate.userErrors).toEqual([expect.objectContaining({ code: 'INSUFFICIENT_BALANCE', field: ['input', 'amount'] })]);

    const partner = await rebates(p);
    expect(partner.rebateBalance.available).toBe('0.00');
    expect(partner.withdrawals.totalCount).toBe(10);
    const ledger = partner.rebateLedger.edges.map((e) => e.node);
    expect(ledger).toHaveLength(11);
    expect(ledger.map((e) => e.balanceAfter)).toEqual([
      '1000.00',
      '900.00',
      '800.00',
      '700.00',
      '600.00',
      '500.00',
      '400.00',
      '300.00',
      '200.00',
      '100.00',
      '0.00',
    ]);
    await expectSoundLedger();
  });

  it('turns 20 concurrent retries of one idempotency key into one withdrawal and one ledger entry', async () => {
    const p = await activePartner(t);
    await fund(p, '500.00');
    const key = 'invoice-2026-03-retry';
    // "100" and "100.00" are the same amount once normalised
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => withdraw(p, i % 2 ? '100' : '100.00', { key })));
    const ids = new Set(results.map((r) => r.data!.withdrawRebate.withdrawal?.id));
    expect(results.flatMap((r) => r.data!.withdrawRebate.userErrors)).toEqual([]);
    expect(ids.size).toBe(1);
    const partner = await rebates(p);
    expect(partner.withdrawals.totalCount).toBe(1);
    expect(partner.rebateLedger.edges.filter((e) => e.node.kind === 'WITHDRAWAL')).toHaveLength(1);
    expect(partner.rebateBalance.available).toBe('400.00');
    expect((await eventsOf(t, [...ids][0]!)).map((e) => e.status)).toEqual(['APPLIED']);
    await expectSoundLedger();
  });
});

describe('idempotency keys', () => {
  it('refuses the same key with another amount or destination (IDEMPOTENCY_KEY_REUSED) and moves nothing', async () => {
    const p = await activePartner(t);
    await addBankAccount(p);
    await fund(p, '1000.00');
    const first = await withdrawOk(p, '100.00', { key: 'k-1' });
    for (const [amount, destination] of [
      ['100.01', 'BONUS'],
      ['100.00', 'BANK_ACCOUNT'],
    ] as const) {
      const r = await withdraw(p, amount, { key: 'k-1', destination });
      expect(r.data!.withdrawRebate.withdrawal).toBeNull();
      expect(r.data!.withdrawRebate.userErrors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] })]);
    }
    const replay = await withdrawOk(p, '100', { key: 'k-1' });
    expect(replay).toEqual(first);
    expect((await rebates(p)).rebateBalance.available).toBe('900.00');
  });

  it('keeps keys per partner: another partner may use the same key', async () => {
    const a = await activePartner(t);
    const b = await activePartner(t);
    await fund(a, '10.00');
    await fund(b, '10.00');
    const wa = await withdrawOk(a, '5.00', { key: 'shared-key' });
    const wb = await withdrawOk(b, '6.00', { key: 'shared-key' });
    expect(wa.id).not.toBe(wb.id);
  });

  it('does not use up a key when the request is refused with userErrors', async () => {
    const p = await activePartner(t);
    const refused = await withdraw(p, '50.00', { key: 'retry-me' });
    expect(refused.data!.withdrawRebate.userErrors[0].code).toBe('INSUFFICIENT_BALANCE');
    const invalid = await withdraw(p, '0.001', { key: 'retry-me' });
    expect(invalid.data!.withdrawRebate.userErrors[0].code).toBe('VALIDATION_FAILED');
    await fund(p, '50.00');
    const ok = await withdrawOk(p, '50.00', { key: 'retry-me' });
    expect(ok.status).toBe('APPLIED');
  });

  it('answers a replay with the original withdrawal before checking anything else (even after the partner left)', async () => {
    const p = await activePartner(t);
    await fund(p, '100.00');
    const original = await withdrawOk(p, '30.00', { key: 'before-exit' });
    await t.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'Breach' } });
    expect(await withdrawOk(p, '30.00', { key: 'before-exit' })).toEqual(original);
    const fresh = await withdraw(p, '30.00', { key: 'after-exit' });
    expect(fresh.data!.withdrawRebate.userErrors[0].code).toBe('PARTNER_NOT_ACTIVE');
  });
});

describe('withdrawal input', () => {
  it.each(['0', '-1', '0.001', '-0.00'])('refuses the amount %j with VALIDATION_FAILED on input.amount', async (amount) => {
    const p = await activePartner(t);
    await fund(p, '100.00');
    const r = await withdraw(p, amount);
    expect(r.errors).toBeUndefined();
    expect(r.data!.withdrawRebate.withdrawal).toBeNull();
    expect(r.data!.withdrawRebate.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'amount'] })]);
    expect((await rebates(p)).rebateBalance.available).toBe('100.00');
  });

  it.each<[string, unknown]>([
    ['exponent notation', '1e3'],
    ['a JSON number', 1000],
    ['a padded string', ' 100'],
  ])('refuses %s as a top-level BAD_USER_INPUT', async (_label, amount) => {
    const p = await activePartner(t);
    await fund(p, '2000.00');
    const r = await t.gql(
      WithdrawRebateDocument,
      { input: { partnerId: p.id, amount: amount as string, destination: 'BONUS', idempotencyKey: 'x' } },
      p.ownerToken,
    );
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await rebates(p)).withdrawals.totalCount).toBe(0);
  });

  it('refuses a number literal in the document as BAD_USER_INPUT', async () => {
    const p = await activePartner(t);
    const r = await t.gql(
      `mutation { withdrawRebate(input: { partnerId: "${p.id}", amount: 1000, destination: BONUS, idempotencyKey: "lit" }) { withdrawal { id } } }`,
      {},
      p.ownerToken,
    );
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reports every field error together (amount and idempotency key)', async () => {
    const p = await activePartner(t);
    for (const key of ['', '   ', 'k'.repeat(201)]) {
      const r = await withdraw(p, '0', { key });
      expect(r.data!.withdrawRebate.userErrors.map((e) => e.field.join('.')).sort()).toEqual(['input.amount', 'input.idempotencyKey']);
    }
    expect((await withdraw(p, '1.00', { key: 'k'.repeat(200) })).data!.withdrawRebate.userErrors[0].code).toBe('INSUFFICIENT_BALANCE');
  });

  it('checks field validation before the balance', async () => {
    const p = await activePartner(t);
    const r = await withdraw(p, '5.005');
    expect(r.data!.withdrawRebate.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED' })]);
  });
});

describe('who may withdraw', () => {
  it('refuses VIEWER and INTEGRATOR tokens with FORBIDDEN and moves nothing', async () => {
    const p = await activePartner(t);
    await fund(p, '100.00');
    for (const role of ['PARTNER_VIEWER', 'INTEGRATOR'] as const) {
      const r = await withdraw(p, '10.00', { token: await tokenFor(t, p, role) });
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await rebates(p)).rebateBalance.available).toBe('100.00');
  });

  it('lets the owner, an accountant and ADMIN (on behalf) withdraw', async () => {
    const p = await activePartner(t);
    await fund(p, '100.00');
    await withdrawOk(p, '10.00');
    await withdrawOk(p, '10.00', { token: await tokenFor(t, p, 'PARTNER_ACCOUNTANT') });
    await withdrawOk(p, '10.00', { token: ADMIN_TOKEN });
    expect((await rebates(p)).withdrawals.totalCount).toBe(3);
  });

  it("refuses another partner's id with FORBIDDEN", async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    await fund(other, '100.00');
    const r = await withdraw(other, '10.00', { token: p.ownerToken });
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const accountant = await withdraw(other, '10.00', { token: await tokenFor(t, p, 'PARTNER_ACCOUNTANT') });
    expect(accountant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await rebates(other)).rebateBalance.available).toBe('100.00');
  });

  it('needs a token at all (UNAUTHENTICATED)', async () => {
    const p = await activePartner(t);
    const r = await withdraw(p, '10.00', { token: null });
    expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('BONUS withdrawals', () => {
  it('are APPLIED at once to the current month with a WITHDRAWAL ledger entry and a status event', async () => {
    const p = await activePartner(t);
    await fund(p, '250.00');
    const w = await withdrawOk(p, '100.5');
    expect(w).toMatchObject({
      amount: '100.50',
      destination: 'BONUS',
      status: 'APPLIED',
      month: '2026-03',
      bankAccount: null,
      paymentReference: null,
      partner: { id: p.id },
    });
    const partner = await rebates(p);
    expect(partner.rebateBalance).toEqual({ available: '149.50', pendingWithdrawals: '0.00', accruedTotal: '0.00', coMarketingBudget: '0.00' });
    const entry = partner.rebateLedger.edges[1].node;
    expect(entry).toMatchObject({ kind: 'WITHDRAWAL', amount: '-100.50', balanceAfter: '149.50', withdrawal: { id: w.id, status: 'APPLIED' } });
    const events = await eventsOf(t, w.id);
    expect(events.map((e) => [e.type, e.status])).toEqual([['WITHDRAWAL_STATUS_CHANGED', 'APPLIED']]);
    expect((await eventsOf(t, entry.id)).map((e) => e.sequence)).toEqual([entry.sequence]);
  });

  it('need an ACTIVE or QUITTING partner; after exit only BANK_ACCOUNT is open', async () => {
    const p = await activePartner(t);
    await addBankAccount(p);
    await fund(p, '100.00');
    await t.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'Left' } });
    const bonus = await withdraw(p, '10.00');
    expect(bonus.data!.withdrawRebate.userErrors[0].code).toBe('PARTNER_NOT_ACTIVE');
    const bank = await withdrawOk(p, '10.00', { destination: 'BANK_ACCOUNT' });
    expect(bank.status).toBe('PENDING');
  });

  it('are refused for a partner still under review', async () => {
    const p = await applyPartner(t);
    await fund(p, '100.00');
    for (const destination of ['BONUS', 'BANK_ACCOUNT'] as const) {
      expect((await withdraw(p, '10.00', { destination })).data!.withdrawRebate.userErrors[0].code).toBe('PARTNER_NOT_ACTIVE');
    }
  });
});

describe('bank payouts', () => {
  it('need bank details on file (NO_BANK_ACCOUNT)', async () => {
    const p = await activePartner(t);
    await fund(p, '100.00');
    const r = await withdraw(p, '10.00', { destination: 'BANK_ACCOUNT' });
    expect(r.data!.withdrawRebate.userErrors).toEqual([expect.objectContaining({ code: 'NO_BANK_ACCOUNT' })]);
  });

  it('are PENDING with a snapshot of the bank details, counted in pendingWithdrawals', async () => {
    const p = await activePartner(t);
    await addBankAccount(p);
    await fund(p, '300.00');
    const w = await withdrawOk(p, '120.00', { destination: 'BANK_ACCOUNT' });
    expect(w).toMatchObject({ status: 'PENDING', month: null, bankAccount: BANK });
    // a later change of the partner's bank details does not touch the payout
    await addBankAccount(p, { bic: '044525974', accountNumber: '40702810610000000001', bankName: 'Other' });
    const again = (await t.ok(WithdrawalDocument, { id: w.id })).withdrawal!;
    expect(again.bankAccount).toEqual(BANK);
    expect((await rebates(p)).rebateBalance).toMatchObject({ available: '180.00', pendingWithdrawals: '120.00' });
  });

  it('are settled PAID once, with a payment reference', async () => {
    const p = await activePartner(t);
    await addBankAccount(p);
    await fund(p, '300.00');
    const w = await withdrawOk(p, '100.00', { destination: 'BANK_ACCOUNT' });
    const missing = await settle(w.id, 'PAID', { paymentReference: '  ' });
    expect(missing.settleWithdrawal.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'paymentReference'] })]);
    const paid = await settle(w.id, 'PAID', { paymentReference: ' PP-2026-0001 ' });
    expect(paid.settleWithdrawal.withdrawal).toMatchObject({ status: 'PAID', paymentReference: 'PP-2026-0001' });
    for (const decision of ['PAID', 'REJECTED'] as const) {
      const again = await settle(w.id, decision, { paymentReference: 'x', reason: 'x' });
      expect(again.settleWithdrawal.userErrors[0].code).toBe('INVALID_TRANSITION');
      expect(again.settleWithdrawal.userErrors[0].message).toContain('PAID');
    }
    expect((await rebates(p)).rebateBalance).toMatchObject({ available: '200.00', pendingWithdrawals: '0.00' });
    expect((await eventsOf(t, w.id)).map((e) => e.status)).toEqual(['PENDING', 'PAID']);
  });

  it('return the money exactly once when REJECTED (a WITHDRAWAL_REVERSAL entry), even when rejected concurrently', async () => {
    const p = await activePartner(t);
    await addBankAccount(p);
    await fund(p, '300.00');
    const w = await withdrawOk(p, '100.00', { destination: 'BANK_ACCOUNT' });
    const noReason = await settle(w.id, 'REJECTED', {});
    expect(noReason.settleWithdrawal.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'reason'] })]);
    const results = await Promise.all(Array.from({ length: 8 }, () => settle(w.id, 'REJECTED', { reason: 'Account closed' })));
    expect(results.filter((r) => r.settleWithdrawal.withdrawal)).toHaveLength(1);
    expect(results.filter((r) => r.settleWithdrawal.userErrors[0]?.code === 'INVALID_TRANSITION')).toHaveLength(7);
    const rejected = results.find((r) => r.settleWithdrawal.withdrawal)!.settleWithdrawal.withdrawal!;
    expect(rejected).toMatchObject({ status: 'REJECTED', statusReason: 'Account closed', paymentReference: null });
    const paidAfter = await settle(w.id, 'PAID', { paymentReference: 'late' });
    expect(paidAfter.settleWithdrawal.userErrors[0].code).toBe('INVALID_TRANSITION');

    const partner = await rebates(p);
    expect(partner.rebateBalance).toMatchObject({ available: '300.00', pendingWithdrawals: '0.00' });
    const reversals = partner.rebateLedger.edges.map((e) => e.node).filter((e) => e.kind === 'WITHDRAWAL_REVERSAL');
    expect(reversals).toEqual([expect.objectContaining({ amount: '100.00', balanceAfter: '300.00', withdrawal: { id: w.id, status: 'REJECTED' } })]);
    expect((await eventsOf(t, w.id)).map((e) => e.status)).toEqual(['PENDING', 'REJECTED']);
    await expectSoundLedger();
  });

  it('are settled by ADMIN only; an unknown withdrawal is NOT_FOUND; BONUS ones cannot be settled', async () => {
    const p = await activePartner(t);
    await addBankAccount(p);
    await fund(p, '100.00');
    const w = await withdrawOk(p, '10.00', { destination: 'BANK_ACCOUNT' });
    const byOwner = await t.gql(SettleWithdrawalDocument, { input: { withdrawalId: w.id, decision: 'PAID', paymentReference: 'x' } }, p.ownerToken);
    expect(byOwner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const unknown = await settle(crypto.randomUUID(), 'PAID', { paymentReference: 'x' });
    expect(unknown.settleWithdrawal.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'withdrawalId'] });
    const bonus = await withdrawOk(p, '10.00');
    const settleBonus = await settle(bonus.id, 'REJECTED', { reason: 'x' });
    expect(settleBonus.settleWithdrawal.userErrors[0]).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(settleBonus.settleWithdrawal.userErrors[0].message).toContain('APPLIED');
  });
});

describe('reading withdrawals', () => {
  it("gives null and FORBIDDEN for another partner's withdrawal", async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    await fund(other, '10.00');
    const w = await withdrawOk(other, '1.00');
    const r = await t.gql(WithdrawalDocument, { id: w.id }, p.ownerToken);
    expect(r.data?.withdrawal).toBeNull();
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const own = await t.ok(WithdrawalDocument, { id: w.id }, await tokenFor(t, other, 'PARTNER_VIEWER'));
    expect(own.withdrawal!.id).toBe(w.id);
    expect((await t.ok(WithdrawalDocument, { id: 'not-a-uuid' })).withdrawal).toBeNull();
  });

  it('shows ADMIN the whole payout queue (filterable) and a partner token only its own withdrawals', async () => {
    const a = await activePartner(t);
    const b = await activePartner(t);
    for (const p of [a, b]) {
      await addBankAccount(p);
      await fund(p, '100.00');
      await withdrawOk(p, '10.00', { destination: 'BANK_ACCOUNT' });
      await withdrawOk(p, '5.00');
    }
    const queue = await t.ok(WithdrawalsDocument, { status: 'PENDING', first: 100 });
    const ids = queue.withdrawals.edges.map((e) => e.node.partner.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(queue.withdrawals.edges.every((e) => e.node.status === 'PENDING')).toBe(true);
    const onlyA = await t.ok(WithdrawalsDocument, { partnerId: a.id });
    expect(onlyA.withdrawals.totalCount).toBe(2);
    const own = await t.ok(WithdrawalsDocument, {}, b.ownerToken);
    expect(own.withdrawals.edges.every((e) => e.node.partner.id === b.id)).toBe(true);
    expect(own.withdrawals.totalCount).toBe(2);
    const foreign = await t.gql(WithdrawalsDocument, { partnerId: a.id }, b.ownerToken);
    expect(foreign.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('pages Partner.withdrawals in creation order and filters by status', async () => {
    const p = await activePartner(t);
    await fund(p, '100.00');
    for (let i = 1; i <= 5; i++) await withdrawOk(p, `${i}.00`);
    const page1 = await t.ok(WithdrawalsDocument, { partnerId: p.id, first: 2 });
    expect(page1.withdrawals).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true } });
    const page2 = await t.ok(WithdrawalsDocument, { partnerId: p.id, first: 10, after: page1.withdrawals.pageInfo.endCursor });
    const all = [...page1.withdrawals.edges, ...page2.withdrawals.edges].map((e) => e.node.id);
    expect(new Set(all).size).toBe(5);
    expect((await t.ok(PartnerRebatesDocument, { id: p.id, status: 'PENDING' })).partner!.withdrawals.totalCount).toBe(0);
    expect((await t.ok(PartnerRebatesDocument, { id: p.id, status: 'APPLIED' })).partner!.withdrawals.totalCount).toBe(5);
  });
});

describe('ledger consistency', () => {
  it('verifyLedger finds no violation in a ledger with every kind of movement (also when this test runs alone)', async () => {
    const p = await activePartner(t);
    await addBankAccount(p);
    await fund(p, '1000.00');
    await withdrawOk(p, '100.00');
    const paid = await withdrawOk(p, '200.00', { destination: 'BANK_ACCOUNT' });
    const rejected = await withdrawOk(p, '300.00', { destination: 'BANK_ACCOUNT' });
    expect((await settle(paid.id, 'PAID', { paymentReference: 'PAY-1' })).settleWithdrawal.userErrors).toEqual([]);
    expect((await settle(rejected.id, 'REJECTED', { reason: 'wrong details' })).settleWithdrawal.userErrors).toEqual([]);
    // The check has something to check: this partner's entries, and the running balance they end at.
    const entries: { kind: string; at700: boolean }[] = await t.app.ds.query(
      `SELECT kind, balance_after = 700 AS "at700" FROM ledger_entries WHERE partner_id = $1 ORDER BY sequence`,
      [p.id],
    );
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(entries[entries.length - 1].at700).toBe(true);
    await expectSoundLedger();
  });
});

import { describe, expect, it } from 'vitest';
import {
  AcceptSubaccountInvitationDocument,
  AdjustRebateBalanceDocument,
  CloseBillingMonthDocument,
  PartnerInvoiceDocument,
  RecordConsumptionDocument,
  RevokePartnerStatusDocument,
  SetPartnerSpecializationDocument,
  WithdrawRebateDocument,
  type Specialization,
} from '../generated/graphql';
import { activePartner, uniqueAccount, type TestPartner } from '../support/factories';
import {
  acceptSubaccount,
  closeMonth,
  createSubaccount,
  deleteSubaccount,
  insertActiveDeal,
  insertApprovedProject,
  ledgerOf,
  recordUsage,
} from '../support/billing-fixtures';
import { setupTestApp, type TestApp } from '../support/test-app';

async function withApp(now: string, run: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await setupTestApp({ now });
  try {
    await run(t);
  } finally {
    await t.close();
  }
}

const partnerInvoice = async (t: TestApp, partner: TestPartner, month: string) =>
  (await t.ok(PartnerInvoiceDocument, { id: partner.id, month }, partner.ownerToken)).partner!;
/** The partner's invoice of the month (the test fails at once when there is none) and its bonus. */
const invoiceOf = async (t: TestApp, partner: TestPartner, month: string) => {
  const { invoice, ...rest } = await partnerInvoice(t, partner, month);
  if (!invoice) throw new Error(`no invoice for ${month}`);
  return { ...rest, invoice };
};

describe('the worked example of SPEC §17', () => {
  it('reproduces every figure through the API, in the preview and the final invoice', async () => {
    await withApp('2025-12-20T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const c = await createSubaccount(t, p, { accept: false });
      await t.advanceTo('2026-01-01T06:00:00Z');
      await t.ok(AcceptSubaccountInvitationDocument, { input: { customerId: c.id } });
      await insertActiveDeal(t, p, c.inn, '0.05', '2026-01-01');
      await t.advanceTo('2026-02-02T06:00:00Z');
      await recordUsage(t, [
        { billingAccountId: c.billingAccountId, date: '2026-01-10', serviceId: 'compute', cost: '60000' },
        { billingAccountId: c.billingAccountId, date: '2026-01-20', serviceId: 'compute', cost: '40000' },
        { billingAccountId: c.billingAccountId, date: '2026-01-11', serviceId: 'marketplace', cost: '20000' },
        { billingAccountId: c.billingAccountId, date: '2026-01-12', serviceId: 'object-storage', cost: '50000', grantCredit: '10000' },
        { billingAccountId: p.ownBillingAccountId, date: '2026-01-13', serviceId: 'compute', cost: '30000' },
      ]);
      const expectTotals = (invoice: any) =>
        expect(invoice).toMatchObject({
          totalCost: '200000.00',
          grantCredits: '10000.00',
          eligibleAmount: '140000.00',
          discount: '21000.00',
          payable: '169000.00',
          bonusWithdrawalsApplied: '0.00',
          bonusCarriedOver: '0.00',
        });

      const preview = await invoiceOf(t, p, '2026-01');
      expect(preview.invoice.isFinal).toBe(false);
      expectTotals(preview.invoice);
      expect(preview.bonus).toEqual({ month: '2026-01', absolute: '21000.00', relative: '0.1235', eligibleAmount: '140000.00' });

      const closed = await t.ok(CloseBillingMonthDocument, { input: { month: '2026-01' } });
      expect(closed.closeBillingMonth).toMatchObject({ month: '2026-01', userErrors: [] });
      const final = await invoiceOf(t, p, '2026-01');
      expect(final.invoice.isFinal).toBe(true);
      expect(final.invoice.closedAt).not.toBeNull();
      expectTotals(final.invoice);
      expect(final.bonus).toEqual({ month: '2026-01', absolute: '21000.00', relative: '0.1235', eligibleAmount: '140000.00' });
      const lines = Object.fromEntries(
        final.invoice.lines.map((l: any) => [`${l.billingAccountId === p.ownBillingAccountId ? 'own' : 'c'}:${l.serviceId}`, l]),
      );
      expect(lines['c:compute']).toMatchObject({
        cost: '100000.00',
        eligible: '100000.00',
        bonusRate: '0.15',
        dealBonusRate: '0.05',
        discount: '15000.00',
        payable: '85000.00',
        exclusion: null,
        customer: { id: c.id },
      });
      expect(lines['c:marketplace']).toMatchObject({ eligible: '0.00', bonusRate: '0', dealBonusRate: '0', discount: '0.00', exclusion: 'EXCLUDED_SERVICE' });
      expect(lines['c:object-storage']).toMatchObject({
        cost: '50000.00',
        grantCredit: '10000.00',
        eligible: '40000.00',
        discount: '6000.00',
        payable: '34000.00',
      });
      expect(lines['own:compute']).toMatchObject({ eligible: '0.00', bonusRate: '0', exclusion: 'PARTNER_OWN', customer: null, payable: '30000.00' });
    });
  });
});

describe('invoice lines', () => {
  it('counts only the linked days of a subaccount linked and unlinked mid-month; direct days are on no invoice', async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const c = await createSubaccount(t, p, { accept: false });
      await t.advanceTo('2026-01-10T09:00:00Z');
      await t.ok(AcceptSubaccountInvitationDocument, { input: { customerId: c.id } });
      await t.advanceTo('2026-01-20T09:00:00Z');
      await deleteSubaccount(t, c.id);
      await t.advanceTo('2026-02-01T09:00:00Z');
      await recordUsage(t, [
        { billingAccountId: c.billingAccountId, date: '2026-01-09', serviceId: 'compute', cost: '1000' }, // direct
        { billingAccountId: c.billingAccountId, date: '2026-01-10', serviceId: 'compute', cost: '200' }, // linked
        { billingAccountId: c.billingAccountId, date: '2026-01-19', serviceId: 'compute', cost: '300' }, // linked
        { billingAccountId: c.billingAccountId, date: '2026-01-20', serviceId: 'compute', cost: '5000' }, // unlinked that day
      ]);
      const { invoice } = await invoiceOf(t, p, '2026-01');
      expect(invoice.lines).toHaveLength(1);
      expect(invoice.lines[0]).toMatchObject({ cost: '500.00', discount: '50.00', bonusRate: '0.1' });
      expect(invoice.totalCost).toBe('500.00');
    });
  });

  it('splits a service into two lines when a deal activates mid-month', async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const c = await createSubaccount(t, p);
      await insertActiveDeal(t, p, c.inn, '0.07', '2026-01-16');
      await t.advanceTo('2026-02-01T09:00:00Z');
      await recordUsage(t, [
        { billingAccountId: c.billingAccountId, date: '2026-01-15', serviceId: 'compute', cost: '1000' },
        { billingAccountId: c.billingAccountId, date: '2026-01-16', serviceId: 'compute', cost: '2000' },
      ]);
      const { invoice } = await invoiceOf(t, p, '2026-01');
      expect(invoice.lines.map((l: any) => [l.serviceId, l.cost, l.bonusRate, l.dealBonusRate, l.discount])).toEqual([
        ['compute', '1000.00', '0.1', '0', '100.00'],
        ['compute', '2000.00', '0.17', '0.07', '340.00'],
      ]);
    });
  });

  it('rounds each line half up once, after summing its records', async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const c = await createSubaccount(t, p);
      await t.advanceTo('2026-02-01T09:00:00Z');
      // 100.025 + 0.02 = 100.045 → cost 100.05 (not 100.03 + 0.02); discount 100.05 × 0.1 = 10.005 → 10.01
      await recordUsage(t, [
        { billingAccountId: c.billingAccountId, date: '2026-01-05', serviceId: 'vpc', cost: '100.025' },
        { billingAccountId: c.billingAccountId, date: '2026-01-06', serviceId: 'vpc', cost: '0.02' },
      ]);
      const { invoice, bonus } = await invoiceOf(t, p, '2026-01');
      expect(invoice.lines[0]).toMatchObject({ cost: '100.05', discount: '10.01', payable: '90.04' });
      expect(bonus).toMatchObject({ absolute: '10.01', relative: '0.1' });
    });
  });

  it('bills a partner with only its own consumption, earning nothing (relative "0")', async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      await t.advanceTo('2026-02-01T09:00:00Z');
      await recordUsage(t, [{ billingAccountId: p.ownBillingAccountId, date: '2026-01-05', serviceId: 'compute', cost: '700' }]);
      const { invoice, bonus } = await invoiceOf(t, p, '2026-01');
      expect(invoice).toMatchObject({ totalCost: '700.00', discount: '0.00', payable: '700.00' });
      expect(bonus).toEqual({ month: '2026-01', absolute: '0.00', relative: '0', eligibleAmount: '0.00' });
      const nothing = await partnerInvoice(t, p, '2025-12');
      expect(nothing.invoice).toBeNull();
    });
  });
});

describe('closing a month', () => {
  it('refuses an unfinished month and months out of order, and re-closing returns the first result unchanged', async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const c = await createSubaccount(t, p);
      expect((await closeMonth(t, '2026-01')).userErrors[0].code).toBe('MONTH_NOT_ENDED');
      await t.advanceTo('2026-03-02T09:00:00Z');
      await recordUsage(t, [{ billingAccountId: c.billingAccountId, date: '2026-01-05', serviceId: 'compute', cost: '100' }]);
      const first = await closeMonth(t, '2026-01');
      expect(first).toMatchObject({ month: '2026-01', invoicesFinalized: 1, rebateEntriesCreated: 0, userErrors: [] });
      const events = await t.app.ds.query(`SELECT entity_id FROM events WHERE type = 'INVOICE_FINALIZED'`);
      expect(events).toEqual([{ entity_id: `${p.id}:2026-01` }]);
      // consumption for a closed month is refused
      const late = await t.ok(RecordConsumptionDocument, {
        input: {
          batchId: 'late',
          records: [{ billingAccountId: c.billingAccountId, date: '2026-01-31', serviceId: 'compute', cloudId: 'c', folderId: 'f', cost: '1' }],
        },
      });
      expect(late.recordConsumption.userErrors[0].code).toBe('MONTH_CLOSED');
      expect(await closeMonth(t, '2026-01')).toEqual(first);
      expect((await t.app.ds.query(`SELECT count(*)::int AS n FROM events WHERE type = 'INVOICE_FINALIZED'`))[0].n).toBe(1);
      expect((await closeMonth(t, '2026-03')).userErrors[0].code).toBe('MONTH_NOT_ENDED');
      await t.advanceTo('2026-04-02T09:00:00Z');
      expect((await closeMonth(t, '2026-03')).userErrors[0].code).toBe('PREVIOUS_MONTH_OPEN');
      expect((await closeMonth(t, '2026-02')).userErrors).toEqual([]);
    });
  });

  it('produces one result for concurrent closes of one month', async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const c = await createSubaccount(t, p);
      await t.advanceTo('2026-02-01T09:00:00Z');
      await recordUsage(t, [{ billingAccountId: c.billingAccountId, date: '2026-01-05', serviceId: 'compute', cost: '100' }]);
      const results = await Promise.all(Array.from({ length: 6 }, () => closeMonth(t, '2026-01')));
      for (const r of results) expect(r).toEqual(results[0]);
      expect((await t.app.ds.query(`SELECT count(*)::int AS n FROM invoices`))[0].n).toBe(1);
      expect((await t.app.ds.query(`SELECT count(*)::int AS n FROM billing_months`))[0].n).toBe(1);
    });
  });

  it('carries a BONUS withdrawal larger than the customer payable into the next invoice', async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const c = await createSubaccount(t, p);
      // A BONUS withdrawal of January (its ledger side is tested with withdrawals)
      await t.app.ds.query(
        `INSERT INTO withdrawals (partner_id, amount, destination, status, month, idempotency_key, created_at) VALUES ($1, 1500, 'BONUS', 'APPLIED', '2026-01', 'k1', now())`,
        [p.id],
      );
      await t.advanceTo('2026-03-01T09:00:00Z');
      await recordUsage(t, [
        { billingAccountId: c.billingAccountId, date: '2026-01-05', serviceId: 'compute', cost: '1000' }, // payable 900
        { billingAccountId: p.ownBillingAccountId, date: '2026-01-05', serviceId: 'compute', cost: '5000' }, // own: not payable by BONUS
        { billingAccountId: c.billingAccountId, date: '2026-02-05', serviceId: 'compute', cost: '2000' }, // payable 1800
      ]);
      // February's preview already sees January's carry-over while January is open
      expect((await invoiceOf(t, p, '2026-02')).invoice).toMatchObject({ bonusWithdrawalsApplied: '600.00', bonusCarriedOver: '0.00', payable: '1200.00' });
      await closeMonth(t, '2026-01');
      expect((await invoiceOf(t, p, '2026-01')).invoice).toMatchObject({ payable: '5000.00', bonusWithdrawalsApplied: '900.00', bonusCarriedOver: '600.00' });
      await closeMonth(t, '2026-02');
      expect((await invoiceOf(t, p, '2026-02')).invoice).toMatchObject({ bonusWithdrawalsApplied: '600.00', bonusCarriedOver: '0.00', payable: '1200.00' });
    });
  });
});

describe('BONUS money at a partner exit', () => {
  it('returns the BONUS amount not absorbed by invoices as a WITHDRAWAL_REVERSAL at the close of the exit month', async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const c = await createSubaccount(t, p);
      await t.ok(AdjustRebateBalanceDocument, { input: { partnerId: p.id, amount: '1500.00', reason: 'opening balance' } });
      const w = await t.ok(
        WithdrawRebateDocument,
        { input: { partnerId: p.id, amount: '1500', destination: 'BONUS', idempotencyKey: 'bonus-jan' } },
        p.ownerToken,
      );
      expect(w.withdrawRebate.userErrors).toEqual([]);
      await t.advanceTo('2026-01-20T09:00:00Z');
      await t.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'breach' } });
      await t.advanceTo('2026-02-01T09:00:00Z');
      // linked until the revocation: payable 900 absorbs 900 of the 1500
      await recordUsage(t, [
        { billingAccountId: c.billingAccountId, date: '2026-01-10', serviceId: 'compute', cost: '1000' },
        { billingAccountId: c.billingAccountId, date: '2026-01-25', serviceId: 'compute', cost: '7000' },
      ]);
      expect((await closeMonth(t, '2026-01')).userErrors).toEqual([]);
      const { invoice } = await invoiceOf(t, p, '2026-01');
      expect(invoice).toMatchObject({ totalCost: '1000.00', bonusWithdrawalsApplied: '900.00', bonusCarriedOver: '0.00', payable: '0.00' });
      expect((await ledgerOf(t, p.id)).map((e) => [e.kind, e.amount, e.balance_after])).toEqual([
        ['ADJUSTMENT', '1500.00', '1500.00'],
        ['WITHDRAWAL', '-1500.00', '0.00'],
        ['WITHDRAWAL_REVERSAL', '600.00', '600.00'],
      ]);
      // closing again changes nothing
      await closeMonth(t, '2026-01');
      expect(await ledgerOf(t, p.id)).toHaveLength(3);
    });
  });
});

describe('project rebates', () => {
  it('accrues round(S × rate) for months in the window with S ≥ 30000, nothing below or outside; COMPLETED after rebateTo', async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const direct = uniqueAccount('ba-direct');
      const projectId = await insertApprovedProject(t, p, {
        billingAccountId: direct,
        scope: 'CLOUD',
        scopeId: 'cloud-p',
        rebateRate: '0.1',
        rebateFrom: '2026-02',
        rebateTo: '2026-03',
      });
      await t.advanceTo('2026-04-01T09:00:00Z');
      await recordUsage(t, [
        { billingAccountId: direct, date: '2026-01-10', serviceId: 'compute', cost: '90000', cloudId: 'cloud-p' }, // before the window
        { billingAccountId: direct, date: '2026-02-10', serviceId: 'compute', cost: '20000', cloudId: 'cloud-p' },
        { billingAccountId: direct, date: '2026-02-11', serviceId: 'marketplace', cost: '20000', cloudId: 'cloud-p' }, // not eligible
        { billingAccountId: direct, date: '2026-02-12', serviceId: 'compute', cost: '50000', cloudId: 'other-cloud' }, // not in scope
        { billingAccountId: direct, date: '2026-03-10', serviceId: 'compute', cost: '25000.555', cloudId: 'cloud-p' },
        { billingAccountId: direct, date: '2026-03-11', serviceId: 'vpc', cost: '10000', grantCredit: '2000', cloudId: 'cloud-p' },
      ]);
      for (const month of ['2026-01', '2026-02']) await closeMonth(t, month);
      expect(await ledgerOf(t, p.id)).toEqual([]); // Jan outside the window, Feb S = 20000 < 30000
      const march = await closeMonth(t, '2026-03');
      expect(march.rebateEntriesCreated).toBe(1);
      // S = 25000.56 + (10000 − 2000) = 33000.56 → rebate 3300.06 (half up)
      expect(await ledgerOf(t, p.id)).toEqual([
        { kind: 'PROJECT_REBATE', amount: '3300.06', balance_after: '3300.06', period: '2026-03', project_id: projectId, specialization: null },
      ]);
      const [row] = await t.app.ds.query('SELECT status FROM projects WHERE id = $1', [projectId]);
      expect(row.status).toBe('COMPLETED');
      // the direct customer is on no invoice
      expect((await t.app.ds.query('SELECT count(*)::int AS n FROM invoice_lines WHERE billing_account_id = $1', [direct]))[0].n).toBe(0);
    });
  });

  it("accrues nothing for a revoked partner's project from the revocation date", async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t);
      const direct = uniqueAccount('ba-direct');
      await insertApprovedProject(t, p, {
        billingAccountId: direct,
        scope: 'FOLDER',
        scopeId: 'folder-p',
        rebateRate: '0.1',
        rebateFrom: '2026-01',
        rebateTo: '2026-12',
      });
      await t.advanceTo('2026-01-16T09:00:00Z');
      await t.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'breach' } });
      await t.advanceTo('2026-02-01T09:00:00Z');
      await recordUsage(t, [
        { billingAccountId: direct, date: '2026-01-15', serviceId: 'compute', cost: '40000', folderId: 'folder-p' },
        { billingAccountId: direct, date: '2026-01-16', serviceId: 'compute', cost: '40000', folderId: 'folder-p' },
      ]);
      await closeMonth(t, '2026-01');
      expect(await ledgerOf(t, p.id)).toEqual([
        { kind: 'PROJECT_REBATE', amount: '4000.00', balance_after: '4000.00', period: '2026-01', project_id: expect.any(String), specialization: null },
      ]);
    });
  });
});

describe('specialization rebates', () => {
  it("rounds an account × service once when its days are split between a partner's invoice and its project's scope", async () => {
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t, 'EXPERT');
      const c = await createSubaccount(t, p, { accept: false });
      // The customer's account is in the partner's project scope while direct, then becomes the partner's subaccount.
      await insertApprovedProject(t, p, {
        billingAccountId: c.billingAccountId,
        scope: 'CLOUD',
        scopeId: 'cloud-1',
        rebateRate: '0.1',
        rebateFrom: '2026-01',
        rebateTo: '2026-12',
      });
      await t.advanceTo('2026-01-10T09:00:00Z');
      await acceptSubaccount(t, c.id);
      await t.advanceTo('2026-02-01T09:00:00Z');
      await recordUsage(t, [
        { billingAccountId: c.billingAccountId, date: '2026-01-05', serviceId: 'compute', cost: '0.004' }, // direct: project scope
        { billingAccountId: c.billingAccountId, date: '2026-01-15', serviceId: 'compute', cost: '0.004' }, // linked: invoice line
      ]);
      await closeMonth(t, '2026-01');
      const { invoice } = await invoiceOf(t, p, '2026-01');
      expect(invoice.lines.map((l: any) => [l.serviceId, l.cost])).toEqual([['compute', '0.00']]);
      // 0.004 + 0.004 = 0.008 → 0.01 rounded once (each part alone would round to 0.00).
      const months = await t.app.ds.query(
        `SELECT specialization, eligible_consumption::text AS amount FROM specialization_months WHERE partner_id = $1 AND eligible_consumption > 0`,
        [p.id],
      );
      expect(months).toEqual([{ specialization: 'INFRA_DEVOPS', amount: '0.01' }]);
    });
  });

  async function quarterScenario(level: 'EXPERT' | 'PROFESSIONAL', specialization: Specialization, service: string, q1: string, q2: string) {
    let result: Awaited<ReturnType<typeof ledgerOf>> = [];
    let coMarketing = '';
    await withApp('2026-01-01T09:00:00Z', async (t) => {
      const p = await activePartner(t, level);
      await t.ok(SetPartnerSpecializationDocument, {
        input: { partnerId: p.id, specialization, level, activeFrom: '2026-01-01' },
      });
      const c = await createSubaccount(t, p);
      await t.advanceTo('2026-07-01T09:00:00Z');
      await recordUsage(t, [
        { billingAccountId: c.billingAccountId, date: '2026-02-10', serviceId: service, cost: q1 },
        { billingAccountId: c.billingAccountId, date: '2026-05-10', serviceId: service, cost: q2 },
        { billingAccountId: c.billingAccountId, date: '2026-05-11', serviceId: 'marketplace', cost: '99999' },
      ]);
      for (const m of ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']) expect((await closeMonth(t, m)).userErrors).toEqual([]);
      result = (await ledgerOf(t, p.id)).filter((e) => e.kind === 'SPECIALIZATION_REBATE');
      coMarketing = (
        await t.app.ds.query(`SELECT to_char(sum(co_marketing), 'FM999999990.00') AS s FROM specialization_bases WHERE partner_id = $1`, [p.id])
      )[0].s;
    });
    return { entries: result, coMarketing };
  }

  it('rewards growth over the previous quarter for INFRA_DEVOPS (PROFESSIONAL: 0.07 + 0.03)', async () => {
    const { entries, coMarketing } = await quarterScenario('PROFESSIONAL', 'INFRA_DEVOPS', 'compute', '100000', '150000');
    // Q1: growth over an empty Q4 = 100000 → 7000; Q2: growth 50000 → 3500
    expect(entries.map((e) => [e.period, e.amount])).toEqual([
      ['2026-Q1', '7000.00'],
      ['2026-Q2', '3500.00'],
    ]);
    expect(coMarketing).toBe('4500.00');
  });

  it('gives nothing for a quarter without growth', async () => {
    const { entries } = await quarterScenario('EXPERT', 'SECURITY', 'kms', '100000', '80000');
    expect(entries.map((e) => [e.period, e.amount])).toEqual([['2026-Q1', '3500.00']]);
  });

  it('rewards ML_AI on its absolute consumption (EXPERT: 0.035 + 0.015)', async () => {
    const { entries, coMarketing } = await quarterScenario('EXPERT', 'ML_AI', 'speechkit', '100000', '80000');
    expect(entries.map((e) => [e.period, e.amount])).toEqual([
      ['2026-Q1', '3500.00'],
      ['2026-Q2', '2800.00'],
    ]);
    expect(coMarketing).toBe('2700.00');
  });
});

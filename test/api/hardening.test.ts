// Inputs from outside and edge cases found in review: each gets a clear error and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptInvitationStatusDocument,
  AdjustRebateBalanceDocument,
  CreateApiTokenForUnknownPartnerDocument,
  CustomerZeroIdDocument,
  GiveQuitNoticeDocument,
  InvoiceCarriedOverDocument,
  PartnerDocument,
  PartnersDocument,
  ProgramSettingsAugustDocument,
  ProgramSettingsYearZeroDocument,
  RevokeApiTokenDocument,
  RevokePartnerStatusDocument,
  SetPartnerSpecializationDocument,
  UpdatePartnerProfileDocument,
  UpdateProgramSettingsDocument,
  WithdrawRebateDocument,
} from '../generated/graphql';
import { activePartner, uniqueAccount } from '../support/factories';
import { closeMonth, createSubaccount, insertApprovedProject, ledgerOf, recordUsage } from '../support/billing-fixtures';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
});
afterAll(() => t.close());

describe('inputs from outside', () => {
  it('does not let a partner token clear the billing threshold set by ADMIN', async () => {
    const p = await activePartner(t);
    await t.ok(UpdatePartnerProfileDocument, { input: { partnerId: p.id, paymentMode: 'POSTPAYMENT', billingThreshold: '500000' } });
    const r = await t.gql(UpdatePartnerProfileDocument, { input: { partnerId: p.id, billingThreshold: null } }, p.ownerToken);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.ok(PartnerDocument, { id: p.id })).partner!.billingThreshold).toBe('500000.00');
  });

  it('answers ids that are not UUIDs with NOT_FOUND, and forged cursors with BAD_USER_INPUT', async () => {
    const r = await t.ok(RevokeApiTokenDocument, { input: { id: 'abc' } });
    expect(r.revokeApiToken.userErrors[0].code).toBe('NOT_FOUND');
    const token = await t.ok(CreateApiTokenForUnknownPartnerDocument);
    expect(token.createApiToken.userErrors[0].code).toBe('NOT_FOUND');
    const forged = Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url');
    expect((await t.gql(PartnersDocument, { after: forged })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses control characters in text and years PostgreSQL cannot store', async () => {
    const p = await activePartner(t);
    const nul = await t.ok(UpdatePartnerProfileDocument, { input: { partnerId: p.id, name: 'Bad\u0000Name' } }, p.ownerToken);
    expect(nul.updatePartnerProfile.userErrors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: ['input', 'name'] });
    const year0 = await t.gql(SetPartnerSpecializationDocument, {
      input: { partnerId: p.id, specialization: 'ML_AI', level: 'EXPERT', activeFrom: '0000-01-01' },
    });
    expect(year0.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.gql(ProgramSettingsYearZeroDocument)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('authenticates before looking anything up', async () => {
    const r = await t.gql(CustomerZeroIdDocument, {}, null);
    expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('program settings changes', () => {
  it('serialises concurrent changes of one month and keeps base + maximum deal rate at most 1', async () => {
    const results = await Promise.all(
      [30, 31, 32, 33, 34].map((days) => t.gql(UpdateProgramSettingsDocument, { input: { effectiveFrom: '2026-05', quitNoticeDays: days } })),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    const tooMuch = await t.ok(UpdateProgramSettingsDocument, { input: { effectiveFrom: '2026-06', baseBonusRate: '0.9', maxDealBonusRate: '0.2' } });
    expect(tooMuch.updateProgramSettings.userErrors[0].code).toBe('VALIDATION_FAILED');
  });

  it('applies a change to the rows already scheduled for later months', async () => {
    await t.ok(UpdateProgramSettingsDocument, { input: { effectiveFrom: '2026-08', dealLinkWindowDays: 90 } });
    await t.ok(UpdateProgramSettingsDocument, { input: { effectiveFrom: '2026-07', baseBonusRate: '0.12' } });
    const august = await t.ok(ProgramSettingsAugustDocument);
    expect(august.programSettings).toEqual({ baseBonusRate: '0.12', dealLinkWindowDays: 90 });
  });
});

describe('specialization periods', () => {
  it('keeps the part of an open period after a shorter new one', async () => {
    const p = await activePartner(t);
    await t.ok(SetPartnerSpecializationDocument, { input: { partnerId: p.id, specialization: 'SECURITY', level: 'EXPERT', activeFrom: '2026-01-01' } });
    const r = await t.ok(SetPartnerSpecializationDocument, {
      input: { partnerId: p.id, specialization: 'SECURITY', level: 'PROFESSIONAL', activeFrom: '2026-03-01', activeTo: '2026-03-31' },
    });
    expect(r.setPartnerSpecialization.partner!.specializations).toEqual([
      { specialization: 'SECURITY', level: 'EXPERT', activeFrom: '2026-01-01', activeTo: '2026-02-28' },
      { specialization: 'SECURITY', level: 'PROFESSIONAL', activeFrom: '2026-03-01', activeTo: '2026-03-31' },
      { specialization: 'SECURITY', level: 'EXPERT', activeFrom: '2026-04-01', activeTo: null },
    ]);
  });
});

describe('billing edge cases', () => {
  it('shows the exit month without carry-over in the preview, as in the final invoice', async () => {
    const local = await setupTestApp({ now: '2026-01-05T09:00:00Z' });
    try {
      const p = await activePartner(local);
      await local.ok(AdjustRebateBalanceDocument, { input: { partnerId: p.id, amount: '1000', reason: 'opening' } });
      await local.ok(WithdrawRebateDocument, { input: { partnerId: p.id, amount: '1000', destination: 'BONUS', idempotencyKey: 'k' } });
      await local.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'breach' } });
      await local.advanceTo('2026-02-05T09:00:00Z');
      const query = InvoiceCarriedOverDocument;
      expect((await local.ok(query, { id: p.id, m: '2026-01' })).partner!.invoice).toEqual({ isFinal: false, bonusCarriedOver: '0.00' });
      expect((await local.ok(query, { id: p.id, m: '2026-02' })).partner!.invoice).toBeNull();
      await closeMonth(local, '2026-01');
      expect((await local.ok(query, { id: p.id, m: '2026-01' })).partner!.invoice).toEqual({ isFinal: true, bonusCarriedOver: '0.00' });
      expect((await ledgerOf(local, p.id)).at(-1)).toMatchObject({ kind: 'WITHDRAWAL_REVERSAL', amount: '1000.00' });
    } finally {
      await local.close();
    }
  });

  it('lets a project accruing a rebate claim records that a completed older project in an enclosing scope also matches', async () => {
    const local = await setupTestApp({ now: '2026-01-05T09:00:00Z' });
    try {
      const older = await activePartner(local);
      const newer = await activePartner(local);
      const direct = uniqueAccount('ba-direct');
      const completed = await insertApprovedProject(local, older, {
        billingAccountId: direct,
        scope: 'CLOUD',
        scopeId: 'cloud-x',
        rebateRate: '0.1',
        rebateFrom: '2025-01',
        rebateTo: '2025-12',
        approvedAt: '2024-12-15T09:00:00Z',
      });
      await local.app.ds.query(`UPDATE projects SET status = 'COMPLETED' WHERE id = $1`, [completed]);
      await insertApprovedProject(local, newer, {
        billingAccountId: direct,
        scope: 'FOLDER',
        scopeId: 'folder-in-x',
        rebateRate: '0.1',
        rebateFrom: '2026-01',
        rebateTo: '2026-12',
        approvedAt: '2025-12-20T09:00:00Z',
      });
      await local.advanceTo('2026-02-01T09:00:00Z');
      await recordUsage(local, [
        { billingAccountId: direct, date: '2026-01-10', serviceId: 'compute', cost: '40000', cloudId: 'cloud-x', folderId: 'folder-in-x' },
      ]);
      await closeMonth(local, '2026-01');
      expect((await ledgerOf(local, newer.id)).map((e) => [e.kind, e.amount])).toEqual([['PROJECT_REBATE', '4000.00']]);
      expect(await ledgerOf(local, older.id)).toEqual([]);
    } finally {
      await local.close();
    }
  });

  it('links no subaccount of a partner whose quit date has come', async () => {
    const local = await setupTestApp({ now: '2026-01-05T09:00:00Z' });
    try {
      const p = await activePartner(local);
      const c = await createSubaccount(local, p, { accept: false });
      await local.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-02-10' } });
      await local.app.ds.query(`UPDATE clock_state SET now = '2026-02-11T09:00:00Z'`); // time passes without a scheduler run
      const r = await local.ok(AcceptInvitationStatusDocument, { input: { customerId: c.id } });
      expect(r.acceptSubaccountInvitation.customer).toBeNull();
      expect((await local.ok(PartnerDocument, { id: p.id })).partner!.status).toBe('QUIT'); // the request caught up first
    } finally {
      await local.close();
    }
  });
});

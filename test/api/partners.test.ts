import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplyForPartnerStatusDocument,
  GiveQuitNoticeDocument,
  PartnerDocument,
  ReviewPartnerApplicationDocument,
  RevokePartnerStatusDocument,
  SetPartnerSpecializationDocument,
  UpdatePartnerProfileDocument,
  ViewerRolePartnerDocument,
  WithdrawQuitNoticeDocument,
} from '../generated/graphql';
import { appendEvent } from '../../src/event-log/event-log';
import { activePartner, applyPartner, eventsOf, uniqueAccount, uniqueInn } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
});
afterAll(() => t.close());

const apply = (inn: string, ownBillingAccountId = uniqueAccount()) =>
  t.ok(
    ApplyForPartnerStatusDocument,
    { input: { name: '  Spaced Name LLC  ', inn, ownBillingAccountId, paymentMode: 'POSTPAYMENT', contactEmail: 'a@b.example' } },
    null,
  );

describe('applying for partner status', () => {
  it('creates a PENDING_REVIEW partner without a token and returns an owner token, trimming the name', async () => {
    const { applyForPartnerStatus: r } = await apply(uniqueInn());
    expect(r.userErrors).toEqual([]);
    expect(r.partner).toMatchObject({ status: 'PENDING_REVIEW', name: 'Spaced Name LLC', level: 'PARTNER', paymentMode: 'POSTPAYMENT' });
    expect(r.ownerToken).toMatch(/^ppt_/);
    const viewer = await t.ok(ViewerRolePartnerDocument, {}, r.ownerToken);
    expect(viewer.viewer).toEqual({ role: 'PARTNER_OWNER', partner: { id: r.partner!.id } });
  });

  it.each(['7707083894', '770708389', '77070838930', '500100732250', 'abcdefghij', ' 7707083893'])(
    'refuses the invalid INN %j with INVALID_INN',
    async (inn) => {
      const { applyForPartnerStatus: r } = await apply(inn);
      expect(r.partner).toBeNull();
      expect(r.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INN', field: ['input', 'inn'] })]);
    },
  );

  it('accepts valid 10- and 12-digit INNs', async () => {
    for (const inn of ['7736207543', '500100732259']) {
      const { applyForPartnerStatus: r } = await apply(inn);
      expect(r.userErrors).toEqual([]);
    }
  });

  it('allows one partner per INN (PARTNER_EXISTS) and one partner per own account (ALREADY_LINKED)', async () => {
    const first = await applyPartner(t);
    const again = await apply(first.inn);
    expect(again.applyForPartnerStatus.userErrors[0].code).toBe('PARTNER_EXISTS');
    const sameAccount = await apply(uniqueInn(), first.ownBillingAccountId);
    expect(sameAccount.applyForPartnerStatus.userErrors[0].code).toBe('ALREADY_LINKED');
  });

  it('reports every field error together', async () => {
    const r = await t.ok(
      ApplyForPartnerStatusDocument,
      { input: { name: '   ', inn: '123', ownBillingAccountId: 'x', paymentMode: 'ADVANCE', contactEmail: 'nope' } },
      null,
    );
    expect(r.applyForPartnerStatus.userErrors.map((e: { code: string }) => e.code).sort()).toEqual(['INVALID_INN', 'VALIDATION_FAILED', 'VALIDATION_FAILED']);
  });
});

describe('partner lifecycle', () => {
  it('approves with a level and rejects only with a reason', async () => {
    const a = await applyPartner(t);
    const approved = await t.ok(ReviewPartnerApplicationDocument, { input: { partnerId: a.id, decision: 'APPROVE', level: 'EXPERT' } });
    expect(approved.reviewPartnerApplication.partner).toMatchObject({ status: 'ACTIVE', level: 'EXPERT' });
    const b = await applyPartner(t);
    const noReason = await t.ok(ReviewPartnerApplicationDocument, { input: { partnerId: b.id, decision: 'REJECT', reason: '  ' } });
    expect(noReason.reviewPartnerApplication.userErrors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: ['input', 'reason'] });
    const rejected = await t.ok(ReviewPartnerApplicationDocument, { input: { partnerId: b.id, decision: 'REJECT', reason: 'No documents' } });
    expect(rejected.reviewPartnerApplication.partner).toMatchObject({ status: 'REJECTED', statusReason: 'No documents' });
  });

  it('refuses transitions from the wrong status with INVALID_TRANSITION naming the current status', async () => {
    const p = await activePartner(t);
    const review = await t.ok(ReviewPartnerApplicationDocument, { input: { partnerId: p.id, decision: 'APPROVE' } });
    expect(review.reviewPartnerApplication.userErrors[0].code).toBe('INVALID_TRANSITION');
    expect(review.reviewPartnerApplication.userErrors[0].message).toContain('ACTIVE');
    const withdraw = await t.ok(WithdrawQuitNoticeDocument, { input: { partnerId: p.id } }, p.ownerToken);
    expect(withdraw.withdrawQuitNotice.userErrors[0].code).toBe('INVALID_TRANSITION');
    const pending = await applyPartner(t);
    const notice = await t.ok(GiveQuitNoticeDocument, { input: { partnerId: pending.id, effectiveOn: '2026-06-01' } }, pending.ownerToken);
    expect(notice.giveQuitNotice.userErrors[0]).toMatchObject({ code: 'INVALID_TRANSITION' });
    const revokePending = await t.ok(RevokePartnerStatusDocument, { input: { partnerId: pending.id, reason: 'x' } });
    expect(revokePending.revokePartnerStatus.userErrors[0].code).toBe('INVALID_TRANSITION');
  });

  it('needs at least 30 calendar days of quit notice (NOTICE_TOO_SHORT), and notice can be withdrawn', async () => {
    const p = await activePartner(t);
    // today is 2026-03-10 (Moscow): the earliest effective date is 2026-04-09
    const short = await t.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-04-08' } }, p.ownerToken);
    expect(short.giveQuitNotice.userErrors[0]).toMatchObject({ code: 'NOTICE_TOO_SHORT', field: ['input', 'effectiveOn'] });
    const ok = await t.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-04-09' } }, p.ownerToken);
    expect(ok.giveQuitNotice.partner).toMatchObject({ status: 'QUITTING', quitEffectiveOn: '2026-04-09' });
    const back = await t.ok(WithdrawQuitNoticeDocument, { input: { partnerId: p.id } }, p.ownerToken);
    expect(back.withdrawQuitNotice.partner).toMatchObject({ status: 'ACTIVE', quitEffectiveOn: null });
  });

  it('revokes an ACTIVE or QUITTING partner with a reason; a revoked partner cannot be revoked again', async () => {
    const p = await activePartner(t);
    await t.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-05-01' } }, p.ownerToken);
    const revoked = await t.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'Fraud' } });
    expect(revoked.revokePartnerStatus.partner).toMatchObject({ status: 'REVOKED', statusReason: 'Fraud' });
    const again = await t.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'Fraud' } });
    expect(again.revokePartnerStatus.userErrors[0]).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(again.revokePartnerStatus.userErrors[0].message).toContain('REVOKED');
  });

  it('writes one event per status change, in the same transaction as the change', async () => {
    const p = await activePartner(t);
    await t.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-05-01' } }, p.ownerToken);
    await t.ok(WithdrawQuitNoticeDocument, { input: { partnerId: p.id } }, p.ownerToken);
    // a refused transition writes nothing
    await t.ok(WithdrawQuitNoticeDocument, { input: { partnerId: p.id } }, p.ownerToken);
    const events = await eventsOf(t, p.id);
    expect(events.map((e) => e.status)).toEqual(['PENDING_REVIEW', 'ACTIVE', 'QUITTING', 'ACTIVE']);
    expect(events.every((e) => e.type === 'PARTNER_STATUS_CHANGED')).toBe(true);
    expect(new Set(events.map((e) => e.sequence)).size).toBe(4);
  });

  it('rolls the event back with the change when the transaction fails', async () => {
    const p = await activePartner(t);
    const before = await eventsOf(t, p.id);
    await expect(
      t.app.ds.transaction(async (manager) => {
        await manager.query(`UPDATE partners SET status = 'QUITTING' WHERE id = $1`, [p.id]);
        await appendEvent(manager, { partnerId: p.id, type: 'PARTNER_STATUS_CHANGED', entityId: p.id, status: 'QUITTING', occurredAt: new Date() });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await eventsOf(t, p.id)).toEqual(before);
  });
});

describe('partner profile', () => {
  it('lets the owner set a bank account that passes the control key, and refuses one that does not', async () => {
    const p = await activePartner(t);
    const good = await t.ok(
      UpdatePartnerProfileDocument,
      { input: { partnerId: p.id, name: 'Renamed LLC', bankAccount: { bic: '044525225', accountNumber: '40702810438000034726', bankName: 'Sber' } } },
      p.ownerToken,
    );
    expect(good.updatePartnerProfile.partner).toMatchObject({
      name: 'Renamed LLC',
      bankAccount: { bic: '044525225', accountNumber: '40702810438000034726', bankName: 'Sber' },
    });
    const settlementCentre = await t.ok(
      UpdatePartnerProfileDocument,
      { input: { partnerId: p.id, bankAccount: { bic: '044525000', accountNumber: '40101810045250010041' } } },
      p.ownerToken,
    );
    expect(settlementCentre.updatePartnerProfile.userErrors).toEqual([]);
    for (const bad of [
      { bic: '044525225', accountNumber: '40702810438000034727' },
      { bic: '04452522', accountNumber: '40702810438000034726' },
      { bic: '044525225', accountNumber: '4070281043800003472' },
    ]) {
      const r = await t.ok(UpdatePartnerProfileDocument, { input: { partnerId: p.id, bankAccount: bad } }, p.ownerToken);
      expect(r.updatePartnerProfile.userErrors[0].code).toBe('INVALID_BANK_ACCOUNT');
    }
    const partner = await t.ok(PartnerDocument, { id: p.id }, p.ownerToken);
    expect(partner.partner!.bankAccount!.bic).toBe('044525000');
  });

  it('lets only ADMIN set payment mode and billing threshold', async () => {
    const p = await activePartner(t);
    const byPartner = await t.gql(UpdatePartnerProfileDocument, { input: { partnerId: p.id, paymentMode: 'POSTPAYMENT' } }, p.ownerToken);
    expect(byPartner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const threshold = await t.gql(UpdatePartnerProfileDocument, { input: { partnerId: p.id, billingThreshold: '1000.00' } }, p.ownerToken);
    expect(threshold.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const byAdmin = await t.ok(UpdatePartnerProfileDocument, { input: { partnerId: p.id, paymentMode: 'POSTPAYMENT', billingThreshold: '150000.5' } });
    expect(byAdmin.updatePartnerProfile.partner).toMatchObject({ paymentMode: 'POSTPAYMENT', billingThreshold: '150000.50' });
    const scale = await t.ok(UpdatePartnerProfileDocument, { input: { partnerId: p.id, billingThreshold: '1.001' } });
    expect(scale.updatePartnerProfile.userErrors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: ['input', 'billingThreshold'] });
    const negative = await t.ok(UpdatePartnerProfileDocument, { input: { partnerId: p.id, billingThreshold: '-1' } });
    expect(negative.updatePartnerProfile.userErrors[0].code).toBe('VALIDATION_FAILED');
  });
});

describe('quitting on the effective date', () => {
  it('turns QUITTING into QUIT when the manual clock passes effectiveOn, dated with the due date', async () => {
    const local = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
    try {
      const p = await activePartner(local);
      await local.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-04-15' } }, p.ownerToken);
      await local.advanceTo('2026-04-14T12:00:00Z');
      expect((await local.ok(PartnerDocument, { id: p.id })).partner!.status).toBe('QUITTING');
      await local.advanceTo('2026-05-20T12:00:00Z');
      expect((await local.ok(PartnerDocument, { id: p.id })).partner!.status).toBe('QUIT');
      const events = await eventsOf(local, p.id);
      expect(events.at(-1)).toMatchObject({ status: 'QUIT' });
      expect(events.at(-1)!.occurred_at.toISOString()).toBe('2026-04-14T21:00:00.000Z'); // 2026-04-15 00:00 Moscow
      // the scheduler is idempotent: running again changes nothing
      expect(await local.app.scheduler.runDue()).toBe(0);
      expect((await eventsOf(local, p.id)).length).toBe(events.length);
    } finally {
      await local.close();
    }
  });
});

describe('specializations', () => {
  it('sets a specialization period for an active partner and cuts an overlapping earlier one short', async () => {
    const p = await activePartner(t);
    await t.ok(SetPartnerSpecializationDocument, { input: { partnerId: p.id, specialization: 'ML_AI', level: 'EXPERT', activeFrom: '2026-01-01' } });
    const r = await t.ok(SetPartnerSpecializationDocument, {
      input: { partnerId: p.id, specialization: 'ML_AI', level: 'PROFESSIONAL', activeFrom: '2026-04-01' },
    });
    expect(r.setPartnerSpecialization.partner!.specializations).toEqual([
      { specialization: 'ML_AI', level: 'EXPERT', activeFrom: '2026-01-01', activeTo: '2026-03-31' },
      { specialization: 'ML_AI', level: 'PROFESSIONAL', activeFrom: '2026-04-01', activeTo: null },
    ]);
    const partnerToken = await t.gql(
      SetPartnerSpecializationDocument,
      { input: { partnerId: p.id, specialization: 'ML_AI', level: 'PROFESSIONAL', activeFrom: '2026-04-01' } },
      p.ownerToken,
    );
    expect(partnerToken.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

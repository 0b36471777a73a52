import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvanceClockDocument, NowDocument, ProgramSettingsDocument, UpdateProgramSettingsDocument } from '../generated/graphql';
import { activePartner } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-01-15T09:00:00Z' });
});
afterAll(() => t.close());

describe('manual clock', () => {
  it('moves forward only (CLOCK_BACKWARDS) and only for ADMIN', async () => {
    const moved = await t.ok(AdvanceClockDocument, { input: { to: '2026-01-20T10:00:00+03:00' } });
    expect(moved.advanceClock.now).toBe('2026-01-20T07:00:00.000Z');
    expect((await t.ok(NowDocument)).now).toBe('2026-01-20T07:00:00.000Z');
    const back = await t.ok(AdvanceClockDocument, { input: { to: '2026-01-19T00:00:00Z' } });
    expect(back.advanceClock.userErrors[0].code).toBe('CLOCK_BACKWARDS');
    const p = await activePartner(t);
    expect((await t.gql(AdvanceClockDocument, { input: { to: '2026-02-01T00:00:00Z' } }, p.ownerToken)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses advanceClock with CLOCK_NOT_MANUAL on the system clock', async () => {
    const system = await setupTestApp({ clock: 'system' });
    try {
      const r = await system.ok(AdvanceClockDocument, { input: { to: '2099-01-01T00:00:00Z' } });
      expect(r.advanceClock.userErrors[0].code).toBe('CLOCK_NOT_MANUAL');
    } finally {
      await system.close();
    }
  });
});

describe('program settings', () => {
  it('are seeded with the SPEC §1 defaults', async () => {
    const s = (await t.ok(ProgramSettingsDocument, {})).programSettings;
    expect(s).toMatchObject({
      baseBonusRate: '0.1',
      maxDealBonusRate: '0.15',
      maxProjectRebateRate: '0.15',
      minDealTargetConsumption: '30000.00',
      minProjectMonthlyConsumption: '30000.00',
      dealLinkWindowDays: 60,
      projectRebateMonths: 12,
      quitNoticeDays: 30,
      presaleResponseBusinessDays: 3,
    });
    expect(s.specializationRates).toEqual([
      { level: 'PARTNER', rebateRate: '0', coMarketingRate: '0' },
      { level: 'EXPERT', rebateRate: '0.035', coMarketingRate: '0.015' },
      { level: 'PROFESSIONAL', rebateRate: '0.07', coMarketingRate: '0.03' },
    ]);
  });

  it('change from a future month on, never retroactively, and earlier months keep their settings', async () => {
    const local = await setupTestApp({ now: '2026-01-15T09:00:00Z' });
    try {
      const past = await local.ok(UpdateProgramSettingsDocument, { input: { effectiveFrom: '2025-12', baseBonusRate: '0.2' } });
      expect(past.updateProgramSettings.userErrors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: ['input', 'effectiveFrom'] });
      const r = await local.ok(UpdateProgramSettingsDocument, { input: { effectiveFrom: '2026-03', baseBonusRate: '0.12', quitNoticeDays: 45 } });
      expect(r.updateProgramSettings.programSettings).toEqual({ effectiveFrom: '2026-03', baseBonusRate: '0.12', quitNoticeDays: 45 });
      expect((await local.ok(ProgramSettingsDocument, { month: '2026-02' })).programSettings.baseBonusRate).toBe('0.1');
      expect((await local.ok(ProgramSettingsDocument, { month: '2026-07' })).programSettings).toMatchObject({
        baseBonusRate: '0.12',
        quitNoticeDays: 45,
        maxDealBonusRate: '0.15',
      });
      const p = await activePartner(local);
      expect((await local.gql(UpdateProgramSettingsDocument, { input: { effectiveFrom: '2026-03' } }, p.ownerToken)).errors?.[0].extensions?.code).toBe(
        'FORBIDDEN',
      );
    } finally {
      await local.close();
    }
  });
});

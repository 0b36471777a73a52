import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdatePartnerProfileDocument } from '../generated/graphql';
import { activePartner } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let partnerId: string;
beforeAll(async () => {
  t = await setupTestApp();
  partnerId = (await activePartner(t)).id;
});
afterAll(() => t.close());

describe('Money scalar', () => {
  it.each(['1e5', 'NaN', 'Infinity', ' 12', '12,5', '', '12 ', '1.1234567', '0x10'])('refuses the variable %j as a top-level BAD_USER_INPUT', async (value) => {
    const r = await t.gql(UpdatePartnerProfileDocument, { input: { partnerId, billingThreshold: value } });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.data ?? null).toBeNull();
  });

  it('refuses a JSON number', async () => {
    const r = await t.gql(UpdatePartnerProfileDocument, { input: { partnerId, billingThreshold: 1000 as unknown as string } });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses bad literals too', async () => {
    for (const literal of ['"1e5"', '1000', '"12,5"']) {
      const r = await t.gql(`mutation { updatePartnerProfile(input: { partnerId: "${partnerId}", billingThreshold: ${literal} }) { userErrors { code } } }`);
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('outputs exactly two fraction digits', async () => {
    const r = await t.ok(UpdatePartnerProfileDocument, { input: { partnerId, paymentMode: 'POSTPAYMENT', billingThreshold: '12' } });
    expect(r.updatePartnerProfile.partner!.billingThreshold).toBe('12.00');
  });
});

describe('Rate, Date, Month and DateTime scalars', () => {
  it.each([
    ['Month', '"2026-13"'],
    ['Month', '"2026-1"'],
    ['Date', '"2026-02-30"'],
    ['DateTime', '"2026-01-01"'],
    ['Rate', '"1.5"'],
    ['Rate', '"0.12345"'],
    ['Rate', '"-0.1"'],
  ])('refuses a bad %s %s', async (scalar, literal) => {
    const docs: Record<string, string> = {
      Month: `{ programSettings(month: ${literal}) { baseBonusRate } }`,
      Date: `mutation { giveQuitNotice(input: { partnerId: "${partnerId}", effectiveOn: ${literal} }) { userErrors { code } } }`,
      DateTime: `mutation { advanceClock(input: { to: ${literal} }) { userErrors { code } } }`,
      Rate: `mutation { updateProgramSettings(input: { effectiveFrom: "2026-02", baseBonusRate: ${literal} }) { userErrors { code } } }`,
    };
    const r = await t.gql(docs[scalar]);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

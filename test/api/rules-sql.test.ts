// Rules that SQL applies with parameters from a domain module: the domain's own cases (test/support/rule-cases.ts),
// run through the query path against real rows.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentsOfMonth } from '../../src/modules/billing/billing.queries';
import { endOfMonthExclusive, firstDayOfMonth, monthOf } from '../../src/shared/dates';
import { expiryDate, procurementEndDate } from '../../src/modules/deals/domain/deal-rules';
import { activePartner, uniqueInn, type TestPartner } from '../support/factories';
import { createSubaccount, insertActiveDeal, type Subaccount } from '../support/billing-fixtures';
import { DEAL_EXPIRY_CASES, DEAL_RATE_CASES, DEAL_RATE_DEALS, ENDED_DEAL_CASES, PROCUREMENT_END_CASES } from '../support/rule-cases';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2024-12-20T09:00:00Z' });
});
afterAll(async () => {
  await t.close();
});

describe('the deal rate in force, through the month segments the close and the preview price', () => {
  let partner: TestPartner;
  let both: Subaccount;
  let endedOnly: Subaccount;
  let none: Subaccount;
  beforeAll(async () => {
    partner = await activePartner(t);
    [both, endedOnly, none] = [await createSubaccount(t, partner), await createSubaccount(t, partner), await createSubaccount(t, partner)];
    for (const d of DEAL_RATE_DEALS) await insertActiveDeal(t, partner, both.inn, d.bonusRate, d.activatedOn, d.endedOn);
    const first = DEAL_RATE_DEALS[0];
    await insertActiveDeal(t, partner, endedOnly.inn, first.bonusRate, first.activatedOn, first.endedOn);
  });

  /** The deal rate of the segment covering `date` on the account (exactly one segment covers each day). */
  async function rateOn(account: string, date: string): Promise<string> {
    const month = monthOf(date);
    const segments = await segmentsOfMonth(t.app.ds.manager, firstDayOfMonth(month), endOfMonthExclusive(month), partner.id);
    const covering = segments.filter((s) => s.billingAccountId === account && s.from <= date && date < s.to);
    expect(covering).toHaveLength(1);
    return covering[0].dealBonusRate;
  }

  it.each(DEAL_RATE_CASES)('$rule', async ({ date, want }) => {
    expect(await rateOn(both.billingAccountId, date)).toBe(want);
  });
  it.each(ENDED_DEAL_CASES)('$rule', async ({ date, want }) => {
    expect(await rateOn(endedOnly.billingAccountId, date)).toBe(want);
  });
  it('no deals → 0; the partner’s own account → 0', async () => {
    for (const date of ['2025-01-10', '2025-03-01']) {
      expect(await rateOn(none.billingAccountId, date)).toBe('0');
      expect(await rateOn(partner.ownBillingAccountId, date)).toBe('0');
    }
  });
});

describe('deal due dates, through the scheduler’s query (DealsService.dueTransitions)', () => {
  let partner: TestPartner;
  beforeAll(async () => {
    partner = await activePartner(t);
  });

  /** A deal written straight to its table with the case's status and dates; its due transitions as listed for `today`. */
  async function dueOf(status: string, dates: { linkDeadline?: string; contractEndsOn?: string | null }, today: string) {
    const id = randomUUID();
    await t.app.ds.query(
      `INSERT INTO deals (id, partner_id, customer_inn, customer_name, target_monthly_consumption, procurement, contract_ends_on, description, status,
                          bonus_rate, created_at, approved_at, link_deadline, activated_on, ended_on)
       VALUES ($1, $2, $3, 'Customer LLC', 50000, $4, $5, 'rule case', $6, 0.05, now(), now(), $7, $8, $9)`,
      [
        id,
        partner.id,
        uniqueInn(),
        dates.contractEndsOn !== undefined,
        dates.contractEndsOn ?? null,
        status,
        dates.linkDeadline ?? '2026-01-01',
        status === 'APPROVED' ? null : '2026-01-01',
        status === 'ENDED' ? '2026-06-01' : null,
      ],
    );
    return (await t.app.deals.dueTransitions(today)).filter((d) => d.key.endsWith(id));
  }

  it.each(DEAL_EXPIRY_CASES)('expiry of a %s deal with deadline %s is due on %s: %s', async (status, deadline, today, due) => {
    const listed = await dueOf(status, { linkDeadline: deadline }, today);
    expect(listed.map((d) => d.dueDate)).toEqual(due ? [expiryDate(deadline)] : []);
  });
  it.each(PROCUREMENT_END_CASES)('procurement end of a %s deal with contract to %s is due on %s: %s', async (status, end, today, due) => {
    const listed = await dueOf(status, { contractEndsOn: end }, today);
    expect(listed.map((d) => d.dueDate)).toEqual(due ? [procurementEndDate(end!)] : []);
  });
});

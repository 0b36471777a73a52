// The month close prices in PostgreSQL (src/modules/billing/close-sql.ts): the domain's pricing cases
// (test/support/rule-cases.ts) run through the close's SQL fragments and through the domain functions, and every
// amount must agree to the digit — also as the text the close stores.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceTotalsSql, pricedLinesSql, specializationTotalsSql } from '../../src/modules/billing/close-sql';
import type { RawLine } from '../../src/modules/billing/billing.queries';
import { priceInvoiceLine } from '../../src/modules/billing/domain/invoice-line';
import { rebateBaseAmount } from '../../src/modules/billing/domain/specialization-totals';
import { priceInvoices, type BonusMap } from '../../src/modules/billing/pricing';
import { copyNumeric } from '../../src/shared/copy';
import { Dec, ZERO, type Dec as Decimal } from '../../src/shared/money';
import { INVOICE_TOTAL_CASES, LINE_PRICING_CASES } from '../support/rule-cases';
import { setupTestApp, type TestApp } from '../support/test-app';

const BASE = '0.1';
let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-01-20T09:00:00Z' });
});
afterAll(async () => {
  await t.close();
});

/** The stored text of an amount: trim_scale in SQL, copyNumeric of the Decimal in the domain. */
const stored = (column: string) => `trim_scale(${column})::text AS ${column}`;
const LINE_AMOUNTS = ['cost', 'grant_credit', 'eligible', 'bonus_rate', 'deal_bonus_rate', 'discount', 'payable'] as const;

/** `lines` from raw line cases: one row per (partner, case), in pricedLinesSql's input columns. */
const LINES_SQL = `SELECT u.partner_id, u.billing_account_id, NULL::uuid AS customer_id, 'svc'::text AS service_id, u.exclusion, u.deal_rate,
                          u.raw_cost, u.raw_grant
                     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[])
                          AS u(partner_id, billing_account_id, exclusion, deal_rate, raw_cost, raw_grant)`;

function lineParams(rows: { partnerId: string; index: number }[]): unknown[] {
  const cases = rows.map((r) => LINE_PRICING_CASES[r.index]);
  return [
    rows.map((r) => r.partnerId),
    rows.map((r) => String(r.index)),
    cases.map((c) => c.exclusion),
    cases.map((c) => c.deal),
    cases.map((c) => c.cost),
    cases.map((c) => c.grant),
  ];
}

describe('invoice line pricing, through the close’s SQL', () => {
  it.each(LINE_PRICING_CASES.map((c, index) => ({ ...c, index })))('$rule', async ({ index, cost, grant, exclusion, deal }) => {
    const partnerId = randomUUID();
    const [row] = await t.app.ds.query(
      `WITH lines AS (${LINES_SQL}) SELECT exclusion, ${LINE_AMOUNTS.map(stored).join(', ')} FROM (${pricedLinesSql('lines', '$7::numeric')}) p`,
      [...lineParams([{ partnerId, index }]), BASE],
    );
    const want = priceInvoiceLine({ cost: new Dec(cost), grantCredit: new Dec(grant), exclusion, baseRate: new Dec(BASE), dealBonusRate: new Dec(deal) });
    expect(row).toEqual({
      exclusion: want.exclusion,
      cost: copyNumeric(want.cost),
      grant_credit: copyNumeric(want.grantCredit),
      eligible: copyNumeric(want.eligible),
      bonus_rate: copyNumeric(want.bonusRate),
      deal_bonus_rate: copyNumeric(want.dealBonusRate),
      discount: copyNumeric(want.discount),
      payable: copyNumeric(want.payable),
    });
  });
});

describe('invoice totals, BONUS money and the exit rule, through the close’s SQL', () => {
  const TOTALS = [
    'total_cost',
    'grant_credits',
    'eligible_amount',
    'discount',
    'bonus_withdrawals_applied',
    'bonus_carried_over',
    'exit_return',
    'payable',
    'customer_cost',
  ] as const;

  it.each(INVOICE_TOTAL_CASES)('$rule', async ({ lines, carriedIn, withdrawn, exited }) => {
    const partnerId = randomUUID();
    const rows: Record<string, string>[] = await t.app.ds.query(
      `WITH lines AS (${LINES_SQL}), priced AS (${pricedLinesSql('lines', '$7::numeric')}),
            bonus AS (SELECT $8::uuid AS partner_id, $9::numeric AS carried_in, $10::numeric AS withdrawn, $11::boolean AS exited)
       SELECT partner_id, ${TOTALS.map(stored).join(', ')} FROM (${invoiceTotalsSql('priced', 'bonus')}) i`,
      [...lineParams(lines.map((index) => ({ partnerId, index }))), BASE, partnerId, carriedIn, withdrawn, exited],
    );

    // The domain: the preview's priceInvoices over the same raw lines.
    const raw: RawLine[] = lines.map((index) => {
      const c = LINE_PRICING_CASES[index];
      const dealBonusRate = new Dec(c.deal);
      const line = { partnerId, billingAccountId: String(index), customerId: null, serviceId: 'svc', specialization: null, exclusion: c.exclusion };
      return { ...line, dealBonusRate, cost: new Dec(c.cost), grantCredit: new Dec(c.grant), rateText: c.deal };
    });
    const bonus: BonusMap = new Map([[partnerId, { carriedIn: new Dec(carriedIn), withdrawnThisMonth: new Dec(withdrawn) }]]);
    const views = priceInvoices('2026-01', raw, new Dec(BASE), bonus, new Set([partnerId]), exited ? new Set([partnerId]) : new Set());
    const view = views.get(partnerId);
    if (!view) {
      expect(rows).toEqual([]);
      return;
    }
    const want: Record<string, Decimal> = {
      total_cost: view.totalCost,
      grant_credits: view.grantCredits,
      eligible_amount: view.eligibleAmount,
      discount: view.discount,
      bonus_withdrawals_applied: view.bonusWithdrawalsApplied,
      bonus_carried_over: view.bonusCarriedOver,
      exit_return: view.exitReturn ?? ZERO,
      payable: view.payable,
      customer_cost: view.customerCost,
    };
    expect(rows).toEqual([{ partner_id: partnerId, ...Object.fromEntries(TOTALS.map((k) => [k, copyNumeric(want[k])])) }]);
  });
});

describe('S/G of a month, through the close’s SQL', () => {
  // One account × service split into parts (subaccount days at two deal rates, project-scope days): rounded once.
  const PARTS = [
    { account: 'a', service: 's1', spec: 'INFRA_DEVOPS', cost: '0.005', grant: '0' },
    { account: 'a', service: 's1', spec: 'INFRA_DEVOPS', cost: '0.005', grant: '0' },
    { account: 'a', service: 's1', spec: 'INFRA_DEVOPS', cost: '100.004', grant: '0.001' },
    { account: 'b', service: 's1', spec: 'INFRA_DEVOPS', cost: '10', grant: '12.5' },
    { account: 'b', service: 's2', spec: 'ML_AI', cost: '7.777', grant: '0.005' },
  ];

  it('rounds each billing account × service once over all its parts, then sums per specialization', async () => {
    const partnerId = randomUUID();
    const rows: { specialization: string; amount: string }[] = await t.app.ds.query(
      `WITH parts AS (SELECT $1::uuid AS partner_id, * FROM unnest($2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[])
                        AS u(billing_account_id, service_id, specialization, raw_cost, raw_grant))
       SELECT specialization, trim_scale(amount)::text AS amount FROM (${specializationTotalsSql('parts')}) s ORDER BY specialization`,
      [partnerId, PARTS.map((p) => p.account), PARTS.map((p) => p.service), PARTS.map((p) => p.spec), PARTS.map((p) => p.cost), PARTS.map((p) => p.grant)],
    );
    const groups = new Map<string, { spec: string; cost: Decimal; grant: Decimal }>();
    for (const p of PARTS) {
      const key = `${p.account}|${p.service}`;
      const g = groups.get(key) ?? { spec: p.spec, cost: ZERO, grant: ZERO };
      groups.set(key, { spec: p.spec, cost: g.cost.plus(p.cost), grant: g.grant.plus(p.grant) });
    }
    const want = new Map<string, Decimal>();
    for (const g of groups.values()) want.set(g.spec, (want.get(g.spec) ?? ZERO).plus(rebateBaseAmount(g.cost, g.grant, true)));
    expect(rows).toEqual([...want].sort(([a], [b]) => (a < b ? -1 : 1)).map(([specialization, amount]) => ({ specialization, amount: copyNumeric(amount) })));
    expect(rows.find((r) => r.specialization === 'INFRA_DEVOPS')!.amount).toBe('100.01'); // 100.014 → 100.01, less 0.00; b: 0
  });

  it('a part alone in its billing account × service (`single`) is rounded on its own and summed with the grouped ones', async () => {
    const partnerId = randomUUID();
    const rows: { specialization: string; amount: string }[] = await t.app.ds.query(
      `WITH parts AS (SELECT $1::uuid AS partner_id, 'a' AS billing_account_id, 's1' AS service_id, 'INFRA_DEVOPS' AS specialization, u.raw_cost, 0::numeric AS raw_grant
                        FROM unnest(ARRAY[0.004, 0.004]::numeric[]) AS u(raw_cost)),
            single AS (SELECT $1::uuid AS partner_id, * FROM unnest(ARRAY['c', 'd'], ARRAY['s1', 's1'], ARRAY['INFRA_DEVOPS', 'ML_AI'], ARRAY[2.005, 1]::numeric[], ARRAY[0.004, 3]::numeric[])
                        AS u(billing_account_id, service_id, specialization, raw_cost, raw_grant))
       SELECT specialization, trim_scale(amount)::text AS amount FROM (${specializationTotalsSql('parts', 'single')}) s ORDER BY specialization`,
      [partnerId],
    );
    // a: 0.008 → 0.01; c: 2.01 − 0.00 = 2.01; d: 1 − 3 → 0
    expect(rows).toEqual([
      { specialization: 'INFRA_DEVOPS', amount: '2.02' },
      { specialization: 'ML_AI', amount: '0' },
    ]);
  });
});

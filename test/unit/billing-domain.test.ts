import { describe, expect, it } from 'vitest';
import { dec, formatMoney, formatRate, sum } from '../../src/shared/money';
import { priceInvoiceLine, type LineExclusion, type PricedLine } from '../../src/modules/billing/domain/invoice-line';
import { hasInvoice, partnerBonus, totalInvoice } from '../../src/modules/billing/domain/invoice';
import { isInRebateWindow, projectRebate, projectRebateWindow } from '../../src/modules/billing/domain/project-rebate';
import { levelInForce, specializationBase, specializationRebate, type Specialization } from '../../src/modules/billing/domain/specialization-rebate';
import { dealRateOn, dealRateSpans } from '../../src/modules/billing/domain/deal-rate';
import { DEAL_RATE_CASES, DEAL_RATE_DEALS, ENDED_DEAL_CASES } from '../support/rule-cases';

const BASE = dec('0.1');
const NO_BONUS = { carriedIn: dec(0), withdrawnThisMonth: dec(0) };

function line(cost: string, grant: string, exclusion: LineExclusion | null, deal = '0'): PricedLine {
  return priceInvoiceLine({ cost: dec(cost), grantCredit: dec(grant), exclusion, baseRate: BASE, dealBonusRate: dec(deal) });
}

/** Wire-form view of a priced line, so expectations read like the API output. */
function wire(l: PricedLine) {
  return {
    cost: formatMoney(l.cost),
    grantCredit: formatMoney(l.grantCredit),
    eligible: formatMoney(l.eligible),
    bonusRate: formatRate(l.bonusRate),
    dealBonusRate: formatRate(l.dealBonusRate),
    discount: formatMoney(l.discount),
    payable: formatMoney(l.payable),
    exclusion: l.exclusion,
  };
}

// SPEC §17: ba-c compute, ba-c marketplace, ba-c object-storage, ba-own compute; deal 0.05 on ba-c.
const workedExample = () => [
  line('100000', '0', null, '0.05'),
  line('20000', '0', 'EXCLUDED_SERVICE', '0.05'),
  line('50000', '10000', null, '0.05'),
  line('30000', '0', 'PARTNER_OWN'),
];

describe('invoice line pricing (SPEC §10)', () => {
  it.each([
    {
      rule: 'eligible = cost − grant; bonusRate = base + deal; discount = round(eligible × bonusRate)',
      input: ['50000', '10000', null, '0.05'],
      want: {
        cost: '50000.00',
        grantCredit: '10000.00',
        eligible: '40000.00',
        bonusRate: '0.15',
        dealBonusRate: '0.05',
        discount: '6000.00',
        payable: '34000.00',
        exclusion: null,
      },
    },
    {
      rule: 'no deal: bonusRate is the base rate',
      input: ['1000', '0', null, '0'],
      want: {
        cost: '1000.00',
        grantCredit: '0.00',
        eligible: '1000.00',
        bonusRate: '0.1',
        dealBonusRate: '0',
        discount: '100.00',
        payable: '900.00',
        exclusion: null,
      },
    },
    {
      rule: 'EXCLUDED_SERVICE: eligible 0, rates 0, no discount',
      input: ['20000', '0', 'EXCLUDED_SERVICE', '0.05'],
      want: {
        cost: '20000.00',
        grantCredit: '0.00',
        eligible: '0.00',
        bonusRate: '0',
        dealBonusRate: '0',
        discount: '0.00',
        payable: '20000.00',
        exclusion: 'EXCLUDED_SERVICE',
      },
    },
    {
      rule: 'PARTNER_OWN: eligible 0, rates 0, grant still reduces payable',
      input: ['30000', '500', 'PARTNER_OWN', '0.05'],
      want: {
        cost: '30000.00',
        grantCredit: '500.00',
        eligible: '0.00',
        bonusRate: '0',
        dealBonusRate: '0',
        discount: '0.00',
        payable: '29500.00',
        exclusion: 'PARTNER_OWN',
      },
    },
    {
      rule: 'grant covering the whole cost leaves nothing eligible',
      input: ['700', '700', null, '0.05'],
      want: {
        cost: '700.00',
        grantCredit: '700.00',
        eligible: '0.00',
        bonusRate: '0.15',
        dealBonusRate: '0.05',
        discount: '0.00',
        payable: '0.00',
        exclusion: null,
      },
    },
    {
      rule: 'raw sums are rounded half-up once: x.xx5 → up',
      input: ['10.005', '0.005', null, '0'],
      want: { cost: '10.01', grantCredit: '0.01', eligible: '10.00', bonusRate: '0.1', dealBonusRate: '0', discount: '1.00', payable: '9.00', exclusion: null },
    },
    {
      rule: 'raw sums with 6 digits round at the kopeck: 0.004999 → down',
      input: ['12.344999', '0.004999', null, '0'],
      want: {
        cost: '12.34',
        grantCredit: '0.00',
        eligible: '12.34',
        bonusRate: '0.1',
        dealBonusRate: '0',
        discount: '1.23',
        payable: '11.11',
        exclusion: null,
      },
    },
    {
      rule: 'discount half-up at x.xx5 (0.15 × 0.10 = 0.015 → 0.02)',
      input: ['0.10', '0', null, '0.05'],
      want: {
        cost: '0.10',
        grantCredit: '0.00',
        eligible: '0.10',
        bonusRate: '0.15',
        dealBonusRate: '0.05',
        discount: '0.02',
        payable: '0.08',
        exclusion: null,
      },
    },
    {
      rule: 'discount half-up at x.xx5 (0.1 × 123.45 = 12.345 → 12.35)',
      input: ['123.45', '0', null, '0'],
      want: {
        cost: '123.45',
        grantCredit: '0.00',
        eligible: '123.45',
        bonusRate: '0.1',
        dealBonusRate: '0',
        discount: '12.35',
        payable: '111.10',
        exclusion: null,
      },
    },
    {
      rule: 'discount is computed from the rounded eligible, not the raw sums',
      input: ['0.104', '0', null, '0.05'],
      want: {
        cost: '0.10',
        grantCredit: '0.00',
        eligible: '0.10',
        bonusRate: '0.15',
        dealBonusRate: '0.05',
        discount: '0.02',
        payable: '0.08',
        exclusion: null,
      },
    },
    {
      rule: 'zero consumption prices to zero',
      input: ['0', '0', null, '0.05'],
      want: {
        cost: '0.00',
        grantCredit: '0.00',
        eligible: '0.00',
        bonusRate: '0.15',
        dealBonusRate: '0.05',
        discount: '0.00',
        payable: '0.00',
        exclusion: null,
      },
    },
  ] as { rule: string; input: [string, string, LineExclusion | null, string]; want: ReturnType<typeof wire> }[])('$rule', ({ input, want }) => {
    expect(wire(line(...input))).toEqual(want);
  });

  it('discount is exact Decimal arithmetic, not float (0.1 + 0.05 applied to 1e15)', () => {
    const l = line('999999999999999.99', '0', null, '0.05');
    expect(formatMoney(l.discount)).toBe('150000000000000.00');
    expect(formatMoney(l.payable)).toBe('849999999999999.99');
  });
});

describe('invoice totals and partner bonus (SPEC §10, §17)', () => {
  it('worked example §17: lines', () => {
    expect(workedExample().map((l) => [formatMoney(l.eligible), formatRate(l.bonusRate), formatMoney(l.discount)])).toEqual([
      ['100000.00', '0.15', '15000.00'],
      ['0.00', '0', '0.00'],
      ['40000.00', '0.15', '6000.00'],
      ['0.00', '0', '0.00'],
    ]);
  });

  it('worked example §17: invoice totals', () => {
    const t = totalInvoice(workedExample(), NO_BONUS);
    expect(formatMoney(t.totalCost)).toBe('200000.00');
    expect(formatMoney(t.grantCredits)).toBe('10000.00');
    expect(formatMoney(t.eligibleAmount)).toBe('140000.00');
    expect(formatMoney(t.discount)).toBe('21000.00');
    expect(formatMoney(t.linesPayable)).toBe('169000.00');
    expect(formatMoney(t.customerLinesPayable)).toBe('139000.00');
    expect(formatMoney(t.customerCost)).toBe('170000.00');
    expect(formatMoney(t.bonusWithdrawalsApplied)).toBe('0.00');
    expect(formatMoney(t.bonusCarriedOver)).toBe('0.00');
    expect(formatMoney(t.payable)).toBe('169000.00');
  });

  it('worked example §17: partner bonus relative = 21000 ÷ 170000 = "0.1235"', () => {
    const b = partnerBonus(workedExample());
    expect(formatMoney(b.absolute)).toBe('21000.00');
    expect(formatMoney(b.eligibleAmount)).toBe('140000.00');
    expect(formatRate(b.relative)).toBe('0.1235');
  });

  it.each([
    {
      rule: 'BONUS fits: applied = carried + withdrawn, nothing carried over',
      carriedIn: '1000',
      withdrawn: '500',
      applied: '1500.00',
      carried: '0.00',
      payable: '167500.00',
    },
    { rule: 'BONUS exactly equal to customer payable', carriedIn: '100000', withdrawn: '39000', applied: '139000.00', carried: '0.00', payable: '30000.00' },
    {
      rule: 'BONUS larger than customer payable: capped, rest carried over, own payable still due',
      carriedIn: '100000',
      withdrawn: '50000',
      applied: '139000.00',
      carried: '11000.00',
      payable: '30000.00',
    },
    { rule: 'carry-over only, no withdrawal this month', carriedIn: '11000', withdrawn: '0', applied: '11000.00', carried: '0.00', payable: '158000.00' },
  ])('$rule', ({ carriedIn, withdrawn, applied, carried, payable }) => {
    const t = totalInvoice(workedExample(), { carriedIn: dec(carriedIn), withdrawnThisMonth: dec(withdrawn) });
    expect(formatMoney(t.bonusWithdrawalsApplied)).toBe(applied);
    expect(formatMoney(t.bonusCarriedOver)).toBe(carried);
    expect(formatMoney(t.payable)).toBe(payable);
    // BONUS money is neither created nor lost.
    expect(t.bonusWithdrawalsApplied.plus(t.bonusCarriedOver).eq(dec(carriedIn).plus(withdrawn))).toBe(true);
  });

  it('own-only partner: BONUS never pays own consumption, relative "0"', () => {
    const lines = [line('30000', '0', 'PARTNER_OWN')];
    const t = totalInvoice(lines, { carriedIn: dec('5000'), withdrawnThisMonth: dec(0) });
    expect(formatMoney(t.customerLinesPayable)).toBe('0.00');
    expect(formatMoney(t.bonusWithdrawalsApplied)).toBe('0.00');
    expect(formatMoney(t.bonusCarriedOver)).toBe('5000.00');
    expect(formatMoney(t.payable)).toBe('30000.00');
    const b = partnerBonus(lines);
    expect(formatMoney(b.absolute)).toBe('0.00');
    expect(formatRate(b.relative)).toBe('0');
  });

  it('customer figures equal the sums over customer lines, own lines anywhere in the list', () => {
    const lines = [
      line('30000.004', '10', 'PARTNER_OWN'),
      line('100.005', '0.5', null, '0.05'),
      line('0.01', '0', 'PARTNER_OWN'),
      line('250', '300', 'EXCLUDED_SERVICE'),
      line('99.995', '0', null),
    ];
    const t = totalInvoice(lines, NO_BONUS);
    const customer = lines.filter((l) => l.exclusion !== 'PARTNER_OWN');
    expect(formatMoney(t.customerCost)).toBe(formatMoney(sum(customer.map((l) => l.cost))));
    expect(formatMoney(t.customerLinesPayable)).toBe(formatMoney(sum(customer.map((l) => l.payable))));
    expect([t.customerCost, t.customerLinesPayable, t.linesPayable].map(formatMoney)).toEqual(['450.01', '124.58', '30114.59']);
  });

  it('no lines: zero totals, relative "0"', () => {
    const t = totalInvoice([], NO_BONUS);
    expect([t.totalCost, t.discount, t.payable, t.bonusWithdrawalsApplied].map(formatMoney)).toEqual(['0.00', '0.00', '0.00', '0.00']);
    expect(formatRate(partnerBonus([]).relative)).toBe('0');
  });

  it('relative rounds half-up to 4 digits (15 ÷ 120 = 0.125; 0.01 ÷ 200 = 0.00005 → 0.0001)', () => {
    expect(formatRate(partnerBonus([line('100', '0', null, '0.05'), line('20', '0', 'EXCLUDED_SERVICE')]).relative)).toBe('0.125');
    const half = partnerBonus([{ ...line('0', '0', null), discount: dec('0.01') }, line('200', '0', 'EXCLUDED_SERVICE')]);
    expect(formatRate(half.relative)).toBe('0.0001'); // 0.01 ÷ 200 = 0.00005 → half-up
  });

  it('relative ignores own cost but counts excluded-service cost', () => {
    const b = partnerBonus([line('1000', '0', null), line('1000', '0', 'EXCLUDED_SERVICE'), line('99000', '0', 'PARTNER_OWN')]);
    expect(formatRate(b.relative)).toBe('0.05');
  });

  it.each([
    { rule: 'has invoice: a line', lines: [line('0', '0', null)], carriedIn: '0', withdrawn: '0', want: true },
    { rule: 'has invoice: only carried-in BONUS', lines: [], carriedIn: '10', withdrawn: '0', want: true },
    { rule: 'has invoice: only a BONUS withdrawal this month', lines: [], carriedIn: '0', withdrawn: '10', want: true },
    { rule: 'no invoice: no lines and no BONUS', lines: [], carriedIn: '0', withdrawn: '0', want: false },
  ])('$rule', ({ lines, carriedIn, withdrawn, want }) => {
    expect(hasInvoice(lines, { carriedIn: dec(carriedIn), withdrawnThisMonth: dec(withdrawn) })).toBe(want);
  });
});

describe('project rebate (SPEC §7)', () => {
  const MIN = dec('30000');
  it.each([
    { rule: 'below the monthly minimum earns nothing', S: '29999.99', rate: '0.15', want: '0.00' },
    { rule: 'exactly at the minimum earns the rebate', S: '30000', rate: '0.15', want: '4500.00' },
    { rule: 'above the minimum: the whole S is rebated, not the excess', S: '40000', rate: '0.1', want: '4000.00' },
    { rule: 'rebate rounds half-up at x.xx5', S: '30000.05', rate: '0.15', want: '4500.01' }, // 4500.0075
    { rule: 'rebate rounds half-up at exactly x.xx5', S: '30000.10', rate: '0.05', want: '1500.01' }, // 1500.005
  ])('$rule', ({ S, rate, want }) => {
    expect(formatMoney(projectRebate(dec(S), dec(rate), MIN))).toBe(want);
  });

  it.each([
    { rule: 'window: month after approval, 12 months', approved: '2025-01-31', months: 12, from: '2025-02', to: '2026-01' },
    { rule: 'window: approval in December crosses the year', approved: '2024-12-01', months: 12, from: '2025-01', to: '2025-12' },
    { rule: 'window: single month', approved: '2025-05-15', months: 1, from: '2025-06', to: '2025-06' },
  ])('$rule', ({ approved, months, from, to }) => {
    expect(projectRebateWindow(approved, months)).toEqual({ rebateFrom: from, rebateTo: to });
  });

  it.each([
    { month: '2025-01', want: false },
    { month: '2025-02', want: true },
    { month: '2025-10', want: true },
    { month: '2026-01', want: true },
    { month: '2026-02', want: false },
  ])('in rebate window 2025-02..2026-01: $month → $want', ({ month, want }) => {
    expect(isInRebateWindow(month, '2025-02', '2026-01')).toBe(want);
  });
});

describe('specialization rebate (SPEC §11)', () => {
  const EXPERT = { rebateRate: dec('0.035'), coMarketingRate: dec('0.015') };
  const PROFESSIONAL = { rebateRate: dec('0.07'), coMarketingRate: dec('0.03') };

  it.each([
    { rule: 'growth specialization: base = G − Gprev', spec: 'INFRA_DEVOPS', g: '150000', prev: '100000', want: '50000' },
    { rule: 'growth specialization: no growth → 0', spec: 'DATA_PLATFORM', g: '80000', prev: '100000', want: '0' },
    { rule: 'growth specialization: flat → 0', spec: 'SECURITY', g: '100000', prev: '100000', want: '0' },
    { rule: 'growth specialization: first quarter (Gprev 0) → G', spec: 'SECURITY', g: '100000', prev: '0', want: '100000' },
    { rule: 'ML_AI: absolute base G, even when it fell', spec: 'ML_AI', g: '80000', prev: '100000', want: '80000' },
  ] as { rule: string; spec: Specialization; g: string; prev: string; want: string }[])('$rule', ({ spec, g, prev, want }) => {
    expect(specializationBase(spec, dec(g), dec(prev)).eq(dec(want))).toBe(true);
  });

  it.each([
    { rule: 'EXPERT 0.035 / 0.015', rates: EXPERT, base: '100000', rebate: '3500.00', coMarketing: '1500.00' },
    { rule: 'PROFESSIONAL 0.07 / 0.03', rates: PROFESSIONAL, base: '100000', rebate: '7000.00', coMarketing: '3000.00' },
    {
      rule: 'EXPERT rounds each amount half-up (0.035 × 100.10 = 3.5035; 0.015 × 100.10 = 1.5015)',
      rates: EXPERT,
      base: '100.10',
      rebate: '3.50',
      coMarketing: '1.50',
    },
    { rule: 'PROFESSIONAL half-up at x.xx5 (0.07 × 0.5 = 0.035; 0.03 × 0.5 = 0.015)', rates: PROFESSIONAL, base: '0.5', rebate: '0.04', coMarketing: '0.02' },
    { rule: 'PARTNER level 0 / 0', rates: { rebateRate: dec(0), coMarketingRate: dec(0) }, base: '100000', rebate: '0.00', coMarketing: '0.00' },
    { rule: 'zero base → zero', rates: PROFESSIONAL, base: '0', rebate: '0.00', coMarketing: '0.00' },
  ])('$rule', ({ rates, base, rebate, coMarketing }) => {
    const r = specializationRebate(dec(base), rates);
    expect([formatMoney(r.rebate), formatMoney(r.coMarketing)]).toEqual([rebate, coMarketing]);
  });

  const Q1 = ['2025-01-01', '2025-03-31'] as const;
  it.each([
    { rule: 'level: whole quarter, still active', periods: [{ level: 'EXPERT', activeFrom: '2024-06-01', activeTo: null }], exit: null, want: 'EXPERT' },
    {
      rule: 'level: upgraded mid-quarter → level on the last day',
      periods: [
        { level: 'EXPERT', activeFrom: '2024-06-01', activeTo: '2025-02-14' },
        { level: 'PROFESSIONAL', activeFrom: '2025-02-15', activeTo: null },
      ],
      exit: null,
      want: 'PROFESSIONAL',
    },
    {
      rule: 'level: ended mid-quarter still counts (last active day)',
      periods: [{ level: 'EXPERT', activeFrom: '2024-06-01', activeTo: '2025-01-01' }],
      exit: null,
      want: 'EXPERT',
    },
    {
      rule: 'level: activeTo inclusive on the quarter start',
      periods: [{ level: 'PROFESSIONAL', activeFrom: '2024-06-01', activeTo: '2025-01-01' }],
      exit: null,
      want: 'PROFESSIONAL',
    },
    {
      rule: 'level: started on the quarter last day (activeFrom inclusive)',
      periods: [{ level: 'EXPERT', activeFrom: '2025-03-31', activeTo: null }],
      exit: null,
      want: 'EXPERT',
    },
    {
      rule: 'level: ended before the quarter → null',
      periods: [{ level: 'EXPERT', activeFrom: '2024-06-01', activeTo: '2024-12-31' }],
      exit: null,
      want: null,
    },
    { rule: 'level: starts after the quarter → null', periods: [{ level: 'EXPERT', activeFrom: '2025-04-01', activeTo: null }], exit: null, want: null },
    {
      rule: 'level: partner exited mid-quarter → level on the partner’s last active day',
      periods: [
        { level: 'EXPERT', activeFrom: '2024-06-01', activeTo: '2025-02-14' },
        { level: 'PROFESSIONAL', activeFrom: '2025-02-15', activeTo: null },
      ],
      exit: '2025-02-15',
      want: 'EXPERT',
    },
    {
      rule: 'level: specialization began on the exit date → null',
      periods: [{ level: 'EXPERT', activeFrom: '2025-02-15', activeTo: null }],
      exit: '2025-02-15',
      want: null,
    },
    {
      rule: 'level: partner exited before the quarter → null',
      periods: [{ level: 'EXPERT', activeFrom: '2024-06-01', activeTo: null }],
      exit: '2025-01-01',
      want: null,
    },
    { rule: 'level: no periods → null', periods: [], exit: null, want: null },
  ] as { rule: string; periods: { level: string; activeFrom: string; activeTo: string | null }[]; exit: string | null; want: string | null }[])(
    '$rule',
    ({ periods, exit, want }) => {
      expect(levelInForce(periods, Q1[0], Q1[1], exit)).toBe(want);
    },
  );
});

describe('deal rate on a day (SPEC §6, §10)', () => {
  const deals = DEAL_RATE_DEALS.map((d) => ({ ...d, bonusRate: dec(d.bonusRate) }));
  it.each(DEAL_RATE_CASES)('$rule', ({ date, want }) => {
    expect(formatRate(dealRateOn(date, deals))).toBe(want);
  });
  it('open-ended deal still active years later', () => expect(formatRate(dealRateOn('2030-12-31', deals))).toBe('0.08'));
  it.each(ENDED_DEAL_CASES)('$rule', ({ date, want }) => {
    expect(formatRate(dealRateOn(date, [deals[0]]))).toBe(want);
  });
  it('no deals → 0', () => expect(formatRate(dealRateOn('2025-03-01', []))).toBe('0'));
  it("spans of a month: cut where a deal starts or ends, each with its first day's rate", () => {
    const spans = dealRateSpans('2025-03-01', '2025-04-01', [{ bonusRate: dec('0.05'), activatedOn: '2025-03-10', endedOn: '2025-03-20' }]);
    expect(spans.map((s) => [s.from, s.to, formatRate(s.bonusRate)])).toEqual([
      ['2025-03-01', '2025-03-10', '0'],
      ['2025-03-10', '2025-03-20', '0.05'],
      ['2025-03-20', '2025-04-01', '0'],
    ]);
    expect(dealRateSpans('2025-03-01', '2025-04-01', []).map((s) => [s.from, s.to, formatRate(s.bonusRate)])).toEqual([['2025-03-01', '2025-04-01', '0']]);
  });
});

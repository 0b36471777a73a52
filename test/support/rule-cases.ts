// Cases of rules that both TypeScript and SQL apply: the unit tests run them through the domain function, the api
// tests (test/api/rules-sql.test.ts) through the query that applies the same rule in the database.

/** Deals of one customer (SPEC §6): the first ended on the hand-over day the second began. */
export const DEAL_RATE_DEALS = [
  { bonusRate: '0.05', activatedOn: '2025-01-10', endedOn: '2025-03-01' },
  { bonusRate: '0.08', activatedOn: '2025-03-01', endedOn: null },
] as { bonusRate: string; activatedOn: string; endedOn: string | null }[];

/** The deal rate in force on a day, with DEAL_RATE_DEALS. */
export const DEAL_RATE_CASES = [
  { rule: 'before activation → 0', date: '2025-01-09', want: '0' },
  { rule: 'activatedOn is inclusive', date: '2025-01-10', want: '0.05' },
  { rule: 'last day before endedOn', date: '2025-02-28', want: '0.05' },
  { rule: 'endedOn is exclusive (hand-over day is the new deal’s)', date: '2025-03-01', want: '0.08' },
  { rule: 'open-ended deal still active', date: '2025-03-31', want: '0.08' },
];

/** With the first deal of DEAL_RATE_DEALS alone. */
export const ENDED_DEAL_CASES = [{ rule: 'ended deal with no successor → 0 on endedOn', date: '2025-03-01', want: '0' }];

/** Deal expiry (SPEC §6, §15): [status, link deadline, today, due]. */
export const DEAL_EXPIRY_CASES = [
  ['APPROVED', '2026-03-16', '2026-03-16', false],
  ['APPROVED', '2026-03-16', '2026-03-17', true],
  ['APPROVED', '2026-03-16', '2026-04-01', true],
  ['ACTIVE', '2026-03-16', '2026-04-01', false],
] as const;

/** The end of a procurement deal (SPEC §6, §15): [status, contract end, today, due]. */
export const PROCUREMENT_END_CASES = [
  ['ACTIVE', '2026-12-31', '2026-12-31', false],
  ['ACTIVE', '2026-12-31', '2027-01-01', true],
  ['ACTIVE', null, '2027-01-01', false],
  ['ENDED', '2026-12-31', '2027-01-01', false],
] as const;

/**
 * Invoice lines (SPEC §10) as the close sums them — raw Σ cost and Σ grant of the records (up to 6 fraction digits),
 * the exclusion and the deal rate — priced by priceInvoiceLine and by the close's SQL (test/api/pricing-sql.test.ts).
 */
export const LINE_PRICING_CASES = [
  { rule: 'eligible = cost − grant, rate = base + deal, discount rounded once', cost: '50000', grant: '10000', exclusion: null, deal: '0.05' },
  { rule: 'no deal: the base rate', cost: '1000', grant: '0', exclusion: null, deal: '0' },
  { rule: 'cost rounds half up after summing (100.005 → 100.01)', cost: '100.005', grant: '0', exclusion: null, deal: '0' },
  { rule: 'just below half rounds down (100.004999 → 100.00)', cost: '100.004999', grant: '0.000001', exclusion: null, deal: '0' },
  { rule: 'discount rounds half up (0.15 × 0.10 = 0.015 → 0.02)', cost: '0.1', grant: '0', exclusion: null, deal: '0.05' },
  { rule: 'discount of 0.0049 rounds to 0', cost: '0.049', grant: '0', exclusion: null, deal: '0' },
  { rule: 'grant larger than cost: eligible 0, payable negative, no surcharge', cost: '10', grant: '25.555', exclusion: null, deal: '0.05' },
  { rule: 'negative correction rounds half away from zero (−0.005 → −0.01)', cost: '-0.005', grant: '0', exclusion: null, deal: '0' },
  { rule: 'excluded service: rates 0, nothing eligible', cost: '20000', grant: '0', exclusion: 'EXCLUDED_SERVICE', deal: '0.05' },
  { rule: 'own account: rates 0, nothing eligible', cost: '30000.125', grant: '1.115', exclusion: 'PARTNER_OWN', deal: '0' },
  { rule: 'exact at 10^15 (0.15 × 999999999999999.99)', cost: '999999999999999.99', grant: '0', exclusion: null, deal: '0.05' },
  { rule: 'rate 1 (base + deal at the top)', cost: '12.345', grant: '0.005', exclusion: null, deal: '0.9' },
] as { rule: string; cost: string; grant: string; exclusion: 'PARTNER_OWN' | 'EXCLUDED_SERVICE' | null; deal: string }[];

/** Invoice totals (SPEC §3, §10): line cases of LINE_PRICING_CASES by index, BONUS money, a partner that left. */
export const INVOICE_TOTAL_CASES = [
  { rule: 'customer and own lines, no BONUS money', lines: [0, 8, 9], carriedIn: '0', withdrawn: '0', exited: false },
  { rule: 'BONUS fits in the customer payable', lines: [0, 1, 9], carriedIn: '1000', withdrawn: '500', exited: false },
  { rule: 'BONUS larger than the customer payable: capped, the rest carried', lines: [1, 9], carriedIn: '100000', withdrawn: '50000', exited: false },
  { rule: 'own lines only: BONUS pays none of them', lines: [9], carriedIn: '5000', withdrawn: '0', exited: false },
  { rule: 'negative customer payable: nothing applied', lines: [6], carriedIn: '10', withdrawn: '0', exited: false },
  { rule: 'no lines, BONUS money only: an invoice that carries it', lines: [], carriedIn: '0', withdrawn: '250.5', exited: false },
  { rule: 'a partner that left: the rest returns instead of being carried', lines: [1], carriedIn: '5000', withdrawn: '0', exited: true },
  { rule: 'no lines, no BONUS money: no invoice', lines: [], carriedIn: '0', withdrawn: '0', exited: false },
];

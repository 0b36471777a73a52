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

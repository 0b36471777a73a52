// The deal bonus rate that applies to a customer's consumption on a given day (SPEC §6, §10).
import type Decimal from 'decimal.js';
import { ZERO } from '../../../shared/money';

export interface DealPeriod {
  bonusRate: Decimal;
  /** Inclusive 'YYYY-MM-DD'. */
  activatedOn: string;
  /** Exclusive 'YYYY-MM-DD'; null while the deal is still ACTIVE. */
  endedOn: string | null;
}

/** Intervals are closed at the start and open at the end, so on a hand-over day only the new deal counts. */
export function dealRateOn(date: string, deals: DealPeriod[]): Decimal {
  const active = deals
    .filter((d) => d.activatedOn <= date && (d.endedOn === null || date < d.endedOn))
    // Deals should not overlap; if data ever says otherwise, the latest activation wins deterministically.
    .sort((a, b) => (a.activatedOn < b.activatedOn ? 1 : a.activatedOn > b.activatedOn ? -1 : 0));
  return active.length > 0 ? active[0].bonusRate : ZERO;
}

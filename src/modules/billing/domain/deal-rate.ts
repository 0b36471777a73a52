// The deal bonus rate that applies to a customer's consumption on a given day (SPEC §6, §10). The one copy of the
// rule: the close and the preview split a month's attribution spans with dealRateSpans, so no SQL picks rates.
import type Decimal from 'decimal.js';
import { maxDate, minDate } from '../../../shared/dates';
import { ZERO } from '../../../shared/money';

export interface DealPeriod {
  bonusRate: Decimal;
  /** Inclusive 'YYYY-MM-DD'. */
  activatedOn: string;
  /** Exclusive 'YYYY-MM-DD'; null while the deal is still ACTIVE. */
  endedOn: string | null;
}

/** A deal is in force from its activation day (inclusive) to its end day (exclusive). */
export function dealInForce(deal: DealPeriod, date: string): boolean {
  return deal.activatedOn <= date && (deal.endedOn === null || date < deal.endedOn);
}

/** Intervals are closed at the start and open at the end, so on a hand-over day only the new deal counts. */
export function dealRateOn(date: string, deals: DealPeriod[]): Decimal {
  const active = deals
    .filter((d) => dealInForce(d, date))
    // Deals should not overlap; if data ever says otherwise, the latest activation wins deterministically.
    .sort((a, b) => (a.activatedOn < b.activatedOn ? 1 : a.activatedOn > b.activatedOn ? -1 : 0));
  return active.length > 0 ? active[0].bonusRate : ZERO;
}

export interface DealRateSpan {
  /** Inclusive. */
  from: string;
  /** Exclusive. */
  to: string;
  bonusRate: Decimal;
}

/**
 * Days [from, to) cut at every day a deal starts or ends, each span with the rate dealRateOn gives its first day
 * (the same on each of its days, since no deal starts or ends inside it). Without deals: one span at rate 0.
 */
export function dealRateSpans(from: string, to: string, deals: DealPeriod[]): DealRateSpan[] {
  const points = new Set([from, to]);
  for (const deal of deals) {
    points.add(minDate(maxDate(deal.activatedOn, from), to));
    if (deal.endedOn !== null) points.add(minDate(maxDate(deal.endedOn, from), to));
  }
  const sorted = [...points].sort();
  const spans: DealRateSpan[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) spans.push({ from: sorted[i], to: sorted[i + 1], bonusRate: dealRateOn(sorted[i], deals) });
  return spans;
}

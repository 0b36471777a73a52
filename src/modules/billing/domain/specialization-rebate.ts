// Specialization rebate (SPEC §11): quarterly, on the growth (or, for ML_AI, the volume) of a specialization.
import type Decimal from 'decimal.js';
import { Dec, ZERO, roundMoney } from '../../../shared/money';
import { addDays, maxDate, minDate } from '../../../shared/dates';

export type Specialization = 'INFRA_DEVOPS' | 'DATA_PLATFORM' | 'SECURITY' | 'ML_AI';

export interface SpecializationRates {
  rebateRate: Decimal;
  coMarketingRate: Decimal;
}

export interface SpecializationPeriod<L extends string = string> {
  level: L;
  /** Inclusive 'YYYY-MM-DD'. */
  activeFrom: string;
  /** Inclusive 'YYYY-MM-DD'; null while still active. */
  activeTo: string | null;
}

/** Mature specializations reward growth over the previous quarter; ML_AI is rewarded on its whole volume. */
export function specializationBase(spec: Specialization, gQ: Decimal, gPrev: Decimal): Decimal {
  if (spec === 'ML_AI') return gQ;
  return Dec.max(ZERO, gQ.minus(gPrev));
}

/** Each amount is rounded once: the rebate becomes one ledger entry, co-marketing one budget amount. */
export function specializationRebate(base: Decimal, rates: SpecializationRates): { rebate: Decimal; coMarketing: Decimal } {
  return { rebate: roundMoney(base.times(rates.rebateRate)), coMarketing: roundMoney(base.times(rates.coMarketingRate)) };
}

/**
 * The level in force on the last day in the quarter on which both the specialization and the
 * partner were active, or null when there is no such day (no rebate for the quarter).
 */
export function levelInForce<L extends string>(
  periods: SpecializationPeriod<L>[],
  quarterFirstDay: string,
  quarterLastDay: string,
  partnerActiveUntilExclusive: string | null,
): L | null {
  const lastPartnerDay = partnerActiveUntilExclusive === null ? quarterLastDay : minDate(quarterLastDay, addDays(partnerActiveUntilExclusive, -1));
  let best: { lastDay: string; activeFrom: string; level: L } | null = null;
  for (const p of periods) {
    const firstDay = maxDate(p.activeFrom, quarterFirstDay);
    const lastDay = p.activeTo === null ? lastPartnerDay : minDate(p.activeTo, lastPartnerDay);
    if (firstDay > lastDay) continue;
    // On a shared last day the period that started later is the one in force (it superseded the other).
    if (best === null || lastDay > best.lastDay || (lastDay === best.lastDay && p.activeFrom > best.activeFrom)) {
      best = { lastDay, activeFrom: p.activeFrom, level: p.level };
    }
  }
  return best?.level ?? null;
}

// Project rebate (SPEC §7): a share of a new project's consumption during its rebate window.
import type Decimal from 'decimal.js';
import { ZERO, roundMoney } from '../../../shared/money';
import { addMonths, monthOf } from '../../../shared/dates';

/**
 * The scope was empty at registration, so all of S is growth; a month below the
 * minimum earns nothing (the threshold is a gate, not a deductible).
 */
export function projectRebate(S: Decimal, rebateRate: Decimal, minMonthly: Decimal): Decimal {
  if (S.lt(minMonthly)) return ZERO;
  return roundMoney(S.times(rebateRate));
}

/** The window starts the month after approval: the approval month is never partly rebated. */
export function projectRebateWindow(approvalDate: string, months: number): { rebateFrom: string; rebateTo: string } {
  const rebateFrom = addMonths(monthOf(approvalDate), 1);
  return { rebateFrom, rebateTo: addMonths(rebateFrom, months - 1) };
}

/** Both ends inclusive; 'YYYY-MM' strings compare in calendar order. */
export function isInRebateWindow(month: string, rebateFrom: string, rebateTo: string): boolean {
  return month >= rebateFrom && month <= rebateTo;
}

// Invoice totals and the partner bonus for one partner × month (SPEC §10).
import type Decimal from 'decimal.js';
import { Dec, ZERO, plus, roundRate, sum } from '../../../shared/money';
import type { PricedLine } from './invoice-line';

export interface BonusAmounts {
  /** bonusCarriedOver of M−1's invoice. */
  carriedIn: Decimal;
  /** Σ BONUS withdrawals made in M. */
  withdrawnThisMonth: Decimal;
}

export interface InvoiceTotals {
  totalCost: Decimal;
  grantCredits: Decimal;
  eligibleAmount: Decimal;
  discount: Decimal;
  linesPayable: Decimal;
  customerLinesPayable: Decimal;
  /** Σ cost of customer lines: the denominator of the relative bonus. */
  customerCost: Decimal;
  bonusWithdrawalsApplied: Decimal;
  bonusCarriedOver: Decimal;
  payable: Decimal;
}

export interface PartnerBonusAmounts {
  absolute: Decimal;
  /** Rounded half-up to 4 fraction digits; 0 when customers had no cost. */
  relative: Decimal;
  eligibleAmount: Decimal;
}

/** Customer lines: everything except the partner's own consumption. */
export function isCustomerLine(line: PricedLine): boolean {
  return line.exclusion !== 'PARTNER_OWN';
}

/**
 * BONUS withdrawals pay only for customers' consumption, never the partner's own;
 * whatever does not fit this month is carried into the next one.
 */
export function applyBonusWithdrawals(customerLinesPayable: Decimal, bonus: BonusAmounts): { applied: Decimal; carriedOver: Decimal } {
  const available = bonus.carriedIn.plus(bonus.withdrawnThisMonth);
  const cap = Dec.max(ZERO, customerLinesPayable);
  const applied = Dec.max(ZERO, Dec.min(available, cap));
  return { applied, carriedOver: available.minus(applied) };
}

export function totalInvoice(lines: PricedLine[], bonus: BonusAmounts): InvoiceTotals {
  // Totals are sums of the lines' already-rounded parts; no rounding happens here. One pass: the customer figures
  // are the totals less the partner's own lines (exact decimal arithmetic, so the same as summing customer lines).
  let totalCost = ZERO;
  let grantCredits = ZERO;
  let eligibleAmount = ZERO;
  let discount = ZERO;
  let linesPayable = ZERO;
  let ownCost = ZERO;
  let ownPayable = ZERO;
  for (const line of lines) {
    totalCost = plus(totalCost, line.cost);
    grantCredits = plus(grantCredits, line.grantCredit);
    eligibleAmount = plus(eligibleAmount, line.eligible);
    discount = plus(discount, line.discount);
    linesPayable = plus(linesPayable, line.payable);
    if (!isCustomerLine(line)) {
      ownCost = plus(ownCost, line.cost);
      ownPayable = plus(ownPayable, line.payable);
    }
  }
  const customerLinesPayable = linesPayable.minus(ownPayable);
  const { applied, carriedOver } = applyBonusWithdrawals(customerLinesPayable, bonus);
  return {
    totalCost,
    grantCredits,
    eligibleAmount,
    discount,
    linesPayable,
    customerLinesPayable,
    customerCost: totalCost.minus(ownCost),
    bonusWithdrawalsApplied: applied,
    bonusCarriedOver: carriedOver,
    payable: linesPayable.minus(applied),
  };
}

/** relative is measured against customers' cost only: own consumption never earns a bonus. */
export function partnerBonus(lines: PricedLine[]): PartnerBonusAmounts {
  const absolute = sum(lines.map((l) => l.discount));
  const customerCost = sum(lines.filter(isCustomerLine).map((l) => l.cost));
  const relative = customerCost.isZero() ? ZERO : roundRate(absolute.dividedBy(customerCost));
  return { absolute, relative, eligibleAmount: sum(lines.map((l) => l.eligible)) };
}

/** A zero-line invoice still exists when it has BONUS money to carry. */
export function hasInvoice(lines: PricedLine[], bonus: BonusAmounts): boolean {
  return lines.length > 0 || !bonus.carriedIn.isZero() || !bonus.withdrawnThisMonth.isZero();
}

/** An invoice's id (also its PartnerBonus's): `<partnerId>:<YYYY-MM>` (SPEC §23). */
export function invoiceId(partnerId: string, month: string): string {
  return `${partnerId}:${month}`;
}

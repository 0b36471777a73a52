// Pricing of one invoice line (SPEC §10): billing account × service × rates in force.
import type Decimal from 'decimal.js';
import { ZERO, minus, plus, roundMoney } from '../../../shared/money';

export type LineExclusion = 'PARTNER_OWN' | 'EXCLUDED_SERVICE';

/** Why consumption earns no bonus (SPEC §1, §10): the partner's own account, else a service with bonusEligible false. */
export function lineExclusion(ownAccount: boolean, bonusEligible: boolean): LineExclusion | null {
  if (ownAccount) return 'PARTNER_OWN';
  return bonusEligible ? null : 'EXCLUDED_SERVICE';
}

export interface InvoiceLineInput {
  /** Raw Σ cost of the line's records (up to 6 fraction digits). */
  cost: Decimal;
  /** Raw Σ grant credit of the line's records (up to 6 fraction digits). */
  grantCredit: Decimal;
  exclusion: LineExclusion | null;
  baseRate: Decimal;
  /** The ACTIVE deal's rate for the line's days, 0 without a deal. */
  dealBonusRate: Decimal;
}

export interface PricedLine {
  cost: Decimal;
  grantCredit: Decimal;
  eligible: Decimal;
  bonusRate: Decimal;
  dealBonusRate: Decimal;
  discount: Decimal;
  payable: Decimal;
  exclusion: LineExclusion | null;
}

/**
 * Eligible amount of a line: what the partner bonus applies to.
 * Own consumption and excluded services earn no bonus. A grant larger than the cost
 * yields 0, never a negative base: a bonus must not turn into a surcharge.
 */
export function eligibleAmount(cost: Decimal, grantCredit: Decimal, exclusion: LineExclusion | null): Decimal {
  if (exclusion !== null) return ZERO;
  const eligible = minus(cost, grantCredit);
  return eligible.isNegative() ? ZERO : eligible;
}

export function priceInvoiceLine(input: InvoiceLineInput): PricedLine {
  // Cost and grant are rounded once, after summing the records, so totals are sums of rounded parts.
  const cost = roundMoney(input.cost);
  const grantCredit = roundMoney(input.grantCredit);
  const eligible = eligibleAmount(cost, grantCredit, input.exclusion);
  // Excluded lines show rate "0" everywhere, so the invoice never suggests a bonus was due on them.
  const dealBonusRate = input.exclusion === null ? input.dealBonusRate : ZERO;
  const bonusRate = input.exclusion === null ? plus(input.baseRate, dealBonusRate) : ZERO;
  const discount = eligible.isZero() ? ZERO : roundMoney(eligible.times(bonusRate));
  const payable = minus(minus(cost, grantCredit), discount);
  return { cost, grantCredit, eligible, bonusRate, dealBonusRate, discount, payable, exclusion: input.exclusion };
}

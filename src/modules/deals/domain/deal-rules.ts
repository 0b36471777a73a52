// Deal registration rules and status machine (SPEC §6).
// SUBMITTED → APPROVED | REJECTED; APPROVED → ACTIVE | EXPIRED | ENDED (partner exit); ACTIVE → ENDED.
import type Decimal from 'decimal.js';
import { DomainError, invalidTransition, requireReason, throwIfAny, validationFailed } from '../../../shared/domain-error';
import { addDays, maxDate } from '../../../shared/dates';
import { dec, scaleOf } from '../../../shared/money';
import type { ReviewDecision } from '../../partners/domain/partner-lifecycle';

export type DealStatus = 'SUBMITTED' | 'APPROVED' | 'REJECTED' | 'ACTIVE' | 'EXPIRED' | 'ENDED';

const ENTITY = 'deal';

export interface DealRegistration {
  targetMonthlyConsumption: Decimal;
  /** Minimum target from the settings in force in the registration month. */
  minTarget: Decimal.Value;
  procurement: boolean;
  contractEndsOn?: string | null;
  today: string;
}

/**
 * Field checks first (all reported together), then the target threshold (§9 order).
 * A procurement (44-FZ/223-FZ) deal needs a contract end date that has not passed: the uplift stops after it.
 */
export function checkDealRegistration(input: DealRegistration): void {
  const fieldErrors: DomainError[] = [];
  if (scaleOf(input.targetMonthlyConsumption) > 2 || input.targetMonthlyConsumption.isNegative()) {
    fieldErrors.push(
      validationFailed(['input', 'targetMonthlyConsumption'], 'Target monthly consumption must be a non-negative amount with at most 2 fraction digits'),
    );
  }
  if (input.procurement && !input.contractEndsOn) {
    fieldErrors.push(validationFailed(['input', 'contractEndsOn'], 'A procurement deal requires contractEndsOn'));
  } else if (input.procurement && input.contractEndsOn! < input.today) {
    fieldErrors.push(validationFailed(['input', 'contractEndsOn'], `contractEndsOn must be today (${input.today}) or later`));
  }
  throwIfAny(fieldErrors);
  if (input.targetMonthlyConsumption.lt(input.minTarget)) {
    throw new DomainError('TARGET_TOO_LOW', `Target monthly consumption must be at least ${dec(input.minTarget).toFixed(2)}`, [
      'input',
      'targetMonthlyConsumption',
    ]);
  }
}

/** The deal uplift: 0 < rate ≤ the maximum deal bonus rate in force. A missing rate on APPROVE is a field error. */
export function checkBonusRate(rate: Decimal.Value | null | undefined, maxRate: Decimal.Value): void {
  checkRateInRange(rate, maxRate, ['input', 'bonusRate'], 'bonusRate');
}

/** Shared by deal bonus and project rebate rates: both are 0 < r ≤ a configured maximum. */
export function checkRateInRange(rate: Decimal.Value | null | undefined, maxRate: Decimal.Value, field: string[], name: string): void {
  if (rate == null) throw validationFailed(field, `${name} is required to approve`);
  const value = dec(rate);
  if (value.lte(0) || value.gt(maxRate)) {
    throw new DomainError('RATE_OUT_OF_RANGE', `${name} must be greater than 0 and at most ${dec(maxRate).toFixed()}`, field);
  }
}

/** ADMIN review: APPROVE → APPROVED (check the rate with checkBonusRate first), REJECT (reason required) → REJECTED. */
export function reviewDeal(status: DealStatus, decision: ReviewDecision, reason?: string | null): DealStatus {
  if (decision === 'REJECT') requireReason(reason, 'reject a deal');
  if (status !== 'SUBMITTED') throw invalidTransition(ENTITY, status, 'review');
  return decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
}

/** Last day on which linking the customer still activates the deal: approval date + the link window. */
export function linkDeadline(approvalDate: string, windowDays: number): string {
  return addDays(approvalDate, windowDays);
}

/**
 * The two time rules of a deal (SPEC §6, §15): the status a deal must be in and how many days after its date the
 * transition is due. The scheduler's SQL takes these as parameters (DealsService.dueTransitions).
 */
export const DEAL_EXPIRY = { status: 'APPROVED' as DealStatus, daysAfterLinkDeadline: 1 };
export const PROCUREMENT_END = { status: 'ACTIVE' as DealStatus, daysAfterContractEnd: 1 };

/** An unlinked deal expires the day after its link deadline. */
export function expiryDate(deadline: string): string {
  return addDays(deadline, DEAL_EXPIRY.daysAfterLinkDeadline);
}

/** A procurement deal's uplift stops the day after the contract ends (that day is its endedOn). */
export function procurementEndDate(contractEndsOn: string): string {
  return addDays(contractEndsOn, PROCUREMENT_END.daysAfterContractEnd);
}

/**
 * The day an APPROVED deal becomes ACTIVE given the day a matching subaccount got linked: the approval day if it
 * was already linked, else the link day; null when that is after the deadline (or on/after a procurement end).
 */
export function activationDate(approvalDate: string, linkedOn: string, deadline: string, procurementEndsOn?: string | null): string | null {
  const day = maxDate(approvalDate, linkedOn);
  if (day > deadline) return null;
  if (procurementEndsOn && day >= procurementEndsOn) return null;
  return day;
}

export function activateDeal(status: DealStatus): DealStatus {
  if (status !== 'APPROVED') throw invalidTransition(ENTITY, status, 'activate');
  return 'ACTIVE';
}

/** Due once the day after the link deadline has come (§15: it takes effect on that date whenever noticed). */
export function dealExpiryIsDue(status: DealStatus, deadline: string, today: string): boolean {
  return status === DEAL_EXPIRY.status && expiryDate(deadline) <= today;
}

export function expireDeal(status: DealStatus): DealStatus {
  if (status !== 'APPROVED') throw invalidTransition(ENTITY, status, 'expire');
  return 'EXPIRED';
}

/** Due once the day after contractEndsOn has come, for an ACTIVE procurement deal. */
export function procurementEndIsDue(status: DealStatus, contractEndsOn: string | null | undefined, today: string): boolean {
  return status === PROCUREMENT_END.status && contractEndsOn != null && procurementEndDate(contractEndsOn) <= today;
}

/** ACTIVE → ENDED: the last covered subaccount was unlinked, or the procurement contract ended. */
export function endDeal(status: DealStatus): DealStatus {
  if (status !== 'ACTIVE') throw invalidTransition(ENTITY, status, 'end');
  return 'ENDED';
}

/** Partner exit ends every open deal, submitted and approved ones included (§3). */
export function endDealOnPartnerExit(status: DealStatus): DealStatus {
  if (!isDealOpen(status)) throw invalidTransition(ENTITY, status, 'end');
  return 'ENDED';
}

/** Open deals hold the customer INN: at most one per INN across all partners (DEAL_CONFLICT). */
export function isDealOpen(status: DealStatus): boolean {
  return status === 'SUBMITTED' || status === 'APPROVED' || status === 'ACTIVE';
}

/**
 * The day a deal ending on `date` stops giving its uplift: `date`, or the day after a procurement contract's end if
 * that came first (an end noticed late must not extend the uplift past the contract).
 */
export function firstDayWithoutUplift(deal: { procurement: boolean; contractEndsOn: string | null }, date: string): string {
  if (!deal.procurement || !deal.contractEndsOn) return date;
  const contractOver = procurementEndDate(deal.contractEndsOn);
  return contractOver < date ? contractOver : date;
}

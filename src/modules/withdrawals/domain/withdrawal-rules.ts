// Rebate withdrawal rules (SPEC §12).
import type Decimal from 'decimal.js';
import { DomainError, invalidTransition, requireReason, validationFailed } from '../../../shared/domain-error';
import { dec, scaleOf } from '../../../shared/money';
import type { PartnerStatus } from '../../partners/domain/partner-lifecycle';

export type WithdrawalDestination = 'BONUS' | 'BANK_ACCOUNT';
export type WithdrawalStatus = 'APPLIED' | 'PENDING' | 'PAID' | 'REJECTED';
export type WithdrawalSettlement = 'PAID' | 'REJECTED';

/** Money moves in whole kopecks and only out of the balance. */
export function checkWithdrawalAmount(amount: Decimal): void {
  if (amount.lte(0) || scaleOf(amount) > 2) {
    throw validationFailed(['input', 'amount'], 'Amount must be greater than 0 with at most 2 fraction digits');
  }
}

/** Enough balance: the WITHDRAWAL entry is written at once, so the balance must cover it now. */
export function checkSufficientBalance(amount: Decimal, available: Decimal.Value): void {
  if (amount.gt(available)) {
    throw new DomainError('INSUFFICIENT_BALANCE', `Amount exceeds the available balance of ${dec(available).toFixed(2)}`, ['input', 'amount']);
  }
}

/**
 * BONUS reduces future invoices, so only a partner still in the program (ACTIVE or QUITTING) may choose it.
 * BANK_ACCOUNT stays open after exit (the balance remains the partner's) but not before the partner was ever admitted.
 */
export function checkDestinationAllowed(partnerStatus: PartnerStatus, destination: WithdrawalDestination): void {
  const allowed =
    destination === 'BONUS' ? partnerStatus === 'ACTIVE' || partnerStatus === 'QUITTING' : partnerStatus !== 'PENDING_REVIEW' && partnerStatus !== 'REJECTED';
  if (!allowed) {
    throw new DomainError('PARTNER_NOT_ACTIVE', `A ${partnerStatus} partner cannot withdraw to ${destination}`);
  }
}

/** A bank payout needs bank details on file; they are snapshotted onto the withdrawal. */
export function checkBankDetailsOnFile(bankAccount: { bic: string; accountNumber: string } | null | undefined): void {
  if (!bankAccount) throw new DomainError('NO_BANK_ACCOUNT', 'The partner has no bank account on file');
}

/** Initial status: BONUS is applied at once, a bank payout waits for the provider to settle it. */
export function initialWithdrawalStatus(destination: WithdrawalDestination): WithdrawalStatus {
  return destination === 'BONUS' ? 'APPLIED' : 'PENDING';
}

/** PAID needs the payment reference, REJECTED a reason (field checks come before state, §9). */
export function checkSettlementDetails(decision: WithdrawalSettlement, details: { paymentReference?: string | null; reason?: string | null }): void {
  if (decision === 'PAID' && !(details.paymentReference ?? '').trim()) {
    throw validationFailed(['input', 'paymentReference'], 'A payment reference is required to mark a withdrawal PAID');
  }
  if (decision === 'REJECTED') requireReason(details.reason, 'reject a withdrawal');
}

/** PENDING → PAID | REJECTED, exactly once; a REJECTED payout is returned by a WITHDRAWAL_REVERSAL entry. */
export function settle(status: WithdrawalStatus, decision: WithdrawalSettlement): WithdrawalStatus {
  if (status !== 'PENDING') throw invalidTransition('withdrawal', status, 'settle');
  return decision;
}

export interface WithdrawalRequest {
  amount: Decimal.Value;
  destination: WithdrawalDestination;
}

/** Idempotency replays compare the request by value: "100" and "100.00" are the same amount. */
export function sameWithdrawalRequest(a: WithdrawalRequest, b: WithdrawalRequest): boolean {
  return a.destination === b.destination && dec(a.amount).eq(dec(b.amount));
}

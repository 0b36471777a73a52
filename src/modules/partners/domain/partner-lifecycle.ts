// Partner status machine (SPEC §3). Each transition returns the next status or throws a DomainError;
// callers persist the status and record the PARTNER_STATUS_CHANGED event.
import { DomainError, invalidTransition, requireReason } from '../../../shared/domain-error';
import { addDays } from '../../../shared/dates';

export type PartnerStatus = 'PENDING_REVIEW' | 'ACTIVE' | 'REJECTED' | 'QUITTING' | 'QUIT' | 'REVOKED';
export type ReviewDecision = 'APPROVE' | 'REJECT';

const ENTITY = 'partner';

/** ADMIN review of an application: APPROVE → ACTIVE, REJECT (reason required) → REJECTED. */
export function reviewApplication(status: PartnerStatus, decision: ReviewDecision, reason?: string | null): PartnerStatus {
  // Field validation comes before object state (§9), so a missing reason is reported first.
  if (decision === 'REJECT') requireReason(reason, 'reject an application');
  if (status !== 'PENDING_REVIEW') throw invalidTransition(ENTITY, status, 'review the application of');
  return decision === 'APPROVE' ? 'ACTIVE' : 'REJECTED';
}

/** The earliest effective date a quit notice may name: today + the notice period in calendar days. */
export function earliestQuitDate(today: string, noticeDays: number): string {
  return addDays(today, noticeDays);
}

/** Only an ACTIVE partner gives notice, and no shorter than the notice period (default 30 calendar days). */
export function giveQuitNotice(status: PartnerStatus, today: string, effectiveOn: string, noticeDays: number): PartnerStatus {
  if (status !== 'ACTIVE') throw invalidTransition(ENTITY, status, 'give quit notice for');
  const earliest = earliestQuitDate(today, noticeDays);
  if (effectiveOn < earliest) {
    throw new DomainError('NOTICE_TOO_SHORT', `Quit notice must be at least ${noticeDays} days: effectiveOn must be ${earliest} or later`, [
      'input',
      'effectiveOn',
    ]);
  }
  return 'QUITTING';
}

/** A partner that changed its mind stays in the program as if nothing happened. */
export function withdrawQuitNotice(status: PartnerStatus): PartnerStatus {
  if (status !== 'QUITTING') throw invalidTransition(ENTITY, status, 'withdraw the quit notice of');
  return 'ACTIVE';
}

/** ADMIN revocation, effective today, from either in-program status. */
export function revoke(status: PartnerStatus): PartnerStatus {
  if (!isPartnerInProgram(status)) throw invalidTransition(ENTITY, status, 'revoke');
  return 'REVOKED';
}

/** A QUITTING partner leaves on its effective date, whatever day the scheduler notices it (§15). */
export function quitIsDue(status: PartnerStatus, quitEffectiveOn: string | null | undefined, today: string): boolean {
  return status === 'QUITTING' && quitEffectiveOn != null && quitEffectiveOn <= today;
}

/** The scheduled QUITTING → QUIT transition. */
export function completeQuit(status: PartnerStatus): PartnerStatus {
  if (status !== 'QUITTING') throw invalidTransition(ENTITY, status, 'complete the quit of');
  return 'QUIT';
}

/**
 * Only ACTIVE partners register deals, projects, presale requests and subaccounts; QUITTING ones keep what they
 * have but start nothing new. Returns true or throws PARTNER_NOT_ACTIVE, so it reads as a guard either way.
 */
export function canRegister(status: PartnerStatus): true {
  if (status !== 'ACTIVE') {
    throw new DomainError('PARTNER_NOT_ACTIVE', `The partner is ${status}; only an ACTIVE partner can register new work`);
  }
  return true;
}

/** In the program: earns bonuses and keeps its customers (ACTIVE, or QUITTING until the effective date). */
export function isPartnerInProgram(status: PartnerStatus): boolean {
  return status === 'ACTIVE' || status === 'QUITTING';
}

/** Left the program (QUIT or REVOKED): exit effects apply from the exit date (§3). */
export function hasLeftProgram(status: PartnerStatus): boolean {
  return status === 'QUIT' || status === 'REVOKED';
}

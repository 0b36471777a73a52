// Project registration rules and status machine (SPEC §7): SUBMITTED → APPROVED | REJECTED, APPROVED → COMPLETED.
import type Decimal from 'decimal.js';
import { invalidTransition, requireReason, validationFailed } from '../../../shared/domain-error';
import { scaleOf } from '../../../shared/money';
import { checkRateInRange } from '../../deals/domain/deal-rules';
import type { ReviewDecision } from '../../partners/domain/partner-lifecycle';

export type ProjectStatus = 'SUBMITTED' | 'APPROVED' | 'REJECTED' | 'COMPLETED';

const ENTITY = 'project';

/** A project's target may be any positive amount in kopecks. */
export function checkProjectTarget(target: Decimal): void {
  if (target.lte(0) || scaleOf(target) > 2) {
    throw validationFailed(['input', 'targetMonthlyConsumption'], 'Target monthly consumption must be greater than 0 with at most 2 fraction digits');
  }
}

/** 0 < rebateRate ≤ the maximum project rebate rate in force; missing on APPROVE is a field error. */
export function checkRebateRate(rate: Decimal.Value | null | undefined, maxRate: Decimal.Value): void {
  checkRateInRange(rate, maxRate, ['input', 'rebateRate'], 'rebateRate');
}

/** ADMIN review: APPROVE → APPROVED (check the rate with checkRebateRate first), REJECT (reason required) → REJECTED. */
export function reviewProject(status: ProjectStatus, decision: ReviewDecision, reason?: string | null): ProjectStatus {
  if (decision === 'REJECT') requireReason(reason, 'reject a project');
  if (status !== 'SUBMITTED') throw invalidTransition(ENTITY, status, 'review');
  return decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
}

/** A partner's exit rejects its SUBMITTED projects ("partner left the program"). */
export function rejectOnPartnerExit(status: ProjectStatus): ProjectStatus {
  if (status !== 'SUBMITTED') throw invalidTransition(ENTITY, status, 'reject');
  return 'REJECTED';
}

/** The close of the window's last month completes the project. */
export function completeProject(status: ProjectStatus): ProjectStatus {
  if (status !== 'APPROVED') throw invalidTransition(ENTITY, status, 'complete');
  return 'COMPLETED';
}

/** Open projects hold their scope: one SUBMITTED/APPROVED project per scope (PROJECT_CONFLICT). */
export function isProjectOpen(status: ProjectStatus): boolean {
  return status === 'SUBMITTED' || status === 'APPROVED';
}

// Presale request status rules (SPEC §8): NEW → IN_PROGRESS → COMPLETED | DECLINED; NEW → DECLINED | CANCELLED.
import { ForbiddenAction, invalidTransition, requireReason, validationFailed } from '../../../shared/domain-error';
import { addBusinessDays } from '../../../shared/dates';

export type PresaleStatus = 'NEW' | 'IN_PROGRESS' | 'COMPLETED' | 'DECLINED' | 'CANCELLED';
export type PresaleActor = 'ADMIN' | 'PARTNER';

export interface PresaleStatusChange {
  current: PresaleStatus;
  target: PresaleStatus;
  actor: PresaleActor;
  assignee?: string | null;
  reason?: string | null;
}

const ENTITY = 'presale request';

/** Which statuses each status may move to (by ADMIN; the partner may only cancel while NEW). */
const ALLOWED: Record<PresaleStatus, PresaleStatus[]> = {
  NEW: ['IN_PROGRESS', 'DECLINED', 'CANCELLED'],
  IN_PROGRESS: ['COMPLETED', 'DECLINED'],
  COMPLETED: [],
  DECLINED: [],
  CANCELLED: [],
};

/**
 * Returns the new status. Throws ForbiddenAction (caller maps it to a top-level FORBIDDEN) when a partner asks for
 * anything but CANCELLED, VALIDATION_FAILED for a missing assignee or reason, INVALID_TRANSITION otherwise.
 */
export function changePresaleStatus(change: PresaleStatusChange): PresaleStatus {
  const { current, target, actor } = change;
  // Authorization before validation (§9): the expert workflow is the provider's, the partner can only withdraw.
  if (actor === 'PARTNER' && target !== 'CANCELLED') {
    throw new ForbiddenAction(`Only the provider can set a presale request to ${target}; a partner may only cancel it`);
  }
  if (target === 'IN_PROGRESS' && !(change.assignee ?? '').trim()) {
    throw validationFailed(['input', 'assignee'], 'An assignee is required to take a presale request in progress');
  }
  if (target === 'DECLINED') requireReason(change.reason, 'decline a presale request');
  if (!ALLOWED[current].includes(target)) throw invalidTransition(ENTITY, current, `set ${target} on`);
  return target;
}

/** A partner's exit cancels requests nobody has finished (§3), including ones in progress. */
export function cancelOnPartnerExit(status: PresaleStatus): PresaleStatus {
  if (status !== 'NEW' && status !== 'IN_PROGRESS') throw invalidTransition(ENTITY, status, 'cancel');
  return 'CANCELLED';
}

/** The provider promises an answer within N business days (Mon–Fri; public holidays are not modelled). */
export function respondBy(creationDate: string, businessDays: number): string {
  return addBusinessDays(creationDate, businessDays);
}

/** Overdue while still NEW after the respond-by day; once taken in progress it is no longer waiting. */
export function isOverdue(status: PresaleStatus, respondByDate: string, today: string): boolean {
  return status === 'NEW' && today > respondByDate;
}

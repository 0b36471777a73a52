// Subaccount (customer) status machine (SPEC §4). ACTIVE and SUSPENDED are linked; INACTIVE is final
// because link intervals are kept forever and billing depends on them.
import { invalidTransition } from '../../../shared/domain-error';

export type CustomerStatus = 'ACCEPTANCE_REQUIRED' | 'ACTIVE' | 'SUSPENDED' | 'INACTIVE';

const ENTITY = 'subaccount';

/** The customer confirmed the invitation: the link starts that day. */
export function acceptSubaccount(status: CustomerStatus): CustomerStatus {
  if (status !== 'ACCEPTANCE_REQUIRED') throw invalidTransition(ENTITY, status, 'accept the invitation of');
  return 'ACTIVE';
}

/** Suspension keeps the link (and the partner's billing) in place. */
export function suspendSubaccount(status: CustomerStatus): CustomerStatus {
  if (status !== 'ACTIVE') throw invalidTransition(ENTITY, status, 'suspend');
  return 'SUSPENDED';
}

export function resumeSubaccount(status: CustomerStatus): CustomerStatus {
  if (status !== 'SUSPENDED') throw invalidTransition(ENTITY, status, 'resume');
  return 'ACTIVE';
}

/** Deleting ends the link that day (the day itself no longer linked); a deleted subaccount never comes back. */
export function deleteSubaccount(status: CustomerStatus): CustomerStatus {
  if (status === 'INACTIVE') throw invalidTransition(ENTITY, status, 'delete');
  return 'INACTIVE';
}

/** Linked statuses: consumption on such days belongs to the partner. */
export function isLinked(status: CustomerStatus): boolean {
  return status === 'ACTIVE' || status === 'SUSPENDED';
}

import type { Role, Viewer } from '../../shared/viewer';

export type { Viewer };

export const PARTNER_ROLES: Role[] = ['PARTNER_OWNER', 'PARTNER_ACCOUNTANT', 'PARTNER_VIEWER', 'INTEGRATOR'];

/** What a role may create: never more rights than its own (SPEC §14). */
export function canCreateTokenOfRole(creator: Viewer, role: Role, partnerId: string | null): boolean {
  if (creator.role === 'ADMIN') return true;
  if (creator.role !== 'PARTNER_OWNER') return false;
  return role !== 'ADMIN' && partnerId === creator.partnerId;
}

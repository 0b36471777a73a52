// Authorization helpers for resolvers (SPEC §14). They throw top-level UNAUTHENTICATED / FORBIDDEN errors.
import type { Role, Viewer } from '../shared/viewer';
import { forbidden, unauthenticated } from '../shared/errors';
import type { AppContext } from './context';

export function requireViewer(ctx: AppContext): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

export function requireAdmin(ctx: AppContext): Viewer {
  const viewer = requireViewer(ctx);
  if (viewer.role !== 'ADMIN') throw forbidden('Only the provider (ADMIN) can do that');
  return viewer;
}

/** True when the viewer may read the partner's data. */
export function canReadPartner(viewer: Viewer, partnerId: string): boolean {
  return viewer.role === 'ADMIN' || viewer.partnerId === partnerId;
}

/** Read access to one partner's objects; another partner's → FORBIDDEN (the field then resolves to null). */
export function requirePartnerRead(ctx: AppContext, partnerId: string): Viewer {
  const viewer = requireViewer(ctx);
  if (!canReadPartner(viewer, partnerId)) throw forbidden('This object belongs to another partner');
  return viewer;
}

/** Acting for a partner: ADMIN always; a partner token of one of `roles` for its own partner. */
export function requirePartnerRole(ctx: AppContext, partnerId: string, roles: Role[]): Viewer {
  const viewer = requireViewer(ctx);
  if (viewer.role === 'ADMIN') return viewer;
  if (viewer.partnerId !== partnerId) throw forbidden('This object belongs to another partner');
  if (!roles.includes(viewer.role)) throw forbidden(`The ${viewer.role} role cannot do that`);
  return viewer;
}

/** For root work queues: ADMIN sees everything (optionally filtered), a partner token only its own partner. */
export function partnerScope(ctx: AppContext, requested: string | null | undefined): string | null {
  const viewer = requireViewer(ctx);
  if (viewer.role === 'ADMIN') return requested ?? null;
  if (requested && requested !== viewer.partnerId) throw forbidden('Partner tokens see only their own partner');
  return viewer.partnerId;
}

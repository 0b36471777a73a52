// Who is acting (SPEC §20): the actor of the code running now, carried by AsyncLocalStorage from the mutation (or the
// scheduler) down to the event writer and the transaction commit, so no service signature has to carry it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Viewer } from './viewer';

export type ActorKind = 'TOKEN' | 'ADMIN_ENV' | 'ANONYMOUS' | 'SCHEDULER' | 'SYSTEM';

/** What is stored with an event or an audit entry; the token's name, role and partner are read from api_tokens. */
export interface ActorRef {
  kind: ActorKind;
  tokenId: string | null;
}

/** The audit entry being built for the mutation call in progress (see audit-scope.ts). */
export interface AuditHook {
  /** The first event written names the partner and the entity the entry concerns. */
  noteTarget(partnerId: string, entityId: string): void;
  /**
   * For a writer that commits outside TypeORM (event-log/write-transaction.ts): the statement that writes the entry
   * into the committing transaction (it returns a row when it wrote one), or null when an entry is already written;
   * `settle` reports whether it was.
   */
  commitStatement?(): { statement: { text: string; values: unknown[] }; settle(written: boolean): void } | null;
}

interface Acting {
  actor: ActorRef;
  audit: AuditHook | null;
}

export const SYSTEM: ActorRef = Object.freeze({ kind: 'SYSTEM', tokenId: null });
export const SCHEDULER: ActorRef = Object.freeze({ kind: 'SCHEDULER', tokenId: null });
export const ANONYMOUS: ActorRef = Object.freeze({ kind: 'ANONYMOUS', tokenId: null });
const ADMIN_ENV: ActorRef = Object.freeze({ kind: 'ADMIN_ENV', tokenId: null });

const storage = new AsyncLocalStorage<Acting>();

export function actorOfViewer(viewer: Viewer | null): ActorRef {
  if (!viewer) return ANONYMOUS;
  if (viewer.tokenId) return { kind: 'TOKEN', tokenId: viewer.tokenId };
  return ADMIN_ENV; // the environment's ADMIN_TOKEN has no row
}

/** Runs `run` as `actor`; `audit` receives what the code writes (null: nothing is audited, e.g. the scheduler). */
export function actingAs<T>(actor: ActorRef, audit: AuditHook | null, run: () => T): T {
  return storage.run({ actor, audit }, run);
}

/** The actor of the code running now: SYSTEM outside any request or scheduled run (start-up, demo, the CLI). */
export function currentActor(): ActorRef {
  return storage.getStore()?.actor ?? SYSTEM;
}

export function currentAudit(): AuditHook | null {
  return storage.getStore()?.audit ?? null;
}

/** For the event writer: the actor of the events, whose first one also becomes the audit entry's target. */
export function eventActor(first: { partnerId: string; entityId: string }): ActorRef {
  const acting = storage.getStore();
  acting?.audit?.noteTarget(first.partnerId, first.entityId);
  return acting?.actor ?? SYSTEM;
}

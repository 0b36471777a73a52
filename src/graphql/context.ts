// The GraphQL plumbing every module's resolvers use (context, guards, payloads, error formatting) lives here, below
// the modules: this folder imports nothing from src/modules or src/app.
import type { Viewer } from '../shared/viewer';
import type { RateLimiter, RateState } from './rate-limit';

/**
 * The services of the process, as resolvers see them through `ctx.app`. Declared empty here and filled in by the
 * composition root (src/app/app.ts, `declare module`), so a module never imports src/app to reach another service.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppServices {}

/** The per-request DataLoaders (`ctx.loaders`); each module declares its own, src/app/loaders.ts composes them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RequestLoaders {}

/** Per-request (per-operation for subscriptions) context handed to every resolver. */
export interface AppContext {
  requestId: string;
  viewer: Viewer | null;
  app: AppServices;
  loaders: RequestLoaders;
  /** Over graphql-ws only: closes the operation's WebSocket (e.g. a subscriber too slow to keep up). */
  closeConnection?: (code: number, reason: string) => void;
  /**
   * Over graphql-ws only: sends a `next` message whose payload is already JSON (a result shared by every subscriber
   * of the same selection, serialized once). Returns a promise while the socket's send buffer is full: the stream
   * takes its next event only once that resolves, so a slow socket backs up into its bounded event buffer.
   */
  sendSerialized?: (payloadJson: string) => Promise<void> | null;
  /** The request's client IP and rate-limit budget (set by the HTTP and WebSocket edges; absent in-process). */
  edge?: EdgeState;
}

/** What the edge knows about a request (SPEC §18). */
export interface EdgeState {
  ip: string;
  limiter: RateLimiter;
  /** The rate budget after this request was charged (set once it has been). */
  rateLimit?: RateState;
  /**
   * Set when the operation was already admitted (or refused, `refusal`) before Apollo saw the request: the
   * known-documents path (src/app/known-documents.ts) hands Apollo the requests it does not answer itself.
   */
  admission?: { refusal?: unknown };
}

import type { App } from './app';
import type { Viewer } from '../modules/access/viewer';
import type { Loaders } from './loaders';
import type { EdgeState } from './graphql-edge';

/** Per-request (per-operation for subscriptions) context handed to every resolver. */
export interface AppContext {
  requestId: string;
  viewer: Viewer | null;
  app: App;
  loaders: Loaders;
  /** Over graphql-ws only: closes the operation's WebSocket (e.g. a subscriber too slow to keep up). */
  closeConnection?: (code: number, reason: string) => void;
  /** The request's client IP and rate-limit budget (set by the HTTP and WebSocket edges; absent in-process). */
  edge?: EdgeState;
}

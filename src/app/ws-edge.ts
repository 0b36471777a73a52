// The WebSocket edge (SPEC §18): messages at most 64 KiB (the first one, connection_init, at most 8 KiB), larger →
// close 1009; at most 100 subscriptions per socket; a revoked token's sockets closed with 4403 on every instance as
// soon as its revocation is heard on the event bus (safety net: a periodic sweep).
import type { WebSocket, WebSocketServer } from 'ws';
import type { App } from './app';

export const WS_MESSAGE_LIMIT = 64 * 1024;
export const WS_INIT_LIMIT = 8 * 1024;
export const WS_SUBSCRIPTION_LIMIT = 100;
export const WS_TOO_LARGE = 1009;
export const WS_FORBIDDEN = 4403;

function byteLength(data: unknown): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (Array.isArray(data)) return data.reduce((sum: number, part: Buffer) => sum + part.length, 0);
  if (data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}

/**
 * Must run before graphql-ws's useServer: its 'connection' listener comes first, so the first message is measured
 * before graphql-ws reads it, and ws's "max payload exceeded" error (ws has already closed with 1009) is logged as
 * one structured line instead of reaching graphql-ws's console.error.
 */
export function guardMessageSizes(wsServer: WebSocketServer, app: App): void {
  wsServer.on('connection', (socket: WebSocket) => {
    let first = true;
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'message' && first) {
        first = false;
        if (byteLength(args[0]) > WS_INIT_LIMIT) {
          app.logger.info({ bytes: byteLength(args[0]) }, 'websocket connection_init too large');
          socket.close(WS_TOO_LARGE, 'connection_init is limited to 8 KiB');
          return true;
        }
      }
      if (event === 'error' && (args[0] as { code?: string })?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        app.logger.info('websocket message over 64 KiB');
        return true;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
  });
}

interface Closable {
  close(code: number, reason: string): void;
}

/** The token of each open socket; a revocation closes that token's sockets at once. */
export class SocketTokens {
  private readonly tokens = new Map<Closable, string>();
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly app: App,
    sweepMs: number,
  ) {
    this.unsubscribe = app.eventBus.onTokenRevoked((tokenId) => (tokenId === null ? this.sweep() : this.closeToken(tokenId)));
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
    this.sweepTimer.unref();
  }

  track(socket: Closable, tokenId: string): void {
    this.tokens.set(socket, tokenId);
  }

  forget(socket: Closable): void {
    this.tokens.delete(socket);
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    this.unsubscribe();
  }

  private closeToken(tokenId: string): void {
    for (const [socket, id] of this.tokens) {
      if (id !== tokenId) continue;
      this.tokens.delete(socket);
      socket.close(WS_FORBIDDEN, 'API token revoked');
    }
  }

  /** Safety net for a missed notification: asks the database which tracked tokens are revoked. */
  private sweep(): void {
    const tokenIds = [...new Set(this.tokens.values())];
    if (tokenIds.length === 0) return;
    this.app.access
      .revokedAmong(tokenIds)
      .then((revoked) => {
        for (const tokenId of revoked) this.closeToken(tokenId);
      })
      .catch((error) => this.app.logger.warn({ err: error }, 'token sweep failed'));
  }
}

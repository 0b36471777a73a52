// The WebSocket edge (SPEC §18): messages at most 64 KiB (the first one, connection_init, at most 8 KiB), larger →
// close 1009; at most 100 subscriptions per socket; a revoked token's sockets closed with 4403 on every instance as
// soon as its revocation is heard on the event bus (safety net: a periodic sweep).
import net from 'node:net';
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

/** Above this many bytes waiting in a socket's send buffer, a subscription waits for the write before its next event. */
const WS_SEND_HIGH_WATER = 256 * 1024;

/**
 * ws's TCP socket (its private `_socket`) when a whole frame may be written to it directly: no extension negotiated
 * (no permessage-deflate, so ws's sender never queues a frame that a direct write could overtake). Null otherwise,
 * or if ws's layout ever changes: then frames go through socket.send.
 */
function rawSocket(socket: WebSocket): net.Socket | null {
  const raw = (socket as unknown as { _socket?: unknown })._socket;
  return raw instanceof net.Socket && socket.extensions === '' ? raw : null;
}

/** One unmasked, unfragmented text frame (RFC 6455 §5.2, server to client) of prefix + payload + '}', in one Buffer. */
export function textFrame(prefix: string, payload: string): Buffer {
  const length = Buffer.byteLength(prefix) + Buffer.byteLength(payload) + 1;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  let at = header + frame.write(prefix, header);
  at += frame.write(payload, at);
  frame[at] = 0x7d; // '}'
  return frame;
}

/**
 * `next` messages of subscription `id` whose payload is serialized already (AppContext.sendSerialized): the one JSON
 * string of a result shared by many subscribers, wrapped per subscriber. Written as one frame in one write (ws's own
 * send writes a header and the data as two buffers, which costs about twice as much per message at 10,000 sockets).
 * Returns a promise, resolved once written, while the socket's send buffer is over WS_SEND_HIGH_WATER.
 */
export function serializedSender(socket: WebSocket, id: string): (payloadJson: string) => Promise<void> | null {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  const write = (payloadJson: string, written?: () => void): void => {
    const raw = rawSocket(socket);
    if (raw) raw.write(textFrame(prefix, payloadJson), written);
    else socket.send(prefix + payloadJson + '}', written);
  };
  return (payloadJson) => {
    if (socket.readyState !== socket.OPEN) return null;
    if (socket.bufferedAmount <= WS_SEND_HIGH_WATER) {
      write(payloadJson);
      return null;
    }
    return new Promise<void>((resolve) => write(payloadJson, () => resolve()));
  };
}

// The part every subscription client of this API needs, whatever the library: a graphql-ws client that reconnects
// (but gives up when the server refuses the token, 4403) and a subscribe that keeps `after` at the last entry
// delivered, so a reconnect resumes exactly there — every entry once, in order, across network cuts and restarts.
import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client, type Sink, type SubscribePayload } from 'graphql-ws';
import WebSocket from 'ws';

export interface ResumableClientOptions {
  /** The API's http(s) or ws(s) URL, e.g. http://localhost:4000/graphql. */
  url: string;
  token: string;
  /** Longest wait between reconnection attempts (ms); they back off from 250 ms up to this. */
  maxRetryWaitMs?: number;
  on?: Parameters<typeof createClient>[0]['on'];
}

/** Close codes after which reconnecting cannot help: 4403 = missing, bad or revoked token. */
const FINAL_CLOSE_CODES = new Set([4403]);

export function createResumableWsClient(options: ResumableClientOptions): Client {
  const maxWait = options.maxRetryWaitMs ?? 10_000;
  return createClient({
    url: options.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket, // Node; browsers have their own
    connectionParams: { authorization: `Bearer ${options.token}` },
    lazy: true,
    retryAttempts: Infinity,
    // Network trouble and restarts are retried forever; a refused token is not (the default would retry it too).
    shouldRetry: (event) => !(typeof event === 'object' && event !== null && FINAL_CLOSE_CODES.has((event as { code?: number }).code ?? 0)),
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(maxWait, 250 * 2 ** retries) * (0.5 + Math.random() / 2))),
    on: options.on,
  });
}

/** Client libraries want an Error: a socket closed for good (4403: bad or revoked token) says its code and reason. */
export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const close = error as { code?: unknown; reason?: unknown } | null;
  if (typeof close?.code === 'number') return new Error(`WebSocket closed: ${close.code} ${String(close.reason ?? '')}`.trim(), { cause: error });
  return new Error(JSON.stringify(error), { cause: error });
}

/** The `sequence` of a delivered event: the root field's (rebateAccruals, partnerActivity). */
function sequenceOf(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const root = Object.values(data as Record<string, unknown>)[0] as { sequence?: unknown } | null;
  return typeof root?.sequence === 'string' ? root.sequence : null;
}

/**
 * Subscribes with a payload of its own whose `variables.after` follows every delivered event. graphql-ws sends this
 * same payload object again on each reconnect, so the server replays only what came after the last event handled.
 * Returns the unsubscribe function.
 */
export function subscribeResumable<Data = Record<string, unknown>>(
  client: Client,
  payload: SubscribePayload,
  sink: Sink<FormattedExecutionResult<Data, unknown>>,
): () => void {
  const live: SubscribePayload & { variables: Record<string, unknown> } = { ...payload, variables: { ...payload.variables } };
  return client.subscribe<Data>(live, {
    next: (result) => {
      sink.next(result);
      const sequence = sequenceOf(result.data);
      if (sequence !== null) live.variables.after = sequence; // handled: resume after it
    },
    error: (error) => sink.error(error),
    complete: () => sink.complete(),
  });
}

export const ACCRUALS = /* GraphQL */ `
  subscription Accruals($partnerId: ID, $after: String) {
    rebateAccruals(partnerId: $partnerId, after: $after) {
      id
      sequence
      kind
      amount
      balanceAfter
      period
      description
      createdAt
      partner {
        id
        name
      }
    }
  }
`;

export interface Accrual {
  id: string;
  sequence: string;
  kind: string;
  amount: string;
  balanceAfter: string;
  period: string | null;
  description: string;
  createdAt: string;
  partner: { id: string; name: string };
}

/** What every example's follow function takes. */
export interface FollowOptions {
  url: string;
  token: string;
  /** Resume cursor: a sequence ("0" = the whole ledger); null = new entries only. */
  after: string | null;
  /** ADMIN tokens: one partner (omitted = every partner). */
  partnerId?: string;
  onEntry(entry: Accrual): void;
  onError?(error: unknown): void;
  maxRetryWaitMs?: number;
}

export interface Following {
  stop(): Promise<void>;
}

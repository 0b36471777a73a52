// graphql-ws clients for tests: a real WebSocket to a server started with t.startHttp(), and a collector per
// subscription that records data, errors, completion and the socket's close code.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface WsClient {
  client: Client;
  /** Close events of the socket, in order (code, reason). */
  closes: { code: number; reason: string }[];
  subscribe<T = any>(document: TypedDocumentNode<T, any> | DocumentNode | string, variables?: Record<string, unknown>): Collector<T>;
  dispose(): Promise<void>;
}

export class Collector<T = any> {
  /** The `data` of each `next` message that had data. */
  readonly data: T[] = [];
  /** Errors from `next` messages without data, `error` messages and socket-level failures. */
  readonly errors: any[] = [];
  completed = false;
  unsubscribe: () => void = () => {};
  private listeners: (() => void)[] = [];

  /** Items of the single root field of each data message. */
  items<F = any>(): F[] {
    return this.data.map((d) => Object.values(d as Record<string, F>)[0]);
  }

  push(kind: 'data' | 'error' | 'complete', value?: unknown): void {
    if (kind === 'data') this.data.push(value as T);
    else if (kind === 'error') this.errors.push(value);
    else this.completed = true;
    for (const listener of this.listeners) listener();
  }

  /** Resolves once `predicate` holds (checked on every message), or rejects after `timeoutMs`. */
  waitFor(predicate: (c: this) => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`timed out waiting for ${what}: ${this.data.length} items, errors ${JSON.stringify(this.errors).slice(0, 500)}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  waitForItems(count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor((c) => c.data.length >= count, timeoutMs, `${count} items`);
  }

  waitForEnd(timeoutMs?: number): Promise<void> {
    return this.waitFor((c) => c.completed || c.errors.length > 0, timeoutMs, 'the end of the subscription');
  }
}

/** A graphql-ws client (protocol graphql-transport-ws) that never retries, so tests see every close. */
export function wsClient(httpUrl: string, token: string | null, connectionParams?: Record<string, unknown>): WsClient {
  const closes: { code: number; reason: string }[] = [];
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: connectionParams ?? (token ? { authorization: `Bearer ${token}` } : {}),
    retryAttempts: 0,
    shouldRetry: () => false,
    on: { closed: (event) => closes.push({ code: (event as { code: number }).code, reason: String((event as { reason: string }).reason) }) },
  });
  return {
    client,
    closes,
    subscribe(document, variables) {
      const collector = new Collector<any>();
      const query = typeof document === 'string' ? document : print(document);
      collector.unsubscribe = client.subscribe(
        { query, variables },
        {
          next: (message) => {
            if (message.data) collector.push('data', message.data);
            else collector.push('error', message.errors);
          },
          error: (error) => collector.push('error', error),
          complete: () => collector.push('complete'),
        },
      );
      return collector;
    },
    async dispose() {
      await client.dispose();
    },
  };
}

// A real HTTP server on 127.0.0.1 that records every webhook POST; per path, a responder decides the answer
// (a status, or 'hang' to answer only after `hangMs`).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, any> };
  /** What the receiver answered. */
  status: number | 'hang';
  at: number;
}

export type Responder = (request: {
  path: string;
  id: string;
  body: string;
  nth: number;
}) => number | 'hang' | { status: number; headers?: Record<string, string>; delayMs?: number };

export interface WebhookReceiver {
  port: number;
  host: string;
  url(path: string): string;
  received: ReceivedWebhook[];
  /** Requests to one path (in arrival order). */
  to(path: string): ReceivedWebhook[];
  /** Answers of this path from now on (default 200). */
  respond(path: string, responder: Responder): void;
  waitFor(condition: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { hangMs?: number } = {}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const responders = new Map<string, Responder>();
  const hangMs = options.hangMs ?? 5_000;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const nth = received.filter((r) => r.path === path).length + 1;
      const answer = (responders.get(path) ?? (() => 200))({ path, id: headers['webhook-id'], body, nth });
      const status = typeof answer === 'object' ? answer.status : answer;
      let json: ReceivedWebhook['json'];
      try {
        json = JSON.parse(body);
      } catch {
        json = { type: 'unparseable', timestamp: '', data: {} };
      }
      received.push({ path, headers, body, json, status, at: Date.now() });
      if (status === 'hang') {
        void sleep(hangMs).then(() => res.writeHead(200).end());
        return;
      }
      const reply = () => res.writeHead(status, typeof answer === 'object' ? answer.headers : {}).end('ok');
      if (typeof answer === 'object' && answer.delayMs) void sleep(answer.delayMs).then(reply);
      else reply();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    host: `127.0.0.1:${port}`,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    to: (path) => received.filter((r) => r.path === path),
    respond: (path, responder) => void responders.set(path, responder),
    async waitFor(condition, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// /healthz's database check on a connection of its own, refreshed every second off the request path: under load
// every pooled connection is busy and queries wait in the pool's queue, and even a dedicated connection's answer
// waits its turn on the busy event loop — so /healthz answers from the last check while it is fresh.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client, type ClientConfig, type Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { requestIdOf } from './http-edge';
import type { ResponseTracker } from './metrics';

const TIMEOUT_MS = 2_000;
const REFRESH_MS = 1_000;
/** A check older than this is not trusted: /healthz then waits for a new one. */
const FRESH_MS = 3_000;

export class HealthProbe {
  private client: Client | null = null;
  private inFlight: Promise<boolean> | null = null;
  private last: { ok: boolean; at: number } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly config: ClientConfig) {}

  /** A probe connecting as the DataSource's pool does (its own connection, opened on first use). */
  static of(ds: DataSource): HealthProbe {
    const pool = (ds.driver as unknown as { master: Pool & { options: ClientConfig } }).master;
    return new HealthProbe({ ...pool.options, application_name: 'healthz' });
  }

  /** Checks every second from now on (the timer does not keep the process alive). */
  start(): this {
    this.timer ??= setInterval(() => void this.check(), REFRESH_MS).unref();
    return this;
  }

  /** The last check's answer while it is fresh, else null. */
  fresh(): boolean | null {
    return this.last && Date.now() - this.last.at < FRESH_MS ? this.last.ok : null;
  }

  /** The database's state: the last check when fresh, else a new one. */
  async status(): Promise<boolean> {
    return this.fresh() ?? this.check();
  }

  /** True when the database answered `SELECT 1` within 2 s; concurrent probes share one round trip. */
  check(): Promise<boolean> {
    this.inFlight ??= this.run()
      .then((ok) => ((this.last = { ok, at: Date.now() }), ok))
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async run(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('health check timed out')), TIMEOUT_MS)));
      await Promise.race([this.connected().then((client) => client.query('SELECT 1')), timeout]);
      return true;
    } catch {
      this.drop();
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async connected(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client(this.config);
    client.on('error', () => this.drop());
    this.client = client;
    await client.connect();
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = null;
    client?.end().catch(() => undefined);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

const HEALTHY = JSON.stringify({ status: 'ok' });
const UNHEALTHY = JSON.stringify({ status: 'database unavailable' });

/**
 * GET /healthz straight from node:http, ahead of everything else on the request path (no router, no body, no
 * middleware): answered at once from a fresh check, else after a new one. Returns false for any other request.
 */
export function healthz(probe: HealthProbe, track: ResponseTracker) {
  const send = (req: IncomingMessage, res: ServerResponse, ok: boolean) => {
    const body = ok ? HEALTHY : UNHEALTHY;
    res.statusCode = ok ? 200 : 503;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.url !== '/healthz' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    res.setHeader('x-request-id', requestIdOf(req.headers['x-request-id']));
    track('/healthz', res);
    const fresh = probe.fresh();
    if (fresh !== null) send(req, res, fresh);
    else void probe.check().then((ok) => send(req, res, ok));
    return true;
  };
}

// npm run bench:webhooks — webhook delivery from one API instance (SPEC §19).
// Starts an embedded PostgreSQL in a temp dir, generates 1,000 ACTIVE partners each with an APPROVED project and a
// month of consumption above the project minimum, runs the API as a child process (node dist/src/main.js) with this
// process's receiver (127.0.0.1, one HTTP server for every endpoint) in WEBHOOK_ALLOWED_HOSTS, creates one webhook
// endpoint per partner through createWebhookEndpoint (ADMIN), then closes the month in one transaction from this
// process (BillingService.close, a second app instance without a worker) and takes the commit time. Reports
// delivered/expected — every endpoint must receive every event of its partner after its creation, in increasing
// sequence order, exactly once, each signature verified with the standardwebhooks library (after the run) — commit-to-delivery
// latency p50/p99/max (arrival at the receiver), and the API's RSS.
// Environment: BENCH_PARTNERS (1000), BENCH_EVENT_TYPES (comma-separated; empty = every type, the default),
// BENCH_TIMEOUT_S (600), BENCH_LOG_LEVEL (API log level, quiet by default), BENCH_API_NODE_ARGS (node flags for the API,
// e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its time goes).
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../src/app/create-app';
import { createLogger } from '../src/shared/logger';
import { DEFAULT_WEBHOOK_SETTINGS } from '../src/modules/webhooks/webhook-settings';
import { benchPartnerId, generateProgramWithProjects, startApiProcess, startBenchDatabase, statusKb, type BenchDatabase } from './support';

const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 1000);
const EVENT_TYPES = (process.env.BENCH_EVENT_TYPES ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 600);
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const MONTH = '2026-01';
const CLOCK_START = '2026-02-02T09:00:00Z';

const log = (message: string) => console.error(`[bench:webhooks ${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Arrival {
  path: string;
  id: string;
  at: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * One HTTP server standing in for every integrator: /p/<n> is partner n's endpoint. It answers as soon as a request
 * has arrived and keeps it; the signatures are verified after the run (verifying inline, with standardwebhooks' pure-JS
 * HMAC, would charge the receiver's CPU to the API's latency on a two-core machine).
 */
async function startReceiver(): Promise<{ port: number; arrivals: Arrival[]; close(): void }> {
  const arrivals: Arrival[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      const headers = req.headers as Record<string, string>;
      arrivals.push({ path: req.url!, id: String(headers['webhook-id']), at, body: Buffer.concat(chunks).toString('utf8'), headers });
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.maxConnections = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 1024, resolve));
  return { port: (server.address() as AddressInfo).port, arrivals, close: () => server.close() };
}

/** Each arrival's signature checked with the standardwebhooks library against its endpoint's secret. */
function unverified(arrivals: Arrival[], secrets: Map<string, Webhook>): number {
  return arrivals.filter((a) => {
    try {
      return !secrets.get(a.path)?.verify(a.body, a.headers);
    } catch {
      return true;
    }
  }).length;
}

async function startApi(databaseUrl: string, receiverPort: number): Promise<{ api: ChildProcess; url: string }> {
  const { proc, url } = await startApiProcess(databaseUrl, { clockStart: CLOCK_START, env: { WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${receiverPort}` } });
  return { api: proc, url };
}

/** One endpoint per partner through the API (20 requests at a time); returns path → verifier. */
async function createEndpoints(apiUrl: string, receiverPort: number): Promise<Map<string, Webhook>> {
  const secrets = new Map<string, Webhook>();
  const query = 'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret userErrors { code message } } }';
  const create = async (n: number) => {
    const input = { partnerId: benchPartnerId(n), url: `http://127.0.0.1:${receiverPort}/p/${n}`, ...(EVENT_TYPES.length ? { eventTypes: EVENT_TYPES } : {}) };
    const response = await fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query, variables: { input } }),
    });
    const payload = (await response.json()) as { data?: { createWebhookEndpoint: { secret: string; userErrors: unknown[] } }; errors?: unknown };
    const created = payload.data?.createWebhookEndpoint;
    if (!created || created.userErrors.length) throw new Error(`createWebhookEndpoint failed: ${JSON.stringify(payload)}`);
    secrets.set(`/p/${n}`, new Webhook(created.secret));
  };
  for (let start = 1; start <= PARTNERS; start += 20) {
    await Promise.all(Array.from({ length: Math.min(20, PARTNERS - start + 1) }, (_, i) => create(start + i)));
  }
  return secrets;
}

/** Closes the month from a second app instance (no worker, no bus); returns the commit instant. */
async function closeMonth(url: string): Promise<{ committedAt: number; closeMs: number }> {
  const writer = await createApp(
    {
      databaseUrl: url,
      port: 0,
      adminToken: ADMIN_TOKEN,
      clock: { mode: 'manual', start: new Date(CLOCK_START) },
      logLevel: 'silent',
      dataDir: '',
      webhooks: { ...DEFAULT_WEBHOOK_SETTINGS, worker: false },
    },
    url,
    createLogger('silent'),
  );
  await writer.app.eventBus.stop();
  const started = Date.now();
  await writer.app.billing.close(MONTH);
  const committedAt = Date.now();
  await writer.app.ds.destroy();
  return { committedAt, closeMs: committedAt - started };
}

/** What each endpoint must receive: its partner's events after `after`, of the types asked for. */
async function expectedEvents(db: Client, after: string): Promise<Map<string, string[]>> {
  const { rows } = await db.query(
    `SELECT partner_id, array_agg(sequence::text ORDER BY sequence) AS seqs FROM events
      WHERE sequence > $1 AND (cardinality($2::text[]) = 0 OR type = ANY ($2::text[])) GROUP BY partner_id`,
    [after, EVENT_TYPES],
  );
  const expected = new Map<string, string[]>();
  for (const row of rows) expected.set(`/p/${parseInt(String(row.partner_id).slice(-12), 16)}`, row.seqs);
  return expected;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summarize(arrivals: Arrival[], expected: Map<string, string[]>, committedAt: number, secrets: Map<string, Webhook>) {
  const total = [...expected.values()].reduce((sum, list) => sum + list.length, 0);
  const byPath = new Map<string, string[]>();
  for (const a of arrivals) byPath.set(a.path, [...(byPath.get(a.path) ?? []), a.id]);
  let wrongEndpoints = 0;
  for (const [p, seqs] of expected) if ((byPath.get(p) ?? []).join() !== seqs.join()) wrongEndpoints++;
  const latencies = arrivals.map((a) => a.at - committedAt).sort((a, b) => a - b);
  return {
    expected: total,
    delivered: arrivals.length,
    deliveredPercent: +((arrivals.length / total) * 100).toFixed(3),
    endpointsNotExactlyInOrder: wrongEndpoints,
    unverifiedSignatures: unverified(arrivals, secrets),
    latencyMs: { min: latencies[0], p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) },
  };
}

async function run(database: BenchDatabase, track: (api: ChildProcess) => void): Promise<boolean> {
  const db = new Client({ connectionString: database.url });
  db.on('error', () => undefined);
  await db.connect();
  await generateProgramWithProjects(db, PARTNERS, MONTH);
  log(`${PARTNERS} partners with a project each`);
  const receiver = await startReceiver();
  const { api, url } = await startApi(database.url, receiver.port);
  track(api);
  const rssBeforeKb = statusKb(api.pid!, 'VmRSS');
  const createStarted = Date.now();
  const secrets = await createEndpoints(url, receiver.port);
  const after = (await db.query(`SELECT coalesce(max(sequence), 0)::text AS max FROM events`)).rows[0].max as string;
  log(`${secrets.size} endpoints created in ${((Date.now() - createStarted) / 1000).toFixed(1)} s`);
  await sleep(1500);
  const rssIdleKb = statusKb(api.pid!, 'VmRSS');

  const { committedAt, closeMs } = await closeMonth(database.url);
  const expected = await expectedEvents(db, after);
  const total = [...expected.values()].reduce((sum, list) => sum + list.length, 0);
  log(`month ${MONTH} closed in ${closeMs} ms (committed at ${new Date(committedAt).toISOString()}); ${total} deliveries expected`);
  const deadline = Date.now() + 120_000;
  while (receiver.arrivals.length < total && Date.now() < deadline) await sleep(20);
  await sleep(1000); // anything extra (a duplicate) would arrive now
  const summary = {
    endpoints: secrets.size,
    eventTypes: EVENT_TYPES.length ? EVENT_TYPES : 'all',
    ledgerEvents: Number((await db.query(`SELECT count(*) FROM events WHERE sequence > $1 AND type = 'LEDGER_ENTRY'`, [after])).rows[0].count),
    closeMs,
    ...summarize(receiver.arrivals, expected, committedAt, secrets),
    apiRssMb: { beforeEndpoints: Math.round(rssBeforeKb / 1024), idle: Math.round(rssIdleKb / 1024), peak: Math.round(statusKb(api.pid!, 'VmHWM') / 1024) },
    loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
  };
  const ok = summary.delivered === summary.expected && summary.endpointsNotExactlyInOrder === 0 && summary.unverifiedSignatures === 0;
  console.log(
    `\n${summary.endpoints} webhook endpoints, ${summary.ledgerEvents} ledger entries in one month close (${summary.expected} events to deliver): ` +
      `delivered ${summary.delivered}/${summary.expected} (${summary.deliveredPercent} %), commit→delivery p50 ${summary.latencyMs.p50} ms, ` +
      `p99 ${summary.latencyMs.p99} ms (goal ≤ 1000), max ${summary.latencyMs.max} ms | API peak RSS ${summary.apiRssMb.peak} MB`,
  );
  console.log(JSON.stringify({ ...summary, goals: { allDelivered: ok, p99Within1s: summary.latencyMs.p99 <= 1000 } }));
  receiver.close();
  await db.end();
  return ok;
}

async function main(): Promise<void> {
  let database: BenchDatabase | null = null;
  let api: ChildProcess | null = null;
  const cleanup = async () => {
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await Promise.race([new Promise((r) => api!.once('exit', r)), sleep(15_000).then(() => api!.kill('SIGKILL'))]);
    }
    if (database) await database.dispose();
  };
  const watchdog = setTimeout(() => {
    log(`timed out after ${TIMEOUT_S} s`);
    void cleanup().then(() => process.exit(1));
  }, TIMEOUT_S * 1000);
  watchdog.unref();
  try {
    database = await startBenchDatabase('pp-bench-webhooks-');
    if (!(await run(database, (child) => (api = child)))) process.exitCode = 1;
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

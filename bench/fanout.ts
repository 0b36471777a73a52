// npm run bench:fanout — subscription fan-out on one API instance or several (SPEC §13, §24).
// Starts an embedded PostgreSQL in a temp dir, generates 1,000 ACTIVE partners each with an APPROVED project and a
// month of consumption above the project minimum, runs the API as a child process (node dist/src/main.js), connects
// 5,000 graphql-ws subscribers (5 per partner, each its own WebSocket with the partner's INTEGRATOR token, spread over
// client processes) to rebateAccruals, then closes the month in one transaction — the closeBillingMonth mutation's
// service method (BillingService.close), run by this process as the writer, which takes the commit time when the
// transaction has committed. Reports delivered/expected (every subscriber must get every entry of its partner, in
// strictly increasing order, exactly once), commit-to-delivery latency p50/p99/max, and the API's peak RSS (VmHWM).
// Environment: BENCH_PARTNERS (1000), BENCH_SUBSCRIBERS_PER_PARTNER (5), BENCH_API_INSTANCES (1; client process i
// talks to instance i mod BENCH_API_INSTANCES, so the client processes must be a multiple of the instances),
// BENCH_CLIENT_PROCESSES (1: on a small machine more client processes only compete with the API for CPU),
// BENCH_TIMEOUT_S (600), BENCH_LOG_LEVEL (API log level, quiet by default), BENCH_API_NODE_ARGS (e.g. --cpu-prof).
// Every subscriber is a socket in the API and in a client process: the open-files limit (inherited by the API and
// the clients) must exceed the subscribers — checked at start. Raise it with `prlimit --nofile=65536:65536` where
// allowed (it needs CAP_SYS_RESOURCE); on the development machine the hard limit is 20,000 per process, so 20,000
// subscribers do not fit in one API process there: they run on two instances (BENCH_PARTNERS=4000
// BENCH_API_INSTANCES=2 BENCH_CLIENT_PROCESSES=2), RSS reported per instance and summed, latency over all
// subscribers. BENCH_HEAP_SNAPSHOT=<seconds> with BENCH_API_NODE_ARGS=--heapsnapshot-signal=SIGUSR2 writes a heap
// snapshot of each instance once the subscribers are idle.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { Client } from 'pg';
import { createApp } from '../src/app/create-app';
import { createLogger } from '../src/shared/logger';
import { hashToken } from '../src/modules/access/tokens';
import { generateProgramWithProjects, startApiProcess, startBenchDatabase, statusKb, type BenchDatabase } from './support';

const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 1000);
const PER_PARTNER = Number(process.env.BENCH_SUBSCRIBERS_PER_PARTNER ?? 5);
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 1);
const API_INSTANCES = Number(process.env.BENCH_API_INSTANCES ?? 1);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 600);
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const MONTH = '2026-01';
const CLOCK_START = '2026-02-02T09:00:00Z';
/** The soft limit on open files of this process (inherited by the API and the client processes). */
function openFilesLimit(): number {
  const line = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1];
  return !line || line === 'unlimited' ? Infinity : Number(line);
}
const QUERY = 'subscription($after: String) { rebateAccruals(after: $after) { id sequence kind amount balanceAfter period createdAt } }';

type ToClient = { type: 'start'; url: string; after: string; tokens: string[] } | { type: 'report' } | { type: 'stop' };
type FromClient =
  | { type: 'connected'; count: number; failed: number; errors: string[] }
  | { type: 'progress'; received: number }
  | { type: 'report'; times: number[]; perSubscriber: number[]; orderViolations: number; errors: string[] };

function log(message: string): void {
  console.error(`[bench:fanout ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// Client process: N graphql-ws clients, one WebSocket each.
async function clientMain(): Promise<void> {
  const { createClient } = await import('graphql-ws');
  const WebSocket = (await import('ws')).default;
  const send = (message: FromClient) => process.send!(message);
  const clients: { dispose(): void }[] = [];
  const times: number[] = [];
  let perSubscriber: number[] = [];
  let orderViolations = 0;
  const errors: string[] = [];
  let progressTimer: NodeJS.Timeout | null = null;

  process.on('message', async (message: ToClient) => {
    if (message.type === 'start') {
      perSubscriber = new Array(message.tokens.length).fill(0);
      let connected = 0;
      let failed = 0;
      const wsUrl = message.url.replace(/^http/, 'ws');
      // Connect in waves so the API's connection handling is not one thundering herd.
      const wave = 100;
      for (let start = 0; start < message.tokens.length; start += wave) {
        await Promise.all(
          message.tokens.slice(start, start + wave).map(
            (token, offset) =>
              new Promise<void>((resolve) => {
                const index = start + offset;
                let last = -1n;
                const client = createClient({
                  url: wsUrl,
                  webSocketImpl: WebSocket,
                  connectionParams: { authorization: `Bearer ${token}` },
                  retryAttempts: 0,
                  lazy: true,
                  on: {
                    connected: () => {
                      connected++;
                      resolve();
                    },
                    closed: (event) => {
                      const code = (event as { code?: number }).code;
                      if (code !== 1000 && code !== 1001) errors.push(`subscriber ${index} closed ${code}`);
                      resolve();
                    },
                  },
                });
                clients.push(client);
                client.subscribe<{ rebateAccruals: { sequence: string } }>(
                  { query: QUERY, variables: { after: message.after } },
                  {
                    next: (result) => {
                      const receivedAt = Date.now();
                      if (!result.data) {
                        errors.push(JSON.stringify(result.errors).slice(0, 300));
                        return;
                      }
                      const seq = BigInt(result.data.rebateAccruals.sequence);
                      if (seq <= last) orderViolations++;
                      last = seq;
                      times.push(receivedAt);
                      perSubscriber[index]++;
                    },
                    error: (error) => {
                      failed++;
                      errors.push(`subscriber ${index}: ${String((error as Error).message ?? (error as { code?: number }).code ?? error)}`);
                      resolve();
                    },
                    complete: () => undefined,
                  },
                );
              }),
          ),
        );
      }
      send({ type: 'connected', count: connected, failed, errors: errors.slice(0, 5) });
      progressTimer = setInterval(() => send({ type: 'progress', received: times.length }), 100);
    } else if (message.type === 'report') {
      send({ type: 'report', times, perSubscriber, orderViolations, errors: errors.slice(0, 20) });
    } else if (message.type === 'stop') {
      if (progressTimer) clearInterval(progressTimer);
      for (const client of clients) client.dispose();
      setTimeout(() => process.exit(0), 200);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------------------------
// Orchestrator.
async function generate(client: Client): Promise<string[]> {
  await generateProgramWithProjects(client, PARTNERS, MONTH);
  // An INTEGRATOR token per partner (SPEC §14: read own partner and subscribe).
  const tokens = Array.from({ length: PARTNERS }, (_, i) => `bench-integrator-${i + 1}-${Math.random().toString(36).slice(2)}`);
  await client.query(
    `INSERT INTO api_tokens (token_hash, name, role, partner_id, created_at)
     SELECT h, 'bench integrator', 'INTEGRATOR', ('00000000-0000-4000-8000-' || lpad(to_hex(i::int), 12, '0'))::uuid, now()
       FROM unnest($1::text[]) WITH ORDINALITY AS t(h, i)`,
    [tokens.map(hashToken)],
  );
  return tokens;
}

/** CPU time (user + system) a process has used, in ms. */
function cpuMs(pid: number, which: 'user' | 'system' | 'both' = 'both'): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const [user, system] = [Number(fields[11]), Number(fields[12])]; // utime, stime in clock ticks (USER_HZ = 100)
  return ((which === 'user' ? user : which === 'system' ? system : user + system) * 1000) / 100;
}

async function metric(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface ApiInstance {
  proc: ChildProcess;
  url: string;
  metricsUrl: string;
}

/** One API instance (node dist/src/main.js) on the bench database, ready when /healthz answers. */
async function startApi(databaseUrl: string): Promise<ApiInstance> {
  const { proc, port, url } = await startApiProcess(databaseUrl, {
    clockStart: CLOCK_START,
    // The benchmark measures delivery, not the hourly budgets (5 subscribers share each partner's token).
    env: { RATE_LIMIT_PARTNER: '999999999', RATE_LIMIT_ADMIN: '999999999' },
  });
  return { proc, url, metricsUrl: `http://127.0.0.1:${port}/metrics` };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const mb = (kb: number) => Math.round(kb / 1024);

async function main(): Promise<void> {
  // Each subscriber's socket in its API instance and its client process, plus each process's PostgreSQL connections
  // and files.
  const needed = Math.ceil((PARTNERS * PER_PARTNER) / Math.min(API_INSTANCES, CLIENT_PROCESSES)) + 100;
  if (CLIENT_PROCESSES % API_INSTANCES !== 0) throw new Error('BENCH_CLIENT_PROCESSES must be a multiple of BENCH_API_INSTANCES');
  if (openFilesLimit() < needed) {
    throw new Error(
      `${PARTNERS * PER_PARTNER} subscribers over ${API_INSTANCES} API instance(s) and ${CLIENT_PROCESSES} client process(es) need an open-files limit of at least ${needed} (now ${openFilesLimit()}): run under prlimit --nofile=65536:65536, or raise BENCH_API_INSTANCES and BENCH_CLIENT_PROCESSES`,
    );
  }
  const deadline = Date.now() + TIMEOUT_S * 1000;
  let database: BenchDatabase | null = null;
  const apis: ApiInstance[] = [];
  const children: ChildProcess[] = [];
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.all(
        apis.map(async ({ proc }) => {
          if (proc.exitCode !== null) return;
          proc.kill('SIGTERM');
          await Promise.race([new Promise((r) => proc.once('exit', r)), sleep(10_000).then(() => proc.kill('SIGKILL'))]);
        }),
      );
      if (database) await database.dispose();
    })());
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const watchdog = setTimeout(() => {
    log(`timed out after ${TIMEOUT_S} s`);
    void cleanup().then(() => process.exit(1));
  }, TIMEOUT_S * 1000);
  watchdog.unref();

  try {
    database = await startBenchDatabase('pp-bench-fanout-');
    const url = database.url;

    const db = new Client({ connectionString: url });
    db.on('error', () => undefined);
    await db.connect();
    const tokens = await generate(db);
    log(`${PARTNERS} partners with a project each, ${PARTNERS} integrator tokens`);

    for (let i = 0; i < API_INSTANCES; i++) apis.push(await startApi(url));
    const pids = apis.map(({ proc }) => proc.pid!);
    const rssBeforeKb = pids.map((pid) => statusKb(pid, 'VmRSS'));

    // Subscribers: PER_PARTNER per partner, dealt round-robin to the client processes.
    const after = (await db.query(`SELECT coalesce(max(sequence), 0)::text AS max FROM events`)).rows[0].max as string;
    const assignment: string[][] = Array.from({ length: CLIENT_PROCESSES }, () => []);
    const partnerOf: number[][] = Array.from({ length: CLIENT_PROCESSES }, () => []);
    let n = 0;
    for (let copy = 0; copy < PER_PARTNER; copy++) {
      for (let p = 0; p < PARTNERS; p++, n++) {
        assignment[n % CLIENT_PROCESSES].push(tokens[p]);
        partnerOf[n % CLIENT_PROCESSES].push(p + 1);
      }
    }
    const received = new Array(CLIENT_PROCESSES).fill(0);
    const reports: Extract<FromClient, { type: 'report' }>[] = [];
    const connectStarted = Date.now();
    await Promise.all(
      assignment.map(
        (subset, i) =>
          new Promise<void>((resolve, reject) => {
            const child = fork(__filename, ['client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
            children.push(child);
            child.on('message', (message: FromClient) => {
              if (message.type === 'connected') {
                if (message.failed) reject(new Error(`${message.failed} subscribers of client ${i} failed to connect: ${message.errors.join(' | ')}`));
                else resolve();
              } else if (message.type === 'progress') received[i] = message.received;
              else if (message.type === 'report') reports[i] = message;
            });
            child.once('exit', (code) => reject(new Error(`client process ${i} exited (${code})`)));
            // Client process i talks to API instance i mod API_INSTANCES (an even share of every partner's subscribers).
            child.send({ type: 'start', url: apis[i % API_INSTANCES].url, after, tokens: subset } satisfies ToClient);
          }),
      ),
    );
    const subscribers = PARTNERS * PER_PARTNER;
    while (sum(await Promise.all(apis.map(({ metricsUrl }) => metric(metricsUrl, 'event_bus_subscriptions')))) < subscribers) {
      if (Date.now() > deadline) throw new Error('subscriptions never all registered');
      await sleep(100);
    }
    log(`${subscribers} subscribers connected and registered in ${((Date.now() - connectStarted) / 1000).toFixed(1)} s`);
    await sleep(1000); // let connection set-up garbage settle
    const rssIdleKb = pids.map((pid) => statusKb(pid, 'VmRSS'));
    if (process.env.BENCH_HEAP_SNAPSHOT) {
      // With BENCH_API_NODE_ARGS=--heapsnapshot-signal=SIGUSR2 the API writes Heap.*.heapsnapshot into its cwd.
      for (const { proc } of apis) proc.kill('SIGUSR2');
      await sleep(Number(process.env.BENCH_HEAP_SNAPSHOT) * 1000);
    }

    // The writer: the month close, one transaction, in this process (another instance of the app on the database).
    const writer = await createApp(
      { databaseUrl: url, port: 0, adminToken: ADMIN_TOKEN, clock: { mode: 'manual', start: new Date(CLOCK_START) }, logLevel: 'silent', dataDir: '' },
      url,
      createLogger('silent'),
    );
    await writer.app.eventBus.stop(); // the writer does not subscribe
    const apisCpu = (which: 'user' | 'system' | 'both' = 'both') => sum(pids.map((pid) => cpuMs(pid, which)));
    const idleFrom = apisCpu();
    await sleep(1000);
    const apiIdleCpuPerS = apisCpu() - idleFrom; // keep-alive pings, timers
    const apiCpuBefore = apisCpu();
    const apiSystemBefore = apisCpu('system');
    const clientCpuBefore = children.reduce((sum, child) => sum + cpuMs(child.pid!), 0);
    const closeStarted = Date.now();
    const result = await writer.app.billing.close(MONTH);
    const committedAt = Date.now();
    await writer.app.ds.destroy();
    log(`month ${MONTH} closed in ${committedAt - closeStarted} ms (committed at ${committedAt}): ${JSON.stringify(result)}`);

    const perPartner = new Map<number, number>();
    const ledgerRows = (
      await db.query(`SELECT partner_id, count(*)::int AS n FROM events WHERE type = 'LEDGER_ENTRY' AND sequence > $1 GROUP BY partner_id`, [after])
    ).rows;
    const ledgerEvents = ledgerRows.reduce((sum, row) => sum + row.n, 0);
    for (const row of ledgerRows) perPartner.set(parseInt(String(row.partner_id).slice(-12), 16), row.n);
    const expected = [...perPartner.values()].reduce((sum, count) => sum + count * PER_PARTNER, 0);
    log(`${ledgerEvents} ledger events committed in one transaction; ${expected} deliveries expected`);

    const waitStarted = Date.now();
    while (received.reduce((a, b) => a + b, 0) < expected && Date.now() - waitStarted < 60_000 && Date.now() < deadline) await sleep(50);
    const apiCpu = apisCpu() - apiCpuBefore;
    const apiSystem = apisCpu('system') - apiSystemBefore;
    const clientCpu = children.reduce((sum, child) => sum + cpuMs(child.pid!), 0) - clientCpuBefore;
    await sleep(500); // anything extra (a duplicate) would arrive now
    for (const child of children) child.send({ type: 'report' } satisfies ToClient);
    while (reports.filter(Boolean).length < CLIENT_PROCESSES) {
      if (Date.now() > deadline) throw new Error('client reports missing');
      await sleep(50);
    }
    const peakKb = pids.map((pid) => statusKb(pid, 'VmHWM'));

    // Exactly the expected entries per subscriber, in order.
    let delivered = 0;
    let wrongCount = 0;
    let orderViolations = 0;
    const latencies: number[] = [];
    const errors: string[] = [];
    reports.forEach((report, i) => {
      delivered += report.times.length;
      orderViolations += report.orderViolations;
      errors.push(...report.errors);
      report.perSubscriber.forEach((count, s) => {
        if (count !== (perPartner.get(partnerOf[i][s]) ?? 0)) wrongCount++;
      });
      for (const t of report.times) latencies.push(t - committedAt);
    });
    latencies.sort((a, b) => a - b);
    const summary = {
      subscribers,
      partners: PARTNERS,
      clientProcesses: CLIENT_PROCESSES,
      ledgerEvents,
      expected,
      delivered,
      deliveredPercent: +((delivered / expected) * 100).toFixed(3),
      subscribersWithWrongCount: wrongCount,
      orderViolations,
      closeMs: committedAt - closeStarted,
      latencyMs: {
        min: latencies[0],
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1],
      },
      apiInstances: API_INSTANCES,
      // Per instance (MB), and the peaks' sum over instances.
      apiRssMb: {
        beforeSubscribers: rssBeforeKb.map(mb),
        withSubscribersIdle: rssIdleKb.map(mb),
        peak: peakKb.map(mb),
        peakTotal: mb(sum(peakKb)),
        perSubscriberKb: Math.round((sum(rssIdleKb) - sum(rssBeforeKb)) / subscribers),
      },
      cpuMsDuringDelivery: { api: apiCpu, apiKernel: apiSystem, clients: clientCpu, apiIdlePerSecond: apiIdleCpuPerS },
      loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
      busReads: sum(await Promise.all(apis.map(({ metricsUrl }) => metric(metricsUrl, 'event_bus_reads_total')))),
      errors: errors.slice(0, 5),
      goals: {
        allDelivered: delivered === expected && wrongCount === 0 && orderViolations === 0,
        p99Within250ms: percentile(latencies, 99) <= 250,
        rssWithin1Gb: sum(peakKb) / 1024 <= 1024,
      },
    };
    console.log(
      `\n${subscribers} subscribers over ${PARTNERS} partners, ${ledgerEvents} ledger events in one month close: ` +
        `delivered ${delivered}/${expected} (${summary.deliveredPercent} %), commit→delivery p50 ${summary.latencyMs.p50} ms, ` +
        `p99 ${summary.latencyMs.p99} ms (goal ≤ 250), max ${summary.latencyMs.max} ms | API peak RSS ${summary.apiRssMb.peakTotal} MB` +
        (API_INSTANCES > 1 ? ` over ${API_INSTANCES} instances (${summary.apiRssMb.peak.join(' + ')})` : '') +
        ` (goal ≤ 1,024)`,
    );
    console.log(JSON.stringify(summary));
    for (const child of children) child.send({ type: 'stop' } satisfies ToClient);
    await sleep(300);
    await db.end();
    if (!summary.goals.allDelivered) process.exitCode = 1;
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
}

if (process.argv[2] === 'client') {
  void clientMain();
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

// npm run bench:writers — event writers while a month close runs (SPEC §24: writers never wait for a close).
// Builds bench:close's program (BENCH_PARTNERS etc. scale it), runs the API as a separate process, closes month 1,
// then 32 concurrent writers — BANK withdrawals, deal registrations and deal reviews, every one an event-writing
// transaction — in two ways:
// (A) saturated: back to back for BENCH_WRITERS_SECONDS with no close (committed mutations per second, CPU per
//     mutation of the API / PostgreSQL / this client, what the backends wait on), then while month 2 closes;
// (B) paced at BENCH_WRITERS_RATE per second in all (default: BENCH_WRITERS_RATE_SHARE = half the saturated rate):
//     latency with no close, then of every mutation issued while month 3 closes, against the close's duration.
// Saturated latency is queueing (32 writers / throughput) whatever the close does; the paced run is the latency a
// writer sees with headroom left. Goals: paced p99 during the close ≤ 200 ms and ≤ 10 % of the close; ≥ 500/s.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { freePort } from '../src/app/embedded-postgres';
import { organisationInn } from '../src/modules/partners/domain/inn';
import { generate } from './close';
import { BENCH_ADMIN_TOKEN, cpuMs, gqlAdmin, gqlAdminFast, peakRssMb, percentile, postgresCpuByPid, postgresCpuDelta, startBenchDatabase } from './support';

const WRITERS = Number(process.env.BENCH_WRITERS ?? 32);
const SECONDS = Number(process.env.BENCH_WRITERS_SECONDS ?? 15);
const WRITER_PARTNERS = 64;
/** Paced phase: BENCH_WRITERS_RATE mutations per second in all, or BENCH_WRITERS_RATE_SHARE of the saturated rate. */
const RATE = Number(process.env.BENCH_WRITERS_RATE ?? 0);
const RATE_SHARE = Number(process.env.BENCH_WRITERS_RATE_SHARE ?? 0.5);
/** BENCH_WRITERS_PHASES=saturated: only the saturated phase with no close (a quick throughput reading). */
const ONLY_SATURATED = process.env.BENCH_WRITERS_PHASES === 'saturated';
/** BENCH_PG_STATEMENTS=1: pg_stat_statements during the saturated phase, per mutation (planning included). */
const PG_STATEMENTS = process.env.BENCH_PG_STATEMENTS === '1';

function log(message: string): void {
  console.error(`[bench:writers ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

interface Sample {
  op: string;
  start: number;
  ms: number;
}

class Workload {
  private n = 0;
  private readonly submitted: string[] = [];
  constructor(
    private readonly url: string,
    private readonly partners: string[],
  ) {}

  /** One event-writing mutation: withdrawal, deal registration or deal review, in turn. */
  async one(): Promise<string> {
    const i = this.n++;
    const partnerId = this.partners[i % this.partners.length];
    const kind = i % 3;
    if (kind === 0) {
      const r = await gqlAdminFast(this.url, 'mutation($input: WithdrawRebateInput!) { withdrawRebate(input: $input) { userErrors { code message } } }', {
        input: { partnerId, amount: '1.00', destination: 'BANK_ACCOUNT', idempotencyKey: `bench-${process.pid}-${i}` },
      });
      check(r.withdrawRebate.userErrors);
      return 'withdrawal';
    }
    const dealId = this.submitted.shift();
    if (kind === 2 && dealId) {
      const r = await gqlAdminFast(this.url, 'mutation($input: ReviewDealInput!) { reviewDeal(input: $input) { userErrors { code message } } }', {
        input: { dealId, decision: 'APPROVE', bonusRate: '0.05' },
      });
      check(r.reviewDeal.userErrors);
      return 'review';
    }
    if (dealId) this.submitted.unshift(dealId);
    const inn = organisationInn(String(300_000_000 + ((process.pid * 7919 + i) % 600_000_000)).slice(0, 9));
    const r = await gqlAdminFast(this.url, 'mutation($input: RegisterDealInput!) { registerDeal(input: $input) { deal { id } userErrors { code message } } }', {
      input: { partnerId, customerInn: inn, customerName: `Bench customer ${i}`, targetMonthlyConsumption: '50000', description: 'bench' },
    });
    check(r.registerDeal.userErrors);
    this.submitted.push(r.registerDeal.deal.id);
    return 'registration';
  }
}

function check(errors: { code: string; message: string }[]): void {
  if (errors.length) throw new Error(JSON.stringify(errors));
}

/**
 * WRITERS loops of mutations until `until` resolves. Saturated (`rate` 0): back to back, which measures throughput —
 * and latency that is, by Little's law, WRITERS / throughput, queueing in front of a saturated machine. Paced
 * (`rate` > 0 mutations per second in all): each writer starts one every WRITERS / rate seconds (at once if it is
 * late), which measures what one mutation costs while the machine has headroom — the latency a writer sees.
 */
async function runWriters(work: Workload, until: Promise<unknown>, rate = 0): Promise<Sample[]> {
  let done = false;
  until.finally(() => (done = true)).catch(() => undefined);
  const samples: Sample[] = [];
  const interval = rate > 0 ? (WRITERS / rate) * 1000 : 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      let next = performance.now() + (interval * w) / WRITERS;
      while (!done) {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        if (done) break;
        const start = performance.now();
        const op = await work.one();
        samples.push({ op, start, ms: performance.now() - start });
        next = Math.max(next + interval, interval ? 0 : start);
      }
    }),
  );
  return samples;
}

/** What PostgreSQL's client backends are doing, sampled every 20 ms: where writers spend their time in the database. */
class WaitSampler {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly client: Client) {}

  start(): void {
    this.counts.clear();
    this.samples = 0;
    const tick = async () => {
      // An advisory-lock wait is named by the lock it waits for: the event-sequence lock (one-key form) or a LockSpace.
      // pg_locks is read once per sample (a LATERAL join would read the whole lock table once per backend: the
      // sampler itself then cost PostgreSQL a third of a core at 50 samples a second).
      const rows: { what: string }[] = (
        await this.client.query(`WITH waiting AS MATERIALIZED (SELECT DISTINCT ON (pid) pid, classid, objid, objsubid FROM pg_locks
                                                               WHERE NOT granted AND locktype = 'advisory' ORDER BY pid)
                                 SELECT CASE WHEN a.state = 'active' THEN coalesce(a.wait_event_type || ':' || a.wait_event, 'CPU') ELSE a.state END
                                        || coalesce(CASE WHEN l.objsubid = 1 AND l.objid = 7262001 THEN ' (event sequence)' ELSE ' (space ' || l.classid || ')' END, '') AS what
                                   FROM pg_stat_activity a LEFT JOIN waiting l ON l.pid = a.pid
                                  WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() AND a.datname = current_database()`)
      ).rows;
      this.samples++;
      for (const { what } of rows) this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
      if (this.timer) this.timer = setTimeout(() => void tick().catch(() => undefined), 20);
    };
    this.timer = setTimeout(() => void tick().catch(() => undefined), 20);
  }

  /** Average number of backends in each state (active ones by wait event; CPU = active, not waiting). */
  stop(): Record<string, number> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const entries = [...this.counts].filter(([what]) => what !== 'idle').sort((a, b) => b[1] - a[1]);
    return Object.fromEntries(entries.slice(0, 8).map(([what, n]) => [what, +(n / Math.max(1, this.samples)).toFixed(2)]));
  }
}

const summary = (samples: Sample[]) => ({
  count: samples.length,
  p50: +percentile(
    samples.map((s) => s.ms),
    50,
  ).toFixed(1),
  p99: +percentile(
    samples.map((s) => s.ms),
    99,
  ).toFixed(1),
  max: +Math.max(0, ...samples.map((s) => s.ms)).toFixed(1),
});

async function startApi(dbUrl: string): Promise<{ api: ChildProcess; url: string }> {
  const port = await freePort();
  const nodeArgs = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const api = spawn(process.execPath, [...nodeArgs, path.join(__dirname, '..', 'src', 'main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      PORT: String(port),
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      CLOCK: 'manual',
      CLOCK_START: '2026-04-02T09:00:00Z',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      RATE_LIMIT_ADMIN: '999999999', // the benchmark measures the writers, not the admin's hourly budget
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    // Its own session, so its own scheduling group (Linux autogroup), as a service of its own has its own cgroup
    // under systemd: without it the API's one event loop competes thread for thread with every PostgreSQL backend
    // it wakes, and the writers' backends sit idle in transaction waiting for it. BENCH_API_SESSION=shared: as before.
    detached: process.env.BENCH_API_SESSION !== 'shared',
  });
  process.once('exit', () => api.kill('SIGKILL')); // detached: it would outlive a benchmark that crashed
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; ; i++) {
    try {
      await gqlAdmin(url, '{ now }');
      return { api, url };
    } catch {
      if (i > 150) throw new Error('API did not start');
      await sleep(200);
    }
  }
}

const closeMonth = (url: string, month: string) =>
  gqlAdmin(url, 'mutation($m: Month!) { closeBillingMonth(input: { month: $m }) { invoicesFinalized userErrors { code message } } }', { m: month });

interface Phase {
  samples: Sample[];
  seconds: number;
  waits: Record<string, number>;
}

/** Writers for SECONDS with no close running. */
async function idlePhase(work: Workload, sampler: WaitSampler, rate: number): Promise<Phase> {
  const started = performance.now();
  sampler.start();
  const samples = await runWriters(work, sleep(SECONDS * 1000), rate);
  return { samples, seconds: (performance.now() - started) / 1000, waits: sampler.stop() };
}

/** Writers while `month` closes: the mutations issued during the close, and the close's duration. */
async function closePhase(work: Workload, sampler: WaitSampler, url: string, month: string, rate: number) {
  await eventLoopLag(url); // resets the API's event-loop delay histogram
  const closeStart = performance.now();
  let closeEnd = 0;
  sampler.start();
  const closing = closeMonth(url, month).then((r) => {
    closeEnd = performance.now();
    return r;
  });
  const samples = await runWriters(work, closing, rate);
  const closed = await closing;
  const waits = sampler.stop();
  const apiEventLoop = await eventLoopLag(url);
  const closeMs = closeEnd - closeStart;
  const issued = samples.filter((s) => s.start >= closeStart && s.start < closeEnd);
  const stats = summary(issued);
  return {
    ...stats,
    closeMs: Math.round(closeMs),
    p99ShareOfClose: +(stats.p99 / closeMs).toFixed(3),
    invoicesFinalized: closed.closeBillingMonth.invoicesFinalized as number,
    byOp: Object.fromEntries(['withdrawal', 'registration', 'review'].map((op) => [op, summary(issued.filter((s) => s.op === op))])),
    waits,
    apiEventLoop,
    /** Worst latency of the mutations issued in each half second of the close: where in the close writers wait. */
    timeline: Array.from({ length: Math.ceil(closeMs / 500) }, (_, i) =>
      Math.round(Math.max(0, ...issued.filter((x) => Math.floor((x.start - closeStart) / 500) === i).map((x) => x.ms))),
    ),
  };
}

/** The API's event-loop delay since the last reading (prom-client resets its histogram on every scrape), in ms. */
async function eventLoopLag(graphqlUrl: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'))).text();
  const value = (name: string) => 1000 * Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
  return { p99Ms: +value('nodejs_eventloop_lag_p99_seconds').toFixed(1), maxMs: +value('nodejs_eventloop_lag_max_seconds').toFixed(1) };
}

/** CPU milliseconds per mutation of the API, PostgreSQL and this client, over `run`. */
async function cpuPerMutation(apiPid: number, dataDir: string, run: () => Promise<Phase>): Promise<Phase & { cpuMs: Record<string, number> }> {
  const before = { api: cpuMs(apiPid), pg: postgresCpuByPid(dataDir), bench: process.cpuUsage() };
  const phase = await run();
  const bench = process.cpuUsage(before.bench);
  const n = Math.max(1, phase.samples.length);
  const cpu = {
    api: +((cpuMs(apiPid) - before.api) / n).toFixed(2),
    postgres: +(postgresCpuDelta(before.pg, postgresCpuByPid(dataDir)) / n).toFixed(2),
    benchClient: +((bench.user + bench.system) / 1000 / n).toFixed(2),
  };
  return { ...phase, cpuMs: cpu };
}

/** The statements PostgreSQL ran most per mutation (pg_stat_statements), with their planning and execution time. */
async function statementsPerMutation(client: Client, mutations: number): Promise<void> {
  const { rows } = await client.query(
    `SELECT calls, total_plan_time AS plan, total_exec_time AS exec, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_plan_time + total_exec_time DESC LIMIT 25`,
  );
  const per = (x: number) => (x / Math.max(1, mutations)).toFixed(3);
  for (const r of rows) console.error(`${per(r.calls)} calls, plan ${per(r.plan)} ms, exec ${per(r.exec)} ms | ${r.query}`);
}

async function main(): Promise<void> {
  const settings = PG_STATEMENTS
    ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on', 'pg_stat_statements.track': 'all' }
    : undefined;
  const db = await startBenchDatabase('pp-bench-writers-', { settings });
  let api: ChildProcess | null = null;
  try {
    const client = new Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    const records = await generate(client);
    await client.query(`UPDATE partners SET bank_bic = '044525225', bank_account_number = '40702810438000034726', bank_name = 'Bench bank'`);
    const monthRecords = Number((await client.query(`SELECT count(*) AS n FROM consumption_records WHERE date >= '2026-03-01'`)).rows[0].n);
    log(`${records} consumption records, ${monthRecords} in each closed month`);
    const started = await startApi(db.url);
    api = started.api;
    const url = started.url;
    const t0 = performance.now();
    await closeMonth(url, '2026-01');
    log(`close 2026-01: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    const partners: string[] = (await client.query(`SELECT id FROM partners ORDER BY id LIMIT ${WRITER_PARTNERS}`)).rows.map((r) => r.id);
    for (const partnerId of partners) {
      await gqlAdmin(url, 'mutation($input: AdjustRebateBalanceInput!) { adjustRebateBalance(input: $input) { userErrors { code } } }', {
        input: { partnerId, amount: '1000000.00', reason: 'bench balance' },
      });
    }
    const work = new Workload(url, partners);
    const sampler = new WaitSampler(client);
    await runWriters(work, sleep(2000)); // warm-up

    // (A) saturated: throughput with no close, then the same writers while 2026-02 closes.
    if (PG_STATEMENTS) await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()');
    const saturated = await cpuPerMutation(api.pid!, db.dataDir, () => idlePhase(work, sampler, 0));
    const perSecond = Math.round(saturated.samples.length / saturated.seconds);
    log(`saturated, no close: ${perSecond}/s, CPU ms per mutation ${JSON.stringify(saturated.cpuMs)}, backends ${JSON.stringify(saturated.waits)}`);
    if (PG_STATEMENTS) await statementsPerMutation(client, saturated.samples.length);
    if (ONLY_SATURATED) return;
    const saturatedClose = await closePhase(work, sampler, url, '2026-02', 0);
    log(`saturated, during a ${saturatedClose.closeMs} ms close: p99 ${saturatedClose.p99} ms, backends ${JSON.stringify(saturatedClose.waits)}`);
    // (B) paced at a share of that throughput: latency with no close, then while 2026-03 closes.
    const rate = RATE > 0 ? RATE : Math.max(1, Math.round(RATE_SHARE * perSecond));
    const paced = await idlePhase(work, sampler, rate);
    const pacedClose = await closePhase(work, sampler, url, '2026-03', rate);
    log(
      `paced at ${rate}/s: no close p99 ${summary(paced.samples).p99} ms; during a ${pacedClose.closeMs} ms close p99 ${pacedClose.p99} ms, API event loop ${JSON.stringify(pacedClose.apiEventLoop)}`,
    );
    const rss = peakRssMb(api.pid!);
    await client.end();
    report({ records, monthRecords, perSecond, saturated, saturatedClose, rate, paced, pacedClose, rss });
  } finally {
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => api!.once('exit', r));
    }
    await db.dispose();
  }
}

function report(r: {
  records: number;
  monthRecords: number;
  perSecond: number;
  saturated: Phase & { cpuMs: Record<string, number> };
  saturatedClose: Awaited<ReturnType<typeof closePhase>>;
  rate: number;
  paced: Phase;
  pacedClose: Awaited<ReturnType<typeof closePhase>>;
  rss: number;
}): void {
  const { pacedClose } = r;
  const result = {
    records: r.records,
    monthRecords: r.monthRecords,
    writers: WRITERS,
    saturated: { ...summary(r.saturated.samples), perSecond: r.perSecond, cpuMsPerMutation: r.saturated.cpuMs, backends: r.saturated.waits },
    saturatedDuringClose: r.saturatedClose,
    paced: { ratePerSecond: r.rate, noClose: { ...summary(r.paced.samples), backends: r.paced.waits }, duringClose: pacedClose },
    apiPeakRssMb: r.rss,
    goals: {
      pacedP99Within200ms: pacedClose.p99 <= 200,
      pacedP99Within10PercentOfClose: pacedClose.p99 <= 0.1 * pacedClose.closeMs,
      throughputAtLeast500PerSecond: r.perSecond >= 500,
    },
  };
  const s = result.saturated;
  const sc = r.saturatedClose;
  const pn = result.paced.noClose;
  console.log(
    `\nsaturated (${WRITERS} writers back to back): ${r.perSecond}/s, p50 ${s.p50} ms, p99 ${s.p99} ms; during a ${(sc.closeMs / 1000).toFixed(2)} s close p50 ${sc.p50} ms, p99 ${sc.p99} ms` +
      `\npaced (${WRITERS} writers, ${r.rate}/s in all): no close p50 ${pn.p50} ms, p99 ${pn.p99} ms; during a ${(pacedClose.closeMs / 1000).toFixed(2)} s close (${pacedClose.count} mutations) ` +
      `p50 ${pacedClose.p50} ms, p99 ${pacedClose.p99} ms (${(100 * pacedClose.p99ShareOfClose).toFixed(1)} % of the close), max ${pacedClose.max} ms | API peak RSS ${r.rss} MB`,
  );
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

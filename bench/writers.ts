// npm run bench:writers — event writers while a month close runs (SPEC §24: writers never wait for a close).
// Builds bench:close's program (BENCH_PARTNERS etc. scale it), runs the API as a separate process, closes months 1
// and 2, then: (A) 32 concurrent writers — BANK withdrawals, deal registrations and deal reviews, every one an
// event-writing transaction — for BENCH_WRITERS_SECONDS with no close running: committed mutations per second and
// latency; (B) the same writers while closeBillingMonth of month 3 runs: the latency of every mutation issued during
// the close, against the close's duration. Goals: p99 during the close ≤ 200 ms and ≤ 10 % of the close; ≥ 500/s.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../src/app/embedded-postgres';
import { organisationInn } from '../src/modules/partners/domain/inn';
import { generate } from './close';
import { BENCH_ADMIN_TOKEN, gqlAdmin, peakRssMb, percentile, startBenchDatabase } from './support';

const WRITERS = Number(process.env.BENCH_WRITERS ?? 32);
const SECONDS = Number(process.env.BENCH_WRITERS_SECONDS ?? 15);
const WRITER_PARTNERS = 64;

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
      const r = await gqlAdmin(this.url, 'mutation($input: WithdrawRebateInput!) { withdrawRebate(input: $input) { userErrors { code message } } }', {
        input: { partnerId, amount: '1.00', destination: 'BANK_ACCOUNT', idempotencyKey: `bench-${process.pid}-${i}` },
      });
      check(r.withdrawRebate.userErrors);
      return 'withdrawal';
    }
    const dealId = this.submitted.shift();
    if (kind === 2 && dealId) {
      const r = await gqlAdmin(this.url, 'mutation($input: ReviewDealInput!) { reviewDeal(input: $input) { userErrors { code message } } }', { input: { dealId, decision: 'APPROVE', bonusRate: '0.05' } });
      check(r.reviewDeal.userErrors);
      return 'review';
    }
    if (dealId) this.submitted.unshift(dealId);
    const inn = organisationInn(String(300_000_000 + ((process.pid * 7919 + i) % 600_000_000)).slice(0, 9));
    const r = await gqlAdmin(this.url, 'mutation($input: RegisterDealInput!) { registerDeal(input: $input) { deal { id } userErrors { code message } } }', {
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

/** WRITERS loops of back-to-back mutations until `until` resolves (or the time is up). */
async function runWriters(work: Workload, until: Promise<unknown>): Promise<Sample[]> {
  let done = false;
  until.finally(() => (done = true)).catch(() => undefined);
  const samples: Sample[] = [];
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (!done) {
        const start = performance.now();
        const op = await work.one();
        samples.push({ op, start, ms: performance.now() - start });
      }
    }),
  );
  return samples;
}

const summary = (samples: Sample[]) => ({
  count: samples.length,
  p50: +percentile(samples.map((s) => s.ms), 50).toFixed(1),
  p99: +percentile(samples.map((s) => s.ms), 99).toFixed(1),
  max: +Math.max(0, ...samples.map((s) => s.ms)).toFixed(1),
});

async function main(): Promise<void> {
  const db = await startBenchDatabase('pp-bench-writers-');
  let api: ChildProcess | null = null;
  try {
    const client = new Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    const records = await generate(client);
    await client.query(`UPDATE partners SET bank_bic = '044525225', bank_account_number = '40702810438000034726', bank_name = 'Bench bank'`);
    log(`${records} consumption records`);
    const port = await freePort();
    api = spawn(process.execPath, [path.join(__dirname, '..', 'src', 'main.js')], {
      env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), ADMIN_TOKEN: BENCH_ADMIN_TOKEN, CLOCK: 'manual', CLOCK_START: '2026-04-02T09:00:00Z', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}/graphql`;
    for (let i = 0; ; i++) {
      try {
        await gqlAdmin(url, '{ now }');
        break;
      } catch {
        if (i > 150) throw new Error('API did not start');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const close = (month: string) => gqlAdmin(url, 'mutation($m: Month!) { closeBillingMonth(input: { month: $m }) { invoicesFinalized userErrors { code message } } }', { m: month });
    for (const month of ['2026-01', '2026-02']) {
      const started = performance.now();
      await close(month);
      log(`close ${month}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
    }
    const partners: string[] = (await client.query(`SELECT id FROM partners ORDER BY id LIMIT ${WRITER_PARTNERS}`)).rows.map((r) => r.id);
    for (const partnerId of partners) {
      await gqlAdmin(url, 'mutation($input: AdjustRebateBalanceInput!) { adjustRebateBalance(input: $input) { userErrors { code } } }', { input: { partnerId, amount: '1000000.00', reason: 'bench balance' } });
    }
    const work = new Workload(url, partners);
    await runWriters(work, new Promise((r) => setTimeout(r, 2000))); // warm-up

    const idleStart = performance.now();
    const idle = await runWriters(work, new Promise((r) => setTimeout(r, SECONDS * 1000)));
    const idleSeconds = (performance.now() - idleStart) / 1000;
    log(`no close: ${idle.length} mutations in ${idleSeconds.toFixed(1)} s`);

    const closeStart = performance.now();
    const closing = close('2026-03').then((r) => {
      closeEnd = performance.now();
      return r;
    });
    let closeEnd = 0;
    const during = await runWriters(work, closing);
    const closed = await closing;
    const closeMs = closeEnd - closeStart;
    const issuedDuring = during.filter((s) => s.start >= closeStart && s.start < closeEnd);
    const rss = peakRssMb(api.pid!);
    await client.end();

    const idleStats = { ...summary(idle), perSecond: Math.round(idle.length / idleSeconds) };
    const duringStats = summary(issuedDuring);
    const result = {
      records,
      writers: WRITERS,
      noClose: idleStats,
      duringClose: {
        ...duringStats,
        closeMs: Math.round(closeMs),
        p99ShareOfClose: +(duringStats.p99 / closeMs).toFixed(3),
        invoicesFinalized: closed.closeBillingMonth.invoicesFinalized,
      },
      byOp: Object.fromEntries(['withdrawal', 'registration', 'review'].map((op) => [op, summary(issuedDuring.filter((s) => s.op === op))])),
      apiPeakRssMb: rss,
      goals: {
        p99Within200ms: duringStats.p99 <= 200,
        p99Within10PercentOfClose: duringStats.p99 <= 0.1 * closeMs,
        throughputAtLeast500PerSecond: idleStats.perSecond >= 500,
      },
    };
    console.log(
      `\nno close: ${idleStats.perSecond}/s, p50 ${idleStats.p50} ms, p99 ${idleStats.p99} ms | during a ${(closeMs / 1000).toFixed(2)} s close: ${duringStats.count} mutations, p50 ${duringStats.p50} ms, p99 ${duringStats.p99} ms (${(100 * result.duringClose.p99ShareOfClose).toFixed(1)} % of the close), max ${duringStats.max} ms | API peak RSS ${rss} MB`,
    );
    console.log(JSON.stringify(result));
  } finally {
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => api!.once('exit', r));
    }
    await db.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

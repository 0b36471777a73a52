// npm run bench:ingest — consumption ingestion throughput (issue 3 acceptance).
//
// One run, one fresh embedded PostgreSQL (durable settings: fsync on, `fast: false`), the same generated records
// through three paths, each into an empty consumption_records table (TRUNCATE + CHECKPOINT between phases):
//   (a) GraphQL `recordConsumption` over HTTP, 10,000-record batches, against the API as a separate child process
//       (node dist/src/main.js); peak RSS of that process from /proc/<pid>/status (VmHWM);
//   (b) the CSV importer (in this process, importConsumptionCsv on a file stream) on the same rows as an export file;
//   (c) a plain COPY of the same rows into consumption_records (the limit).
// Inputs (request bodies, the CSV file, the COPY file) are generated before the clocks start.
// Environment: BENCH_RECORDS (default 1000000), BENCH_CONCURRENCY (requests in flight, default 2), BENCH_KEEP=1 keeps
// the temp dirs, BENCH_API_NODE_ARGS node flags for the API process (--cpu-prof …).
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { migrate, seedProgram } from '../src/app/bootstrap';
import { createDataSource } from '../src/app/data-source';
import { freePort, startEmbeddedPostgres, type RunningPostgres } from '../src/app/embedded-postgres';
import { peakRssMb } from './support';
import { Clock } from '../src/modules/clock/clock';
import { importConsumptionCsv } from '../src/modules/consumption/csv-import';
import { ServicesService } from '../src/modules/services/services.service';
import { DEFAULT_SERVICES } from '../src/modules/settings/defaults';
import { addDays } from '../src/shared/dates';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const BATCH = 10_000;
const ACCOUNTS = 10_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const CLOCK_START = '2026-04-01T09:00:00Z'; // today (Moscow) 2026-04-01
const FIRST_DAY = '2026-01-01'; // records over the 90 days before it
const DAYS = 90;
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const GOALS = { graphqlShareOfCopy: 0.8, csvShareOfCopy: 0.9, apiPeakRssMb: 400 };

const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Deterministic PRNG (mulberry32), so every run generates the same records. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GeneratedRecord {
  account: string;
  date: string;
  serviceId: string;
  serviceName: string;
  cloud: string;
  folder: string;
  /** Amounts are built as decimal text from random digits; no arithmetic on money. */
  cost: string;
  grant: string;
}

export function* generate(): Generator<GeneratedRecord> {
  const random = prng(20260401);
  const int = (n: number) => Math.floor(random() * n);
  const digits = (n: number) => Array.from({ length: n }, () => String(int(10))).join('');
  const amount = (units: number) => {
    const scale = int(7); // 0–6 fraction digits
    return scale ? `${units}.${digits(scale)}` : String(units);
  };
  const days = Array.from({ length: DAYS }, (_, i) => addDays(FIRST_DAY, i));
  for (let i = 0; i < RECORDS; i++) {
    const a = int(ACCOUNTS);
    const account = `ba-bench-${String(a).padStart(5, '0')}`;
    const service = DEFAULT_SERVICES[int(DEFAULT_SERVICES.length)];
    const r = random();
    const units = Math.floor(r * r * r * 20_000); // mostly small, some large daily costs
    const grant = units > 0 && random() < 0.2 ? amount(int(units)) : '0';
    yield {
      account,
      date: days[int(DAYS)],
      serviceId: service.id,
      serviceName: service.name,
      cloud: `cloud-${a}-${int(2)}`,
      folder: `folder-${a}-${int(4)}`,
      cost: amount(units),
      grant,
    };
  }
}

const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

interface Inputs {
  bodies: Buffer[];
  csvFile: string;
  csvBytes: number;
  copyFile: string;
}

/** Writes the CSV export and the COPY file, and builds the GraphQL request bodies, all from one pass. */
export function prepareInputs(dir: string): Inputs {
  const csvFile = path.join(dir, 'usage.csv');
  const copyFile = path.join(dir, 'records.tsv');
  const csvFd = fs.openSync(csvFile, 'w');
  const copyFd = fs.openSync(copyFile, 'w');
  fs.writeSync(csvFd, 'billing_account_id,billing_account_name,cloud_id,folder_id,service_id,service_name,sku_name,date,currency,cost,monetary_grant_credit\n');
  const query =
    'mutation Ingest($input: RecordConsumptionInput!) { recordConsumption(input: $input) { accepted duplicate userErrors { field code message } } }';
  const bodies: Buffer[] = [];
  let csv: string[] = [];
  let tsv: string[] = [];
  let json: string[] = [];
  const flush = () => {
    fs.writeSync(csvFd, csv.join(''));
    fs.writeSync(copyFd, tsv.join(''));
    const batchId = `bench-${String(bodies.length + 1).padStart(4, '0')}`;
    bodies.push(Buffer.from(`{"query":${JSON.stringify(query)},"variables":{"input":{"batchId":"${batchId}","records":[${json.join(',')}]}}}`));
    csv = [];
    tsv = [];
    json = [];
  };
  for (const r of generate()) {
    csv.push(
      `${r.account},"Customer, ${r.account.slice(-5)}",${r.cloud},${r.folder},${r.serviceId},${csvField(r.serviceName)},standard,${r.date},RUB,${r.cost},${r.grant === '0' ? '0' : '-' + r.grant}\n`,
    );
    tsv.push(`${r.account}\t${r.date}\t${r.serviceId}\t${r.cloud}\t${r.folder}\t${r.cost}\t${r.grant}\tCSV\n`);
    json.push(
      `{"billingAccountId":"${r.account}","date":"${r.date}","serviceId":"${r.serviceId}","cloudId":"${r.cloud}","folderId":"${r.folder}","cost":"${r.cost}","grantCredit":"${r.grant}"}`,
    );
    if (json.length === BATCH) flush();
  }
  if (json.length) flush();
  fs.closeSync(csvFd);
  fs.closeSync(copyFd);
  return { bodies, csvFile, csvBytes: fs.statSync(csvFile).size, copyFile };
}

/** Runs the API as its own process on the bench database; resolves once it listens. */
async function startApi(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const main = path.join(__dirname, '..', 'src', 'main.js');
  // BENCH_API_NODE_ARGS: extra node flags for the API (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
  const child = spawn(process.execPath, [...(process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? []), main], {
    env: {
      ...process.env,
      NODE_ENV: 'production', // as `npm start` runs it (graphql-js skips its development-only checks)
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      ADMIN_TOKEN,
      CLOCK: 'manual',
      CLOCK_START,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ADMIN: '999999999',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready at')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`API exited during start (code ${code}):\n${output.slice(-3000)}`)));
  });
  child.removeAllListeners('exit');
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  child.stderr!.removeAllListeners('data');
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[api] ${chunk}`));
  return { child, url: `http://127.0.0.1:${port}/graphql` };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** CPU time (user + system) a live process has used so far, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
}

const load = () => os.loadavg()[0];

async function graphqlPhase(url: string, bodies: Buffer[]): Promise<{ seconds: number; batchMs: number[] }> {
  const batchMs: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const started = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body });
      const result = (await response.json()) as {
        data?: { recordConsumption: { accepted: number; duplicate: boolean; userErrors: unknown[] } };
        errors?: unknown[];
      };
      batchMs.push(performance.now() - started);
      const payload = result.data?.recordConsumption;
      if (!response.ok || result.errors || !payload || payload.userErrors.length || payload.duplicate || payload.accepted !== BATCH) {
        throw new Error(`batch refused (HTTP ${response.status}): ${JSON.stringify(result).slice(0, 1000)}`);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { seconds: (performance.now() - started) / 1000, batchMs };
}

interface TableState {
  count: number;
  cost: string;
  grant: string;
}

async function tableState(db: Client): Promise<TableState> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS count, coalesce(sum(cost), 0)::text AS cost, coalesce(sum(grant_credit), 0)::text AS grant FROM consumption_records`,
  );
  return rows[0];
}

async function emptyTable(db: Client): Promise<void> {
  // The records' three months have their partitions (as the server keeps them made), the same for every path.
  for (const month of ['2026-01-01', '2026-02-01', '2026-03-01']) await db.query('SELECT ensure_consumption_partition($1::date)', [month]);
  await db.query('TRUNCATE consumption_records, consumption_batches');
  await db.query('VACUUM ANALYZE consumption_records');
  await db.query('CHECKPOINT');
}

async function main(): Promise<void> {
  if (RECORDS % BATCH !== 0) throw new Error(`BENCH_RECORDS must be a multiple of ${BATCH}`);
  const isRoot = process.getuid?.() === 0;
  const dataDir = fs.mkdtempSync(path.join(isRoot ? '/var/tmp' : os.tmpdir(), 'pp-bench-pg-'));
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-bench-files-'));
  let postgres: RunningPostgres | null = null;
  let api: { child: ChildProcess; url: string } | null = null;
  let db: Client | null = null;
  let ds: ReturnType<typeof createDataSource> | null = null;
  let interrupted = false;
  const cleanup = async () => {
    if (api) await stopChild(api.child).catch(() => undefined);
    if (ds?.isInitialized) await ds.destroy().catch(() => undefined);
    if (db) await db.end().catch(() => undefined);
    if (postgres) await postgres.stop().catch(() => undefined);
    if (process.env.BENCH_KEEP !== '1') {
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(filesDir, { recursive: true, force: true });
    } else log(`kept ${dataDir} and ${filesDir}`);
  };
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    log('interrupted: cleaning up');
    void cleanup().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    log(
      `${fmt(RECORDS)} records, ${fmt(ACCOUNTS)} billing accounts, ${DEFAULT_SERVICES.length} services, ${DAYS} days from ${FIRST_DAY}; ${os.cpus().length} CPUs`,
    );
    let started = performance.now();
    const inputs = prepareInputs(filesDir);
    log(
      `inputs generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${inputs.bodies.length} request bodies (${(inputs.bodies[0].length / 1e6).toFixed(1)} MB each), CSV ${(inputs.csvBytes / 1e6).toFixed(0)} MB`,
    );

    postgres = await startEmbeddedPostgres({ dataDir, fast: false });
    const url = postgres.url('postgres');
    ds = createDataSource(url, { poolSize: 4, applicationName: 'bench-ingest' });
    await ds.initialize();
    await migrate(ds);
    await seedProgram(ds);
    db = new Client({ connectionString: url });
    await db.connect();
    log(
      `PostgreSQL ${(await db.query('SHOW server_version')).rows[0].server_version} on port ${postgres.port} (fsync ${(await db.query('SHOW fsync')).rows[0].fsync})`,
    );

    // (a) GraphQL over HTTP against the API process.
    api = await startApi(url);
    log(`API process ${api.child.pid} at ${api.url}; peak RSS after start ${peakRssMb(api.child.pid!).toFixed(0)} MB`);
    await emptyTable(db);
    log(`(a) GraphQL: ${inputs.bodies.length} batches of ${fmt(BATCH)}, ${CONCURRENCY} in flight…`);
    const apiCpuBefore = cpuSeconds(api.child.pid!);
    const loadBefore = load();
    const graphql = await graphqlPhase(api.url, inputs.bodies);
    const apiCpu = cpuSeconds(api.child.pid!) - apiCpuBefore;
    const loadAfterGraphql = load();
    const apiPeakRssMb = peakRssMb(api.child.pid!);
    await stopChild(api.child);
    api = null;
    const afterGraphql = await tableState(db);
    if (afterGraphql.count !== RECORDS) throw new Error(`GraphQL phase stored ${afterGraphql.count} records`);
    const sortedMs = [...graphql.batchMs].sort((x, y) => x - y);
    log(
      `(a) ${graphql.seconds.toFixed(1)} s (API process CPU ${apiCpu.toFixed(1)} s; load average ${loadBefore.toFixed(1)} → ${loadAfterGraphql.toFixed(1)}), batch p50 ${sortedMs[Math.floor(sortedMs.length / 2)].toFixed(0)} ms, max ${sortedMs.at(-1)!.toFixed(0)} ms`,
    );

    // (b) CSV importer, in this process, streaming the export file.
    await emptyTable(db);
    log('(b) CSV import…');
    const clock = new Clock('manual', new Date(CLOCK_START));
    started = performance.now();
    const imported = await importConsumptionCsv(ds, clock, new ServicesService(ds), fs.createReadStream(inputs.csvFile, { highWaterMark: 256 * 1024 }), {
      totalBytes: inputs.csvBytes,
      progressIntervalMs: 5000,
      onProgress: (p) => log(`(b) ${fmt(p.rows)} rows, ${fmt(p.rowsPerSecond)} rows/s, ${p.percent?.toFixed(0)}%`),
    });
    const csvSeconds = (performance.now() - started) / 1000;
    const loadAfterCsv = load();
    if (!imported.ok) throw new Error(`CSV import refused the file: ${JSON.stringify(imported.errors.slice(0, 5))}`);
    const afterCsv = await tableState(db);
    log(`(b) ${csvSeconds.toFixed(1)} s`);

    // (c) plain COPY of the same rows: the limit.
    await emptyTable(db);
    log('(c) plain COPY…');
    started = performance.now();
    await pipeline(
      fs.createReadStream(inputs.copyFile, { highWaterMark: 256 * 1024 }),
      db.query(copyFrom('COPY consumption_records (billing_account_id, date, service_id, cloud_id, folder_id, cost, grant_credit, source) FROM STDIN')),
    );
    const copySeconds = (performance.now() - started) / 1000;
    const loadAfterCopy = load();
    const afterCopy = await tableState(db);
    log(`(c) ${copySeconds.toFixed(1)} s`);

    for (const [name, state] of [
      ['CSV import', afterCsv],
      ['COPY', afterCopy],
    ] as const) {
      if (state.count !== afterGraphql.count || state.cost !== afterGraphql.cost || state.grant !== afterGraphql.grant) {
        throw new Error(`${name} stored different data than GraphQL: ${JSON.stringify(state)} vs ${JSON.stringify(afterGraphql)}`);
      }
    }

    const graphqlRate = RECORDS / graphql.seconds;
    const csvRate = RECORDS / csvSeconds;
    const copyRate = RECORDS / copySeconds;
    const goals = {
      graphql: graphqlRate >= GOALS.graphqlShareOfCopy * copyRate,
      csv: csvRate >= GOALS.csvShareOfCopy * copyRate,
      apiRss: apiPeakRssMb <= GOALS.apiPeakRssMb,
    };
    const rows = [
      [
        '(a) GraphQL recordConsumption, HTTP',
        `${fmt(graphqlRate)} records/s`,
        `${graphql.seconds.toFixed(1)} s`,
        `≥ ${fmt(GOALS.graphqlShareOfCopy * copyRate)}/s (${GOALS.graphqlShareOfCopy} × COPY); ${(graphqlRate / copyRate).toFixed(2)} × COPY`,
        goals.graphql,
      ],
      [
        '(b) CSV import (in-process, streamed)',
        `${fmt(csvRate)} records/s`,
        `${csvSeconds.toFixed(1)} s`,
        `≥ ${fmt(GOALS.csvShareOfCopy * copyRate)}/s (${GOALS.csvShareOfCopy} × COPY); ${(csvRate / copyRate).toFixed(2)} × COPY`,
        goals.csv,
      ],
      ['(c) plain COPY (the limit)', `${fmt(copyRate)} records/s`, `${copySeconds.toFixed(1)} s`, '', null],
      ['API peak RSS (VmHWM)', `${apiPeakRssMb.toFixed(0)} MB`, '', `≤ ${GOALS.apiPeakRssMb} MB`, goals.apiRss],
    ] as const;
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => String(r[i]).length)));
    console.log(
      `\nIngestion benchmark: ${fmt(RECORDS)} records, ${fmt(BATCH)}-record batches, ${CONCURRENCY} in flight, fsync on, each phase into an empty table`,
    );
    console.log(
      `  (1-minute load average after each phase: ${loadAfterGraphql.toFixed(1)}, ${loadAfterCsv.toFixed(1)}, ${loadAfterCopy.toFixed(1)} on ${os.cpus().length} CPUs; other processes on the machine count too)`,
    );
    for (const r of rows) {
      console.log(
        `  ${String(r[0]).padEnd(widths[0])}  ${String(r[1]).padStart(widths[1])}  ${String(r[2]).padStart(widths[2])}  ${String(r[3]).padEnd(widths[3])}  ${r[4] === null ? '' : r[4] ? 'PASS' : 'FAIL'}`,
      );
    }
    console.log(
      JSON.stringify({
        records: RECORDS,
        batch: BATCH,
        concurrency: CONCURRENCY,
        cpus: os.cpus().length,
        fsync: true,
        graphql: {
          seconds: +graphql.seconds.toFixed(3),
          recordsPerSecond: Math.round(graphqlRate),
          shareOfCopy: +(graphqlRate / copyRate).toFixed(3),
          apiCpuSeconds: +apiCpu.toFixed(1),
          batchP50Ms: Math.round(sortedMs[Math.floor(sortedMs.length / 2)]),
          batchMaxMs: Math.round(sortedMs.at(-1)!),
        },
        csv: { seconds: +csvSeconds.toFixed(3), recordsPerSecond: Math.round(csvRate), shareOfCopy: +(csvRate / copyRate).toFixed(3), mode: 'in-process' },
        copy: { seconds: +copySeconds.toFixed(3), recordsPerSecond: Math.round(copyRate) },
        apiPeakRssMb: Math.round(apiPeakRssMb),
        loadAverage: {
          before: +loadBefore.toFixed(2),
          afterGraphql: +loadAfterGraphql.toFixed(2),
          afterCsv: +loadAfterCsv.toFixed(2),
          afterCopy: +loadAfterCopy.toFixed(2),
        },
        goals,
      }),
    );
  } finally {
    if (!interrupted) await cleanup();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

// Plumbing shared by the benchmarks: a fresh embedded PostgreSQL with a migrated, seeded `bench` database, and
// readings of another process's resources from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrate, seedProgram } from '../src/app/bootstrap';
import { createDataSource } from '../src/app/data-source';
import { freePort, startEmbeddedPostgres, type RunningPostgres } from '../src/app/embedded-postgres';

export interface BenchDatabase {
  pg: RunningPostgres;
  /** URL of the migrated and seeded `bench` database. */
  url: string;
  dataDir: string;
  /** Stops PostgreSQL and removes its folder. */
  dispose(): Promise<void>;
}

/** Starts PostgreSQL in a new folder (under /var/tmp as root, where the postgres user can reach it). */
export async function startBenchDatabase(
  prefix: string,
  options: { log?: (line: string) => void; settings?: Record<string, string> } = {},
): Promise<BenchDatabase> {
  const base = process.getuid?.() === 0 ? '/var/tmp' : os.tmpdir();
  const dataDir = fs.mkdtempSync(path.join(base, prefix));
  const pg = await startEmbeddedPostgres({ dataDir, fast: false, log: options.log, logAfterStart: options.log !== undefined, settings: options.settings });
  const dispose = async () => {
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const admin = new Client({ connectionString: pg.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const url = pg.url('bench');
    const ds = createDataSource(url, { poolSize: 2 });
    await ds.initialize();
    await migrate(ds);
    await seedProgram(ds);
    await ds.destroy();
    return { pg, url, dataDir, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** A field of /proc/<pid>/status in kB (VmHWM: peak resident set, VmRSS: current). */
export function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/** Peak resident set size of a live process, in MB. */
export function peakRssMb(pid: number): number {
  return Math.round(statusKb(pid, 'VmHWM') / 1024);
}

/** CPU time (user + system) a process has used so far, in milliseconds (from /proc/<pid>/stat; 0 once it is gone). */
export function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12]: utime, stime in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The postmaster's pid (first line of postmaster.pid in the data directory). */
export function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** CPU milliseconds used so far by each PostgreSQL process: the postmaster and every live child (backends, ...). */
export function postgresCpuByPid(dataDir: string): Map<number, number> {
  const postmaster = postmasterPid(dataDir);
  const byPid = new Map([[postmaster, cpuMs(postmaster)]]);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) byPid.set(Number(entry), cpuMs(Number(entry)));
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid;
}

/** CPU PostgreSQL used between two readings: processes started meanwhile count from zero, ended ones are lost. */
export function postgresCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += Math.max(0, ms - (before.get(pid) ?? 0));
  return total;
}

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/** One GraphQL request as ADMIN; throws on a top-level error. */
export async function gqlAdmin(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * gqlAdmin over node:http with a keep-alive agent: about a third of fetch's CPU per request, which matters when the
 * benchmark's own client shares the machine's two cores with the API and PostgreSQL it measures.
 */
export function gqlAdminFast(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${BENCH_ADMIN_TOKEN}` },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: any; errors?: unknown };
            if (parsed.errors) reject(new Error(JSON.stringify(parsed.errors)));
            else resolve(parsed.data);
          } catch (error) {
            reject(error as Error);
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** p-th percentile (0–100) of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Partner n's id in the generated programs: 00000000-0000-4000-8000-<n in hex, 12 digits>. */
export const benchPartnerId = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * `partners` ACTIVE partners, each with an APPROVED project on a direct customer rebated from `month` and that month's
 * daily consumption above the project minimum: closing `month` then writes one PROJECT_REBATE ledger entry per partner.
 */
export async function generateProgramWithProjects(client: Client, partners: number, month: string): Promise<void> {
  await client.query(`
    INSERT INTO partners (id, name, inn, own_billing_account_id, contact_email, status, level, payment_mode, created_at, active_from)
    SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'Partner ' || i, '7' || lpad(i::text, 9, '0'), 'own-' || i,
           'p' || i || '@bench.example', 'ACTIVE', 'PARTNER', 'ADVANCE', '2025-12-01', '2025-12-01'
      FROM generate_series(1, ${partners}) i`);
  await client.query(`
    INSERT INTO projects (partner_id, customer_inn, customer_name, customer_billing_account_id, scope, scope_id, target_monthly_consumption, description, status, rebate_rate, rebate_from, rebate_to, created_at, approved_at)
    SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid, '3' || lpad(k::text, 9, '0'), 'Direct ' || k,
           'direct-' || k, 'CLOUD', 'cloud-direct-' || k, 40000, 'bench', 'APPROVED', 0.1, '${month}', '2026-12', '2025-12-10', '2025-12-15'
      FROM generate_series(1, ${partners}) k`);
  // The month's consumption of every project's cloud: 1,000–2,000 ₽ a day, above the 30,000 ₽ project minimum.
  await client.query(`
    INSERT INTO consumption_records (billing_account_id, date, service_id, cloud_id, folder_id, cost, grant_credit, source)
    SELECT 'direct-' || k, d::date, 'compute', 'cloud-direct-' || k, 'cloud-direct-' || k || '-f', round((random() * 1000 + 1000)::numeric, 6), 0, 'API'
      FROM generate_series(1, ${partners}) k
     CROSS JOIN generate_series('${month}-01'::date, ('${month}-01'::date + interval '1 month' - interval '1 day'), interval '1 day') d`);
  await client.query('VACUUM ANALYZE');
}

/**
 * The API as a child process (node dist/src/main.js) on a free port with a manual clock, the bench admin token and
 * BENCH_API_NODE_ARGS (e.g. --cpu-prof) / BENCH_LOG_LEVEL; resolves once /healthz answers.
 */
export async function startApiProcess(
  databaseUrl: string,
  options: { clockStart: string; env?: Record<string, string> },
): Promise<{ proc: ChildProcess; port: number; url: string }> {
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, path.join(__dirname, '..', 'src', 'main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      CLOCK: 'manual',
      CLOCK_START: options.clockStart,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      ...options.env,
    },
    stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300 || proc.exitCode !== null) throw new Error('API did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { proc, port, url: `http://127.0.0.1:${port}/graphql` };
}

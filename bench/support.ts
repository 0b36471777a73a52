// Plumbing shared by the benchmarks: a fresh embedded PostgreSQL with a migrated, seeded `bench` database, and
// readings of another process's resources from /proc.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrate, seedProgram } from '../src/app/bootstrap';
import { createDataSource } from '../src/app/data-source';
import { startEmbeddedPostgres, type RunningPostgres } from '../src/app/embedded-postgres';

export interface BenchDatabase {
  pg: RunningPostgres;
  /** URL of the migrated and seeded `bench` database. */
  url: string;
  dataDir: string;
  /** Stops PostgreSQL and removes its folder. */
  dispose(): Promise<void>;
}

/** Starts PostgreSQL in a new folder (under /var/tmp as root, where the postgres user can reach it). */
export async function startBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const base = process.getuid?.() === 0 ? '/var/tmp' : os.tmpdir();
  const dataDir = fs.mkdtempSync(path.join(base, prefix));
  const pg = await startEmbeddedPostgres({ dataDir, fast: false });
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

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/** One GraphQL request as ADMIN; throws on a top-level error. */
export async function gqlAdmin(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_TOKEN}` }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** p-th percentile (0–100) of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

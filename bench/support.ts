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

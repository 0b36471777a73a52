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
export async function startBenchDatabase(prefix: string, options: { log?: (line: string) => void } = {}): Promise<BenchDatabase> {
  const base = process.getuid?.() === 0 ? '/var/tmp' : os.tmpdir();
  const dataDir = fs.mkdtempSync(path.join(base, prefix));
  const pg = await startEmbeddedPostgres({ dataDir, fast: false, log: options.log, logAfterStart: options.log !== undefined });
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

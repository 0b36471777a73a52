// Which PostgreSQL to use: DATABASE_URL, or the embedded server on the data directory (./.data by default).
// Shared by the server (src/main.ts) and the command-line tools.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../config';
import { embeddedPassword, embeddedUrl, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';

export interface OpenDatabase {
  url: string;
  /** The embedded server this process started, if any. */
  embedded: RunningPostgres | null;
  /** Stops the embedded server this process started (nothing otherwise). */
  stop(): Promise<void>;
}

export interface OpenDatabaseOptions {
  log?: (line: string) => void;
  /**
   * When the embedded server of the data directory is already running (e.g. the API is up), connect to it instead
   * of starting another one. Used by the command-line tools; the server itself always owns its PostgreSQL.
   */
  shareRunning?: boolean;
}

/** The port of a live postmaster on the data directory, read from its postmaster.pid; null when none answers. */
async function runningEmbeddedPort(dataDir: string): Promise<number | null> {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null; // no such process: a stale file
  }
  const answers = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
  return answers ? port : null;
}

export async function openDatabase(config: Config, options: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null, stop: async () => undefined };
  if (options.shareRunning) {
    const port = await runningEmbeddedPort(config.dataDir);
    if (port) {
      options.log?.(`using the embedded PostgreSQL already running on port ${port}`);
      return { url: embeddedUrl(port, embeddedPassword(config.dataDir), 'postgres'), embedded: null, stop: async () => undefined };
    }
  }
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log: options.log });
  return { url: embedded.url('postgres'), embedded, stop: () => embedded.stop() };
}

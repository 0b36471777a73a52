// One PostgreSQL per test run: the embedded server (or TEST_DATABASE_URL), migrations applied once to a template
// database; every test file then gets its own database cloned from it (CREATE DATABASE … TEMPLATE …).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/app/data-source';
import { migrate, seedProgram } from '../../src/app/bootstrap';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/app/embedded-postgres';

export const TEMPLATE_DB = 'pp_template';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
    /** Prefix of every database this run creates (dropped at the end of the run). */
    databasePrefix: string;
  }
}

let embedded: RunningPostgres | null = null;
let dataDir: string | null = null;

type Provide = { (key: 'serverUrl', value: string): void; (key: 'databasePrefix', value: string): void };

export default async function setup(project: { provide: Provide }) {
  let serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? null;
  if (!serverUrl) {
    // Under /var/tmp when root (the postgres user must reach it), else the system temp dir.
    const base = process.getuid?.() === 0 ? '/var/tmp' : os.tmpdir();
    dataDir = fs.mkdtempSync(path.join(base, 'pp-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir, fast: true });
    serverUrl = embedded.url('postgres');
  }
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();

  const templateUrl = withDatabase(serverUrl, TEMPLATE_DB);
  const ds = createDataSource(templateUrl, { poolSize: 2 });
  await ds.initialize();
  await migrate(ds);
  await seedProgram(ds);
  await ds.destroy();

  const databasePrefix = `t_${randomBytes(4).toString('hex')}_`;
  project.provide('serverUrl', serverUrl);
  project.provide('databasePrefix', databasePrefix);
  return async () => {
    // On an external server (TEST_DATABASE_URL: CI's PostgreSQL 15, a pooler pass) nothing else removes them.
    if (!embedded) await dropDatabases(serverUrl, databasePrefix);
    if (embedded) await embedded.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

/** Drops this run's databases and the template; WITH (FORCE) ends connections a pooler may still hold to them. */
async function dropDatabases(serverUrl: string, prefix: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = $2`, [
      prefix,
      TEMPLATE_DB,
    ]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

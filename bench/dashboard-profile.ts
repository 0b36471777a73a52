// A development harness for bench:dashboard's mix: this API alone, one query at a time, each in its own API process
// (so `--cpu-prof` writes one profile per query), with CPU per request of the API and of PostgreSQL. No PostGraphile,
// no answer checks: it is for finding where time goes, not for the figures. BENCH_SERVERS=api,limit also runs the
// hand-written-SQL limit server (bench/dashboard-limit.ts) the same way, for comparison; CPU is split user / system.
//   npm run build && BENCH_QUERIES=dealsQueue,invoice BENCH_SECONDS=8 \
//     BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node dist/bench/dashboard-profile.js
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../src/app/embedded-postgres';
import { generateDashboardData } from './dashboard-data';
import { EXTRA, MIX } from './dashboard-queries';
import type { LoadResult } from './load-worker';
import { BENCH_ADMIN_TOKEN, postgresCpuByPid, postgresCpuDelta, startBenchDatabase } from './support';

const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const QUERIES = [...MIX, ...EXTRA].filter((q) => (process.env.BENCH_QUERIES ?? 'dealsQueue,invoice').split(',').includes(q.name));
const SERVERS = (process.env.BENCH_SERVERS ?? 'api').split(',') as ('api' | 'limit')[];

/** User and system CPU milliseconds of a process so far (/proc/<pid>/stat, clock ticks of 10 ms). */
function userSystemMs(pid: number): [number, number] {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return [Number(fields[11]) * 10, Number(fields[12]) * 10];
}

function worker() {
  const child = fork(path.join(__dirname, 'load-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const request = <T>(message: object) =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (reply: T & { error?: string }) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      child.send(message);
    });
  return { request, stop: () => child.disconnect() };
}

type Load = ReturnType<typeof worker>;

/** One server (a fresh process) under the query's load: req/s and CPU per request. */
async function profileOne(db: { url: string; dataDir: string }, load: Load, query: (typeof QUERIES)[number], kind: 'api' | 'limit'): Promise<void> {
  const port = await freePort();
  const args = kind === 'api' ? (process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? []) : [];
  const script = kind === 'api' ? path.join(__dirname, '..', 'src', 'main.js') : path.join(__dirname, 'dashboard-limit.js');
  const server = spawn(process.execPath, [...args, script], {
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: db.url, PORT: String(port), ADMIN_TOKEN: BENCH_ADMIN_TOKEN, DEMO: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = kind === 'api' ? `http://127.0.0.1:${port}/graphql` : `http://127.0.0.1:${port}/${query.name}`;
  const probe = kind === 'api' ? '{"query":"{ now }"}' : query.body('limit', 1);
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: probe }).catch(() => null);
    if (ok && ok.status < 500) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const requests = Array.from({ length: PARTNERS }, (_, k) => ({
    body: query.body(kind, k + 1),
    authorization: `Bearer ${query.token(k + 1, BENCH_ADMIN_TOKEN)}`,
  }));
  const key = `${query.name}:${kind}`;
  await load.request({ type: 'load', key, requests });
  await load.request({ type: 'run', key, url, connections: CONNECTIONS, seconds: 3 });
  const [cpu0, pg0] = [userSystemMs(server.pid!), postgresCpuByPid(db.dataDir)];
  const result = await load.request<LoadResult>({ type: 'run', key, url, connections: CONNECTIONS, seconds: SECONDS });
  const cpu1 = userSystemMs(server.pid!);
  const [user, system] = [cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]];
  const postgres = postgresCpuDelta(pg0, postgresCpuByPid(db.dataDir));
  const n = result.requests;
  const ms = (x: number) => (x / n).toFixed(3);
  console.log(
    `${query.name} ${kind}: ${Math.round(n / result.seconds)} req/s, p50 ${result.p50} ms, CPU ms/req ${ms(user + system + postgres)} ` +
      `(server ${ms(user + system)} = user ${ms(user)} + system ${ms(system)}; PostgreSQL ${ms(postgres)}), failures ${result.errors + result.non2xx}`,
  );
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
}

async function main(): Promise<void> {
  const db = await startBenchDatabase('pp-bench-dashprof-');
  const load = worker();
  try {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await generateDashboardData(client, PARTNERS);
    await client.end();
    if (process.env.BENCH_HOLD) {
      // Keep the database for experiments (psql, EXPLAIN ANALYZE) until SIGTERM.
      console.log(`holding ${db.url}`);
      await new Promise((resolve) => process.once('SIGTERM', resolve));
    }
    for (const query of process.env.BENCH_HOLD ? [] : QUERIES) {
      for (const kind of SERVERS) await profileOne(db, load, query, kind);
    }
  } finally {
    load.stop();
    await db.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

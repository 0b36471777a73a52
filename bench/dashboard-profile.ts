// A development harness for bench:dashboard's mix: this API alone, one query at a time, each in its own API process
// (so `--cpu-prof` writes one profile per query), with CPU per request of the API and of PostgreSQL. No PostGraphile,
// no limit server, no answer checks: it is for finding where time goes, not for the figures.
//   npm run build && BENCH_QUERIES=dealsQueue,invoice BENCH_SECONDS=8 \
//     BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node dist/bench/dashboard-profile.js
import { fork, spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../src/app/embedded-postgres';
import { generateDashboardData } from './dashboard-data';
import { EXTRA, MIX } from './dashboard-queries';
import type { LoadResult } from './load-worker';
import { BENCH_ADMIN_TOKEN, cpuMs, postgresCpuByPid, postgresCpuDelta, startBenchDatabase } from './support';

const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const QUERIES = [...MIX, ...EXTRA].filter((q) => (process.env.BENCH_QUERIES ?? 'dealsQueue,invoice').split(',').includes(q.name));

function worker() {
  const child = fork(path.join(__dirname, 'load-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const request = <T>(message: object) =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (reply: T & { error?: string }) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      child.send(message);
    });
  return { request, stop: () => child.disconnect() };
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
      const port = await freePort();
      const args = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
      const api = spawn(process.execPath, [...args, path.join(__dirname, '..', 'src', 'main.js')], {
        env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: db.url, PORT: String(port), ADMIN_TOKEN: BENCH_ADMIN_TOKEN, DEMO: '0', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const url = `http://127.0.0.1:${port}/graphql`;
      for (let i = 0; i < 300; i++) {
        const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ now }"}' }).catch(() => null);
        if (ok && ok.status < 500) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const requests = Array.from({ length: PARTNERS }, (_, k) => ({
        body: query.body('api', k + 1),
        authorization: `Bearer ${query.token(k + 1, BENCH_ADMIN_TOKEN)}`,
      }));
      await load.request({ type: 'load', key: query.name, requests });
      await load.request({ type: 'run', key: query.name, url, connections: CONNECTIONS, seconds: 3 });
      const [cpu0, pg0] = [cpuMs(api.pid!), postgresCpuByPid(db.dataDir)];
      const result = await load.request<LoadResult>({ type: 'run', key: query.name, url, connections: CONNECTIONS, seconds: SECONDS });
      const [server, postgres] = [cpuMs(api.pid!) - cpu0, postgresCpuDelta(pg0, postgresCpuByPid(db.dataDir))];
      const n = result.requests;
      console.log(
        `${query.name}: ${Math.round(n / result.seconds)} req/s, p50 ${result.p50} ms, CPU ms/req ${((server + postgres) / n).toFixed(3)} ` +
          `(api ${(server / n).toFixed(3)} + PostgreSQL ${(postgres / n).toFixed(3)}), failures ${result.errors + result.non2xx}`,
      );
      api.kill('SIGTERM');
      await new Promise((r) => api.once('exit', r));
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

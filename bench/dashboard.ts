// npm run bench:dashboard — the partner dashboards' reads against PostGraphile v5 and a hand-written SQL limit.
// One embedded PostgreSQL with the project's schema and a generated program (bench/dashboard-data.ts); three servers
// over it, each a separate process: this API (NODE_ENV=production, partner tokens), PostGraphile v5 (installed here
// into a temporary folder with the npm `node@22` binary — never a project dependency) and the limit server
// (bench/dashboard-limit.ts). Every answer is first checked against SQL; then SQL statements per request are
// counted from PostgreSQL's statement log; then the mix (bench/dashboard-queries.ts) runs interleaved — rounds of
// every query on every server, 32 connections from a separate load process (bench/load-worker.ts) — measuring req/s,
// latency, and CPU per request of the server process plus PostgreSQL (/proc). /healthz is probed while the API is
// loaded. Prints a table and one JSON line. Warm-up before timing: every partner's token is used once (so the API's
// token cache holds all of them, as it does in a long-running server; the other servers have no authentication),
// then each query runs for 2 s on each server (JIT, pools, prepared statements).
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { buildClientSchema, getIntrospectionQuery, printSchema, type IntrospectionQuery } from 'graphql';
import { Client } from 'pg';
import { freePort } from '../src/app/embedded-postgres';
import { generateDashboardData, partnerToken, preparePostGraphile } from './dashboard-data';
import { EXTRA, MIX, type MixQuery, type ServerKind } from './dashboard-queries';
import type { LoadResult } from './load-worker';
import { cpuMs, postgresCpuByPid, postgresCpuDelta, startBenchDatabase } from './support';

const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 2000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const PGL_VERSION = process.env.BENCH_POSTGRAPHILE_VERSION ?? '5';
const KINDS: ServerKind[] = ['api', 'postgraphile', 'limit'];
/** The mix, then the floor (`{ __typename }`, not a goal); BENCH_QUERIES=dashboard,floor measures only those. */
const QUERIES = [...MIX, ...EXTRA].filter((q) => !process.env.BENCH_QUERIES || process.env.BENCH_QUERIES.split(',').includes(q.name));
const GOAL_QUERIES = new Set(MIX.map((q) => q.name));

function log(message: string): void {
  console.error(`[bench:dashboard ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

interface Server {
  kind: ServerKind;
  process: ChildProcess;
  url(query: MixQuery): string;
}

/** PostGraphile v5 and a Node 22 binary in a temporary folder (kept between runs: the install takes minutes). */
function installPostGraphile(): { dir: string; node: string } {
  const dir = path.join(os.tmpdir(), `pp-bench-postgraphile${PGL_VERSION}`);
  const node = path.join(dir, 'node_modules', '.bin', 'node');
  if (!fs.existsSync(path.join(dir, 'node_modules', 'postgraphile')) || !fs.existsSync(node)) {
    log(`installing postgraphile@${PGL_VERSION} and node@22 into ${dir}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'pp-bench-postgraphile', private: true }));
    const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', `postgraphile@${PGL_VERSION}`, 'node@22'], { cwd: dir, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('npm install of postgraphile failed');
  }
  fs.writeFileSync(
    path.join(dir, 'server.mjs'),
    `import http from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  disablePlugins: ['NodePlugin'],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { graphqlPath: '/graphql', websockets: false },
  grafast: { explain: false },
});
const server = http.createServer();
await pgl.createServ(grafserv).addTo(server);
server.listen(Number(process.env.PORT), '127.0.0.1');
`,
  );
  return { dir, node };
}

async function waitFor(url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not start`);
}

async function startServers(dbUrl: string): Promise<Server[]> {
  const pgl = installPostGraphile();
  const [apiPort, pglPort, limitPort] = [await freePort(), await freePort(), await freePort()];
  const stdio: ['ignore', 'ignore', 'inherit'] = ['ignore', 'ignore', 'inherit'];
  const apiArgs = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const api = spawn(process.execPath, [...apiArgs, path.join(__dirname, '..', 'src', 'main.js')], {
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: dbUrl, PORT: String(apiPort), ADMIN_TOKEN, DEMO: '0', LOG_LEVEL: 'warn' },
    stdio,
  });
  const postgraphile = spawn(pgl.node, [path.join(pgl.dir, 'server.mjs')], {
    cwd: pgl.dir,
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: dbUrl, PORT: String(pglPort) },
    stdio,
  });
  const limit = spawn(process.execPath, [path.join(__dirname, 'dashboard-limit.js')], {
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(limitPort) },
    stdio,
  });
  const servers: Server[] = [
    { kind: 'api', process: api, url: () => `http://127.0.0.1:${apiPort}/graphql` },
    { kind: 'postgraphile', process: postgraphile, url: () => `http://127.0.0.1:${pglPort}/graphql` },
    { kind: 'limit', process: limit, url: (q) => `http://127.0.0.1:${limitPort}/${q.name}` },
  ];
  await waitFor(servers[0].url(MIX[0]), '{"query":"{ now }"}');
  await waitFor(servers[1].url(MIX[0]), '{"query":"{ __typename }"}');
  await waitFor(servers[2].url(MIX[0]), MIX[0].body('limit', 1));
  return servers;
}

function headersFor(kind: ServerKind, query: MixQuery, i: number): Record<string, string> {
  return kind === 'api' ? { authorization: `Bearer ${query.token(i, ADMIN_TOKEN)}` } : {};
}

async function ask(server: Server, query: MixQuery, i: number): Promise<unknown> {
  const response = await fetch(server.url(query), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headersFor(server.kind, query, i) },
    body: query.body(server.kind, i),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`${server.kind} ${query.name}: ${JSON.stringify(body.errors ?? body).slice(0, 1000)}`);
  return body.data;
}

/** Writes PostGraphile's schema as SDL (BENCH_PGL_SCHEMA=file), to write its side of the mix. */
async function dumpSchema(server: Server, file: string): Promise<void> {
  const response = await fetch(server.url(MIX[0]), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const { data } = (await response.json()) as { data: IntrospectionQuery };
  fs.writeFileSync(file, printSchema(buildClientSchema(data)));
}

/** Every server's answer for a sample of partners equals the one from SQL. */
async function checkAnswers(client: Client, servers: Server[], sample: number[]): Promise<void> {
  for (const query of QUERIES) {
    for (const i of query.name === 'dealsQueue' ? [1] : sample) {
      const expected = await query.expected(client, i);
      for (const server of servers) {
        const actual = query.canonical(server.kind, await ask(server, query, i));
        if (!isDeepStrictEqual(actual, expected)) {
          throw new Error(
            `${server.kind} ${query.name} for partner ${i} differs from SQL:\n${JSON.stringify(actual).slice(0, 1500)}\n${JSON.stringify(expected).slice(0, 1500)}`,
          );
        }
      }
    }
  }
  log(`answers of ${KINDS.join(', ')} match SQL for ${sample.length} partners`);
}

/** Statements per request from PostgreSQL's statement log (log_statement = all, only while counting). */
class StatementCounter {
  statements = 0;
  authStatements = 0;
  /** Backends whose statements are not requests' (the API's event bus polls the event table on its own). */
  private background = new Set<string>();
  onLine = (line: string) => {
    if (!/LOG:\s+(statement|execute [^:]*):/.test(line)) return;
    const pid = /\[(\d+)\]/.exec(line)?.[1];
    if (pid && this.background.has(pid)) return;
    this.statements++;
    if (/api_tokens/.test(line)) this.authStatements++;
  };

  async count(client: Client, run: () => Promise<void>): Promise<{ statements: number; authStatements: number }> {
    const listeners = await client.query(`SELECT pid::text FROM pg_stat_activity WHERE application_name LIKE '%:event-bus'`);
    this.background = new Set(listeners.rows.map((r: { pid: string }) => r.pid));
    await client.query(`ALTER SYSTEM SET log_statement = 'all'`);
    await client.query('SELECT pg_reload_conf()');
    await new Promise((r) => setTimeout(r, 500));
    this.statements = 0;
    this.authStatements = 0;
    await run();
    await new Promise((r) => setTimeout(r, 300));
    const result = { statements: this.statements, authStatements: this.authStatements };
    await client.query(`ALTER SYSTEM RESET log_statement`);
    await client.query('SELECT pg_reload_conf()');
    await new Promise((r) => setTimeout(r, 300));
    return result;
  }
}

interface StatementFigures {
  perRequest: number;
  authPerRequest: number;
  coldPerRequest: number;
}

async function countStatements(client: Client, counter: StatementCounter, server: Server, query: MixQuery): Promise<StatementFigures> {
  const partners = Array.from({ length: 20 }, (_, k) => PARTNERS - k);
  // Partners never asked before: their first request (the token is not cached yet).
  const cold = await counter.count(client, async () => {
    for (const i of partners) await ask(server, query, i);
  });
  const warm = await counter.count(client, async () => {
    for (const i of partners) await ask(server, query, i);
  });
  const n = partners.length;
  return { perRequest: warm.statements / n, authPerRequest: warm.authStatements / n, coldPerRequest: cold.statements / n };
}

class LoadWorker {
  private readonly child = fork(path.join(__dirname, 'load-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  private request<T>(message: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (reply: T & { error?: string }) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      this.child.send(message as object);
    });
  }

  async load(key: string, requests: { body: string; authorization?: string }[]): Promise<void> {
    await this.request({ type: 'load', key, requests });
  }

  run(key: string, url: string, seconds: number): Promise<LoadResult> {
    return this.request({ type: 'run', key, url, connections: CONNECTIONS, seconds });
  }

  stop(): void {
    this.child.disconnect();
  }
}

interface Segment {
  requests: number;
  seconds: number;
  p50: number[];
  p99: number[];
  serverCpuMs: number;
  postgresCpuMs: number;
  failures: number;
}

/** GET /healthz every 200 ms until stopped; the slowest answer in ms. */
function probeHealth(url: string): { stop(): Promise<number[]> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      const response = await fetch(url).catch(() => null);
      times.push(response?.ok ? performance.now() - start : Infinity);
      await response?.arrayBuffer().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return times;
    },
  };
}

async function measure(worker: LoadWorker, dataDir: string, server: Server, query: MixQuery, segment: Segment, health: number[]): Promise<void> {
  const key = `${server.kind}:${query.name}`;
  const pid = server.process.pid!;
  const [cpu0, pg0] = [cpuMs(pid), postgresCpuByPid(dataDir)];
  const probe = server.kind === 'api' ? probeHealth(server.url(query).replace(/\/graphql$/, '/healthz')) : null;
  const result = await worker.run(key, server.url(query), SECONDS);
  if (probe) health.push(...(await probe.stop()));
  segment.serverCpuMs += cpuMs(pid) - cpu0;
  segment.postgresCpuMs += postgresCpuDelta(pg0, postgresCpuByPid(dataDir));
  segment.requests += result.requests;
  segment.seconds += result.seconds;
  segment.p50.push(result.p50);
  segment.p99.push(result.p99);
  segment.failures += result.errors + result.non2xx;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value: number, digits = 2) => +value.toFixed(digits);

/** Every partner token (and the admin token) used once on the API: a warm token cache, as in a long-running server. */
async function warmTokens(api: Server): Promise<void> {
  const tokens = [ADMIN_TOKEN, ...Array.from({ length: PARTNERS }, (_, k) => partnerToken(k + 1))];
  for (let k = 0; k < tokens.length; k += CONNECTIONS) {
    await Promise.all(
      tokens.slice(k, k + CONNECTIONS).map(async (token) => {
        const response = await fetch(api.url(MIX[0]), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: '{"query":"{ __typename }"}',
        });
        if (!response.ok) throw new Error(`token warm-up: HTTP ${response.status}`);
        await response.arrayBuffer();
      }),
    );
  }
  log(`${tokens.length} tokens warmed`);
}

async function runMix(worker: LoadWorker, dataDir: string, servers: Server[]): Promise<{ segments: Map<string, Segment>; health: number[] }> {
  const segments = new Map<string, Segment>();
  await warmTokens(servers.find((s) => s.kind === 'api')!);
  for (const server of servers) {
    for (const query of QUERIES) {
      const requests = Array.from({ length: PARTNERS }, (_, k) => {
        const auth = headersFor(server.kind, query, k + 1).authorization;
        return { body: query.body(server.kind, k + 1), ...(auth ? { authorization: auth } : {}) };
      });
      await worker.load(`${server.kind}:${query.name}`, requests);
      segments.set(`${server.kind}:${query.name}`, { requests: 0, seconds: 0, p50: [], p99: [], serverCpuMs: 0, postgresCpuMs: 0, failures: 0 });
      await worker.run(`${server.kind}:${query.name}`, server.url(query), 2); // warm-up: JIT, pools, prepared statements
    }
  }
  const health: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    log(`round ${r + 1}/${ROUNDS}`);
    for (const query of QUERIES) {
      // Interleaved, the order of servers rotating each round.
      for (let s = 0; s < servers.length; s++) {
        const server = servers[(s + r) % servers.length];
        await measure(worker, dataDir, server, query, segments.get(`${server.kind}:${query.name}`)!, health);
      }
    }
  }
  return { segments, health };
}

interface Row {
  query: string;
  server: ServerKind;
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  serverCpuMs: number;
  postgresCpuMs: number;
  statements: number;
  authStatements: number;
  coldStatements: number;
  failures: number;
}

function rowsOf(segments: Map<string, Segment>, statements: Map<string, StatementFigures>): Row[] {
  const rows: Row[] = [];
  for (const query of QUERIES) {
    for (const kind of KINDS) {
      const s = segments.get(`${kind}:${query.name}`)!;
      const st = statements.get(`${kind}:${query.name}`)!;
      rows.push({
        query: query.name,
        server: kind,
        rps: round(s.requests / s.seconds, 0),
        p50: median(s.p50),
        p99: median(s.p99),
        cpuMsPerRequest: round((s.serverCpuMs + s.postgresCpuMs) / s.requests, 3),
        serverCpuMs: round(s.serverCpuMs / s.requests, 3),
        postgresCpuMs: round(s.postgresCpuMs / s.requests, 3),
        statements: round(st.perRequest),
        authStatements: round(st.authPerRequest),
        coldStatements: round(st.coldPerRequest),
        failures: s.failures,
      });
    }
  }
  return rows;
}

function report(rows: Row[], health: number[], load: string): void {
  const find = (query: string, kind: ServerKind) => rows.find((r) => r.query === query && r.server === kind)!;
  console.log(
    `\nbench:dashboard — ${PARTNERS} partners, ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s per query and server; load before: ${load}`,
  );
  console.log(
    '| query | server | req/s | p50 / p99 ms | CPU ms/req (server + PostgreSQL) | statements/req (cold) | × PostGraphile req/s | × limit req/s | CPU × PostGraphile |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const pgl = find(row.query, 'postgraphile');
    const limit = find(row.query, 'limit');
    console.log(
      `| ${row.query} | ${row.server} | ${row.rps} | ${row.p50} / ${row.p99} | ${row.cpuMsPerRequest} (${row.serverCpuMs} + ${row.postgresCpuMs}) | ${row.statements} (${row.coldStatements}) | ${round(row.rps / pgl.rps)} | ${round(row.rps / limit.rps)} | ${round(row.cpuMsPerRequest / pgl.cpuMsPerRequest)} |`,
    );
  }
  const apiRows = rows.filter((r) => r.server === 'api' && GOAL_QUERIES.has(r.query));
  const dashboard = rows.find((r) => r.query === 'dashboard' && r.server === 'api');
  const goals = {
    everyQueryAtLeastPostGraphile: apiRows.every((r) => r.rps >= find(r.query, 'postgraphile').rps),
    cpuPerRequestAtMostPostGraphile: apiRows.every((r) => r.cpuMsPerRequest <= find(r.query, 'postgraphile').cpuMsPerRequest),
    dashboardHalfOfLimit: !!dashboard && dashboard.rps >= 0.5 * find('dashboard', 'limit').rps,
    dashboardAtMost3Statements: !!dashboard && dashboard.statements <= 3,
    noAuthStatementsWarm: apiRows.every((r) => r.authStatements === 0),
    healthzWithin100ms: health.length > 0 && Math.max(...health) <= 100,
    noFailures: rows.every((r) => r.failures === 0),
  };
  const sorted = [...health].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN, 1);
  const healthz = { probes: health.length, maxMs: at(1), p99Ms: at(0.99) };
  console.log(`\n/healthz under load: ${healthz.probes} probes, p99 ${healthz.p99Ms} ms, max ${healthz.maxMs} ms`);
  console.log(
    `goals: ${Object.entries(goals)
      .map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`)
      .join(', ')}`,
  );
  console.log(JSON.stringify({ partners: PARTNERS, connections: CONNECTIONS, rounds: ROUNDS, seconds: SECONDS, load, rows, healthz, goals }));
}

async function main(): Promise<void> {
  const counter = new StatementCounter();
  const db = await startBenchDatabase('pp-bench-dashboard-', { log: counter.onLine });
  const servers: Server[] = [];
  let worker: LoadWorker | null = null;
  try {
    const client = new Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    log('generating the program');
    await generateDashboardData(client, PARTNERS);
    await preparePostGraphile(client);
    servers.push(...(await startServers(db.url)));
    if (process.env.BENCH_PGL_SCHEMA) await dumpSchema(servers[1], process.env.BENCH_PGL_SCHEMA);
    const sample = [1, 2, 3, 10, 11, 20, Math.floor(PARTNERS / 2), PARTNERS - 25];
    await checkAnswers(client, servers, sample);
    const statements = new Map<string, StatementFigures>();
    for (const server of servers)
      for (const query of QUERIES) statements.set(`${server.kind}:${query.name}`, await countStatements(client, counter, server, query));
    log('statements counted');
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    worker = new LoadWorker();
    const { segments, health } = await runMix(worker, db.dataDir, servers);
    await client.end();
    report(rowsOf(segments, statements), health, load);
  } finally {
    worker?.stop();
    for (const server of servers) {
      if (server.process.exitCode !== null) continue;
      server.process.kill('SIGTERM');
      await new Promise((r) => server.process.once('exit', r));
    }
    await db.dispose();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

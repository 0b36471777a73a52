// npm run bench:close — the month close on a large program, against the limit of one hand-written aggregate.
// At 1× generates 500 partners, 5,000 subaccounts, 125 direct customers with projects and daily consumption for 6
// services over three months (≈ 3 million records, 1.05 million a month) in a fresh embedded PostgreSQL, runs the
// API as a separate process, closes months 1 and 2, then times the close of month 3 over HTTP and the plain SQL
// aggregate of the same month's rows grouped by billing account and service. Reports both, the ratio, the close's
// seconds per million records of the month and the API's peak RSS; at BENCH_SCALES=1,2,4 (default) the spread of
// seconds per million. The hand-written aggregate runs with the close's parallelism (and once more with PostgreSQL's
// default, reported beside it). Sized for a shared 2-core machine: 1× and 2× take about 3 minutes together, 4× (12 million
// records, the program earlier rounds called 1×) about 5 — run `BENCH_SCALES=1,2` and `BENCH_SCALES=4` as two calls
// to stay under 10 minutes each. The API's close is serial unless CLOSE_PARALLEL_WORKERS is set.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../src/app/embedded-postgres';
import { peakRssMb, startBenchDatabase } from './support';

const DEFAULT_PARTNERS = Number(process.env.BENCH_PARTNERS ?? 500);
const SUBACCOUNTS_PER_PARTNER = Number(process.env.BENCH_SUBACCOUNTS_PER_PARTNER ?? 10);
const DEFAULT_DIRECT = Number(process.env.BENCH_DIRECT ?? 125);
/** Program sizes to close, as multiples of one program (BENCH_SCALES=1,2,4: close time per million records). */
const SCALES = (process.env.BENCH_SCALES ?? '1,2,4').split(',').map(Number);
const SERVICES = ['compute', 'object-storage', 'managed-postgresql', 'kms', 'speechkit', 'marketplace'];
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const MONTHS = ['2026-01', '2026-02', '2026-03'];

function log(message: string): void {
  console.error(`[bench:close ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function timed<T>(label: string, run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  log(`${label}: ${(ms / 1000).toFixed(2)} s`);
  return { ms, value };
}

export async function generate(client: Client, partners = DEFAULT_PARTNERS, direct = DEFAULT_DIRECT): Promise<number> {
  const subaccounts = partners * SUBACCOUNTS_PER_PARTNER;
  await client.query(`
    INSERT INTO partners (id, name, inn, own_billing_account_id, contact_email, status, level, payment_mode, created_at, active_from)
    SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'Partner ' || i, '7' || lpad(i::text, 9, '0'), 'own-' || i,
           'p' || i || '@bench.example', 'ACTIVE', CASE i % 3 WHEN 0 THEN 'PARTNER' WHEN 1 THEN 'EXPERT' ELSE 'PROFESSIONAL' END,
           'ADVANCE', '2025-12-01', '2025-12-01'
      FROM generate_series(1, ${partners}) i`);
  await client.query(`
    INSERT INTO partner_specializations (partner_id, specialization, level, active_from)
    SELECT id, (ARRAY['INFRA_DEVOPS','DATA_PLATFORM','SECURITY','ML_AI'])[1 + (row_number() OVER ()) % 4], level, '2025-12-01'
      FROM partners WHERE level <> 'PARTNER'`);
  await client.query(`
    INSERT INTO customers (id, partner_id, name, inn, billing_account_id, status, linked_at, created_at)
    SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(j), 12, '0'))::uuid,
           ('00000000-0000-4000-8000-' || lpad(to_hex(1 + (j - 1) / ${SUBACCOUNTS_PER_PARTNER}), 12, '0'))::uuid,
           'Customer ' || j, '5' || lpad(j::text, 9, '0'), 'sub-' || j, 'ACTIVE', '2025-12-01', '2025-12-01'
      FROM generate_series(1, ${subaccounts}) j`);
  await client.query(`
    INSERT INTO account_links (customer_id, partner_id, billing_account_id, linked_from)
    SELECT id, partner_id, billing_account_id, '2025-12-01' FROM customers`);
  // One ACTIVE deal per partner, activated mid-February on its first subaccount.
  await client.query(`
    INSERT INTO deals (partner_id, customer_inn, customer_name, target_monthly_consumption, procurement, description, status, bonus_rate, created_at, approved_at, link_deadline, activated_on)
    SELECT c.partner_id, c.inn, c.name, 50000, false, 'bench', 'ACTIVE', 0.05, '2026-02-01', '2026-02-01', '2026-04-01', '2026-02-15'
      FROM customers c WHERE (substring(c.billing_account_id from 5)::int - 1) % ${SUBACCOUNTS_PER_PARTNER} = 0`);
  await client.query(`
    INSERT INTO projects (partner_id, customer_inn, customer_name, customer_billing_account_id, scope, scope_id, target_monthly_consumption, description, status, rebate_rate, rebate_from, rebate_to, created_at, approved_at)
    SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(1 + (k - 1) % ${partners}), 12, '0'))::uuid, '3' || lpad(k::text, 9, '0'), 'Direct ' || k,
           'direct-' || k, 'CLOUD', 'cloud-direct-' || k, 40000, 'bench', 'APPROVED', 0.1, '2026-01', '2026-12', '2025-12-10', '2025-12-15'
      FROM generate_series(1, ${direct}) k`);

  // One partition per month (the server would have made them ahead), so the rows go straight to their month.
  for (const month of MONTHS) await client.query('SELECT ensure_consumption_partition($1::date)', [`${month}-01`]);
  // Consumption: every account × 6 services × every day of the three months, loaded without secondary indexes.
  const indexes: { indexdef: string; indexname: string }[] = (
    await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'consumption_records' AND indexname NOT LIKE 'PK_%'`)
  ).rows;
  for (const index of indexes) await client.query(`DROP INDEX "${index.indexname}"`);
  const accounts = `(SELECT 'sub-' || j AS a, 'cloud-sub-' || j AS cloud FROM generate_series(1, ${subaccounts}) j
                     UNION ALL SELECT 'own-' || i, 'cloud-own-' || i FROM generate_series(1, ${partners}) i
                     UNION ALL SELECT 'direct-' || k, 'cloud-direct-' || k FROM generate_series(1, ${direct}) k)`;
  for (const month of MONTHS) {
    await timed(`generate consumption ${month}`, () =>
      client.query(`
        INSERT INTO consumption_records (billing_account_id, date, service_id, cloud_id, folder_id, cost, grant_credit, source)
        SELECT acc.a, d::date, s.service, acc.cloud, acc.cloud || '-f', round((random() * 900 + 50)::numeric, 6), 0, 'API'
          FROM ${accounts} acc
         CROSS JOIN generate_series('${month}-01'::date, ('${month}-01'::date + interval '1 month' - interval '1 day'), interval '1 day') d
         CROSS JOIN unnest(ARRAY[${SERVICES.map((s) => `'${s}'`).join(',')}]) AS s(service)`),
    );
  }
  // pg_indexes shows a partitioned table's index as `ON ONLY`, which would make an empty parent index: build it on
  // every partition.
  for (const index of indexes) await timed(`index ${index.indexname}`, () => client.query(index.indexdef.replace(' ON ONLY ', ' ON ')));
  await timed('vacuum analyze', () => client.query('VACUUM ANALYZE'));
  return Number((await client.query('SELECT count(*) AS n FROM consumption_records')).rows[0].n);
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** The open month's invoice preview of every partner, 50 partners a request, one after another; returns the count. */
async function previewAll(apiUrl: string, month: string): Promise<number> {
  let after: string | null = null;
  let invoices = 0;
  for (;;) {
    const data = await gql(
      apiUrl,
      'query($m: Month!, $after: String) { partners(first: 50, after: $after) { edges { node { invoice(month: $m) { payable isFinal } } } pageInfo { hasNextPage endCursor } } }',
      { m: month, after },
    );
    const page = data.partners as { edges: { node: { invoice: { isFinal: boolean } | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    invoices += page.edges.filter((e) => e.node.invoice && !e.node.invoice.isFinal).length;
    if (!page.pageInfo.hasNextPage) return invoices;
    after = page.pageInfo.endCursor;
  }
}

async function closeAt(scale: number): Promise<Record<string, unknown>> {
  const db = await startBenchDatabase('pp-bench-close-');
  const url = db.url;
  let api: ChildProcess | null = null;
  try {
    const client = new Client({ connectionString: url });
    client.on('error', () => undefined); // the server stops in `finally`; errors surface through the queries
    await client.connect();
    const records = await generate(client, Math.round(DEFAULT_PARTNERS * scale), Math.round(DEFAULT_DIRECT * scale));
    log(`${records} consumption records`);

    const port = await freePort();
    api = spawn(process.execPath, [...(process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? []), path.join(__dirname, '..', 'src', 'main.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'production', // as `npm start` runs it
        DATABASE_URL: url,
        PORT: String(port),
        ADMIN_TOKEN,
        CLOCK: 'manual',
        CLOCK_START: '2026-04-02T09:00:00Z',
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        RATE_LIMIT_ADMIN: '999999999', // the previews page through every partner
      },
      stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
    });
    const apiUrl = `http://127.0.0.1:${port}/graphql`;
    for (let i = 0; ; i++) {
      try {
        await gql(apiUrl, '{ now }');
        break;
      } catch {
        if (i > 100) throw new Error('API did not start');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const close = (month: string) =>
      gql(
        apiUrl,
        'mutation($m: Month!) { closeBillingMonth(input: { month: $m }) { month invoicesFinalized rebateEntriesCreated userErrors { code message } } }',
        { m: month },
      );
    for (const month of MONTHS.slice(0, 2)) await timed(`close ${month}`, () => close(month));

    const third = MONTHS[2];
    // The hand-written aggregate, run as the close runs its own: one transaction with the close's work_mem and
    // parallelism (CLOSE_PARALLEL_WORKERS, serial by default) — the honest limit — and, for reference, with
    // PostgreSQL's default parallelism (what an ad-hoc query on an idle server gets).
    const handWritten = async (workers: number | null) => {
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL work_mem = '128MB'`);
        if (workers !== null) await client.query(`SET LOCAL max_parallel_workers_per_gather = ${workers}`);
        return await client.query(
          `SELECT billing_account_id, service_id, sum(cost) AS cost, sum(grant_credit) AS grant_credit
             FROM consumption_records WHERE date >= $1 AND date < $2 GROUP BY billing_account_id, service_id`,
          [`${third}-01`, '2026-04-01'],
        );
      } finally {
        await client.query('COMMIT');
      }
    };
    const closeWorkers = Number(process.env.CLOSE_PARALLEL_WORKERS?.trim() || '0');
    const aggregate = await timed(`hand-written aggregate ${third} (${closeWorkers} parallel workers, as the close)`, () => handWritten(closeWorkers));
    const parallelAggregate = await timed(`hand-written aggregate ${third} (default parallelism)`, () => handWritten(null));
    const preview = await timed(`invoice preview of every partner, ${third}`, () =>
      previewAll(apiUrl, third).catch((error: Error) => {
        log(`preview failed: ${error.message.slice(0, 500)}`);
        return 0;
      }),
    );
    const closed = await timed(`closeBillingMonth ${third}`, () => close(third));
    const monthRecords = Number(
      (await client.query(`SELECT count(*) AS n FROM consumption_records WHERE date >= $1 AND date < '2026-04-01'`, [`${third}-01`])).rows[0].n,
    );
    const rss = peakRssMb(api.pid!);
    await client.end();

    const ratio = closed.ms / aggregate.ms;
    const parallelRatio = closed.ms / parallelAggregate.ms;
    const result = {
      scale,
      records,
      monthRecords,
      aggregateRows: aggregate.value.rowCount,
      closeSeconds: +(closed.ms / 1000).toFixed(2),
      aggregateSeconds: +(aggregate.ms / 1000).toFixed(2),
      aggregateParallelWorkers: closeWorkers,
      ratio: +ratio.toFixed(2),
      parallelAggregateSeconds: +(parallelAggregate.ms / 1000).toFixed(2),
      ratioToParallelAggregate: +parallelRatio.toFixed(2),
      apiPeakRssMb: rss,
      close: closed.value.closeBillingMonth,
      closeSecondsPerMillion: +(closed.ms / 1000 / (monthRecords / 1e6)).toFixed(3),
      previewSeconds: +(preview.ms / 1000).toFixed(2),
      previewSecondsPerMillion: +(preview.ms / 1000 / (monthRecords / 1e6)).toFixed(3),
      previewInvoices: preview.value,
      goals: { closeWithin1_25xAggregate: ratio <= 1.25, rssWithin400Mb: rss <= 400 },
    };
    console.log(
      `\n${scale}×: close of ${third} (${monthRecords} records): ${result.closeSeconds} s = ${result.closeSecondsPerMillion} s per million | preview of every partner: ${result.previewSeconds} s = ${result.previewSecondsPerMillion} s per million | aggregate at the close's parallelism: ${result.aggregateSeconds} s, ratio ${result.ratio} (goal ≤ 1.25) | parallel aggregate: ${result.parallelAggregateSeconds} s, ratio ${result.ratioToParallelAggregate} | API peak RSS ${rss} MB`,
    );
    console.log(JSON.stringify(result));
    return result;
  } finally {
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => api!.once('exit', r));
    }
    await db.dispose();
  }
}

async function main(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  for (const scale of SCALES) results.push(await closeAt(scale));
  if (results.length > 1) {
    const perMillion = results.map((r) => r.closeSecondsPerMillion as number);
    const spread = Math.max(...perMillion) / Math.min(...perMillion) - 1;
    console.log(
      `\nclose seconds per million records at ${SCALES.join('×, ')}×: ${perMillion.join(', ')} — spread ${(100 * spread).toFixed(1)} % (goal ≤ 20 %)`,
    );
    const goals = { flatWithin20Percent: spread <= 0.2 };
    console.log(JSON.stringify({ scales: SCALES, closeSecondsPerMillion: perMillion, spread: +spread.toFixed(3), goals }));
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

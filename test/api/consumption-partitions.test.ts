// Consumption partitioned by month (SPEC §24): partitions made ahead, the close and the preview reading one
// partition, early rows moved out of the default partition, the conversion migration losing nothing, and the
// archive of a closed month (its invoices still read, ingestion refused as MONTH_CLOSED).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateProjectUsage, aggregateSegmentSums, segmentsByAccount, segmentsOfMonth, serviceInfo } from '../../src/modules/billing/billing.queries';
import { monthPricingStatement } from '../../src/modules/billing/close-sql';
import { Dec } from '../../src/shared/money';
import { ArchiveError, archiveMonth, ensurePartitions, listPartitions, monthsAround } from '../../src/modules/consumption/partitions';
import { migrations } from '../../migrations';
import { closeMonth, createSubaccount, recordUsage, type Subaccount } from '../support/billing-fixtures';
import { activePartner, type TestPartner } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';
import type { EntityManager, MigrationInterface } from 'typeorm';

let t: TestApp;
let partner: TestPartner;
let whole: Subaccount;
let late: Subaccount;

const invoiceQuery =
  'query($id: ID!, $month: Month!) { partner(id: $id) { invoice(month: $month) { isFinal totalCost payable lines { billingAccountId serviceId cost } } } }';

beforeAll(async () => {
  t = await setupTestApp({ now: '2025-12-20T09:00:00Z' });
  partner = await activePartner(t);
  whole = await createSubaccount(t, partner, { accept: false });
  late = await createSubaccount(t, partner, { accept: false });
  await t.advanceTo('2026-01-01T06:00:00Z');
  await t.ok('mutation($id: ID!) { acceptSubaccountInvitation(input: { customerId: $id }) { userErrors { code } } }', { id: whole.id });
  await t.advanceTo('2026-01-10T06:00:00Z');
  await t.ok('mutation($id: ID!) { acceptSubaccountInvitation(input: { customerId: $id }) { userErrors { code } } }', { id: late.id });
  await t.advanceTo('2026-03-02T06:00:00Z');
  const usage = (sub: Subaccount, dates: string[]) =>
    dates.map((date) => ({ billingAccountId: sub.billingAccountId, date, serviceId: 'compute', cost: '100.25' }));
  await recordUsage(t, [...usage(whole, ['2025-12-28', '2026-01-05', '2026-01-20', '2026-02-03']), ...usage(late, ['2026-01-05', '2026-01-15', '2026-02-10'])]);
});

afterAll(async () => {
  await t?.close();
});

/** Relations a query's plan reads (EXPLAIN, planned with the parameters as the real query is). */
async function relationsRead(manager: EntityManager, sql: string, params: unknown[]): Promise<string[]> {
  const [row] = await manager.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const names = new Set<string>();
  const walk = (node: Record<string, unknown>) => {
    if (typeof node['Relation Name'] === 'string') names.add(node['Relation Name'] as string);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((row['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0].Plan);
  return [...names].filter((n) => n.startsWith('consumption_records')).sort();
}

/** Runs `run` with a manager/client whose consumption queries are EXPLAINed as well; returns what each read. */
type QueryClient = { query: (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }> };

async function consumptionReads(run: (manager: EntityManager, client: QueryClient) => Promise<unknown>): Promise<string[][]> {
  const reads: string[][] = [];
  const manager = t.app.ds.manager;
  const spy = new Proxy(manager, {
    get(target, key, receiver) {
      if (key !== 'query') return Reflect.get(target, key, receiver);
      return async (sql: string, params: unknown[] = []) => {
        if (/consumption_(records|attribution)/.test(sql)) reads.push(await relationsRead(manager, sql, params));
        return manager.query(sql, params);
      };
    },
  });
  const client = { query: async (sql: string, params: unknown[]) => ({ rows: await spy.query(sql, params) }) };
  await run(spy, client);
  return reads;
}

describe('consumption partitions', () => {
  it('are made ahead around today, and early rows move from the default partition into their month', async () => {
    const months = (await listPartitions(t.app.ds)).map((p) => p.month);
    expect(months).toEqual(expect.arrayContaining(monthsAround('2026-03-02')));
    expect(months).toEqual(expect.arrayContaining(['2025-12', '2026-01', '2026-02']));
    // A month nobody made yet: its rows wait in the default partition until its partition is made.
    await t.app.ds.query(`DROP TABLE IF EXISTS consumption_records_2025_06`);
    await recordUsage(t, [{ billingAccountId: whole.billingAccountId, date: '2025-06-15', serviceId: 'compute', cost: '5' }]);
    const [{ n: waiting }] = await t.app.ds.query(`SELECT count(*)::int AS n FROM consumption_records_default`);
    expect(waiting).toBe(1);
    await ensurePartitions(t.app.ds, ['2025-06']);
    const [{ n: left }] = await t.app.ds.query(`SELECT count(*)::int AS n FROM consumption_records_default`);
    const [{ n: moved }] = await t.app.ds.query(`SELECT count(*)::int AS n FROM consumption_records_2025_06`);
    expect([left, moved]).toEqual([0, 1]);
  });

  it("the close's and the preview's aggregates read only the month's partition", async () => {
    const reads = await consumptionReads(async (manager, client) => {
      await aggregateSegmentSums(manager, '2026-01-01', '2026-02-01');
      await aggregateSegmentSums(manager, '2026-01-01', '2026-02-01', partner.id); // the preview of one partner
      await aggregateProjectUsage(client as never, '2026-01-01', '2026-02-01', '2026-01');
    });
    expect(reads.length).toBeGreaterThanOrEqual(4); // whole-month accounts, split accounts, for the close and the preview
    for (const read of reads) expect(read).toEqual(['consumption_records_2026_01']);
  });

  it("the close's pricing statement reads only the month's partition, for whole and split accounts", async () => {
    const manager = t.app.ds.manager;
    const [from, to] = ['2026-01-01', '2026-02-01'];
    const segments = await segmentsOfMonth(manager, from, to, null);
    expect(segmentsByAccount(segments, from, to).split.length).toBeGreaterThan(0);
    const services = await serviceInfo(manager);
    const input = {
      month: '2026-01',
      from,
      to,
      closedAt: new Date(),
      baseRate: new Dec('0.1'),
      segments,
      services,
      bonus: new Map(),
      exited: new Set<string>(),
      usage: [],
    };
    const { sql, params } = monthPricingStatement(input);
    expect(await relationsRead(manager, sql, params)).toEqual(['consumption_records_2026_01']);
  });

  it('archives a closed month: detached, its invoice still reads, ingestion into it is MONTH_CLOSED', async () => {
    await expect(archiveMonth(t.app.ds, '2026-01')).rejects.toThrow(ArchiveError); // not closed yet
    expect((await closeMonth(t, '2025-12')).userErrors).toEqual([]);
    expect((await closeMonth(t, '2026-01')).userErrors).toEqual([]);
    const before = (await t.ok(invoiceQuery, { id: partner.id, month: '2026-01' })).partner.invoice;
    expect(before.isFinal).toBe(true);
    expect(before.totalCost).toBe('300.75'); // the late subaccount's 01-05 record is before its link

    const archived = await archiveMonth(t.app.ds, '2026-01');
    expect(archived).toEqual({ month: '2026-01', table: 'consumption_records_2026_01', records: 4 });
    expect((await listPartitions(t.app.ds)).map((p) => p.month)).not.toContain('2026-01');
    const [{ n }] = await t.app.ds.query(`SELECT count(*)::int AS n FROM consumption_records WHERE date >= '2026-01-01' AND date < '2026-02-01'`);
    expect(n).toBe(0);
    const [{ kept }] = await t.app.ds.query(`SELECT count(*)::int AS kept FROM consumption_records_2026_01`);
    expect(kept).toBe(4); // detached, not dropped: the operator dumps it

    expect((await t.ok(invoiceQuery, { id: partner.id, month: '2026-01' })).partner.invoice).toEqual(before);
    const refused = await t.ok('mutation($input: RecordConsumptionInput!) { recordConsumption(input: $input) { accepted userErrors { code } } }', {
      input: {
        batchId: 'after-archive',
        records: [
          { billingAccountId: whole.billingAccountId, date: '2026-01-07', serviceId: 'compute', cloudId: 'c', folderId: 'f', cost: '1', grantCredit: '0' },
        ],
      },
    });
    expect(refused.recordConsumption.userErrors.map((e: { code: string }) => e.code)).toContain('MONTH_CLOSED');
    await expect(archiveMonth(t.app.ds, '2026-01')).rejects.toThrow(/no attached consumption partition/);
    await expect(archiveMonth(t.app.ds, '2026-13')).rejects.toThrow(ArchiveError);
    // The keeper never makes an archived month's partition again.
    expect(await ensurePartitions(t.app.ds, ['2026-01'])).toEqual([]);
  });

  it('the conversion migration keeps every record (ids, amounts, months) when run over existing data', async () => {
    const Migration = migrations.find((m) => m.name.startsWith('ConsumptionPartitions')) as new () => MigrationInterface;
    const digest = `SELECT count(*)::int AS n, sum(id)::text AS ids, sum(cost)::text AS cost, string_agg(DISTINCT to_char(date, 'YYYY-MM'), ',' ORDER BY to_char(date, 'YYYY-MM')) AS months FROM consumption_records`;
    const runner = t.app.ds.createQueryRunner();
    try {
      await runner.startTransaction();
      const [before] = await runner.query(digest);
      await new Migration().down(runner); // back to one table, then partitioned again
      const [unpartitioned] = await runner.query(digest);
      await new Migration().up(runner);
      const [after] = await runner.query(digest);
      expect(unpartitioned).toEqual(before);
      expect(after).toEqual(before);
      expect(before.n).toBeGreaterThan(0);
      const [{ kind }] = await runner.query(`SELECT relkind AS kind FROM pg_class WHERE relname = 'consumption_records'`);
      expect(kind).toBe('p');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoLogin } from '../../src/demo/demo';
import { DemoClosedMonthsDocument, DemoPartnersDocument, DemoViewerStoryDocument, DemoWorkQueuesDocument } from '../generated/graphql';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let login: DemoLogin;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
  login = await seedDemo(t.app);
});
afterAll(() => t.close());

const statuses = async (table: string): Promise<string[]> =>
  (await t.app.ds.query(`SELECT DISTINCT status FROM ${table} ORDER BY status`)).map((r: { status: string }) => r.status);

describe('demo data', () => {
  it('has deals, projects and presale requests in every status', async () => {
    expect(await statuses('deals')).toEqual(['ACTIVE', 'APPROVED', 'ENDED', 'EXPIRED', 'REJECTED', 'SUBMITTED']);
    expect(await statuses('projects')).toEqual(['APPROVED', 'COMPLETED', 'REJECTED', 'SUBMITTED']);
    expect(await statuses('presale_requests')).toEqual(['CANCELLED', 'COMPLETED', 'DECLINED', 'IN_PROGRESS', 'NEW']);
  });

  it('is readable through the API, the work queues included', async () => {
    const data = await t.ok(DemoWorkQueuesDocument);
    expect(data.deals.totalCount).toBeGreaterThanOrEqual(8);
    const active = data.deals.edges.map((e) => e.node).filter((d) => d.status === 'ACTIVE');
    expect(active.every((d) => d.customer?.activeDeal)).toBe(true);
    expect(data.projects.edges.some((e) => e.node.status === 'COMPLETED' && e.node.rebateTo === '2026-02')).toBe(true);
    expect(data.presaleRequests.totalCount).toBeGreaterThanOrEqual(6);
  });

  it('has closed months with final invoices, the partner bonus and rebates', async () => {
    const [northwind] = await t.app.ds.query(`SELECT id FROM partners WHERE name = 'Northwind Cloud LLC'`);
    const data = await t.ok(DemoClosedMonthsDocument, { id: northwind.id });
    expect(data.partner!.invoice!.isFinal).toBe(true);
    expect(data.partner!.invoice!.discount).not.toBe('0.00');
    expect(data.partner!.invoice!.lines.some((l) => l.exclusion === 'PARTNER_OWN')).toBe(true);
    expect(data.partner!.invoice!.lines.some((l) => l.exclusion === 'EXCLUDED_SERVICE')).toBe(true);
    expect(data.partner!.current!.isFinal).toBe(false);
    const kinds = data.partner!.rebateLedger.edges.map((e) => `${e.node.kind}:${e.node.period}`);
    expect(kinds).toContain('PROJECT_REBATE:2026-02');
    expect(kinds).toContain('SPECIALIZATION_REBATE:2025-Q4');
  });

  it("tells a story with every partner: the printed token's partner has invoices, deals, presales, rebates and withdrawals", async () => {
    const mine = await t.ok(DemoViewerStoryDocument, {}, login.ownerToken);
    const partner = mine.viewer.partner!;
    expect(partner.name).toBe('Cloud Works LLC');
    expect(partner.invoice!.isFinal).toBe(true);
    expect(Number(partner.invoice!.totalCost)).toBeGreaterThan(0);
    expect(new Set(partner.invoice!.lines.map((l) => l.customer?.name))).toEqual(new Set(['Northwind Retail LLC', 'City Hospital No. 7']));
    expect(partner.deals.totalCount).toBeGreaterThanOrEqual(7);
    expect(partner.presaleRequests.totalCount).toBeGreaterThanOrEqual(5);
    expect(partner.withdrawals.edges.map((e) => e.node.status).sort()).toEqual(['APPLIED', 'PAID', 'PENDING', 'REJECTED']);
    expect(partner.rebateLedger.totalCount).toBeGreaterThan(0);

    const all = await t.ok(DemoPartnersDocument);
    const byName = Object.fromEntries(all.partners.edges.map((e) => [e.node.name, e.node]));
    const kinds = (name: string) => byName[name].rebateLedger.edges.map((e) => e.node.kind);
    expect(byName['Data Peak JSC'].projects.totalCount).toBe(4);
    expect(kinds('Data Peak JSC')).toContain('PROJECT_REBATE'); // its approved project consumed over the history
    expect(byName['Northwind Cloud LLC'].invoice!.isFinal).toBe(true);
    expect(byName['Newcomer Systems LLC'].status).toBe('PENDING_REVIEW');
    expect(byName['Shady Reseller LLC'].status).toBe('REJECTED');
    expect(byName['Sunset Integrator LLC']).toMatchObject({ status: 'QUITTING', withdrawals: { totalCount: 1 } });
    expect(byName['Broken Promise LLC']).toMatchObject({ status: 'REVOKED', projects: { totalCount: 1 }, withdrawals: { totalCount: 1 } });
  });

  it('keeps the time rules idempotent: the scheduler finds nothing left to do', async () => {
    expect(await t.app.scheduler.runDue()).toBe(0);
  });
});

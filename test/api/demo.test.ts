import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/demo';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
  await seedDemo(t.app);
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
    const data = await t.ok(`{
      deals(first: 100) { totalCount edges { node { status customer { status activeDeal { id } } partner { name } } } }
      projects(first: 100) { totalCount edges { node { status rebateFrom rebateTo rebateAccrued } } }
      presaleRequests(first: 100) { totalCount edges { node { status overdue deal { status } } } }
    }`);
    expect(data.deals.totalCount).toBeGreaterThanOrEqual(8);
    const active = data.deals.edges.map((e: any) => e.node).filter((d: any) => d.status === 'ACTIVE');
    expect(active.every((d: any) => d.customer?.activeDeal)).toBe(true);
    expect(data.projects.edges.some((e: any) => e.node.status === 'COMPLETED' && e.node.rebateTo === '2026-02')).toBe(true);
    expect(data.presaleRequests.totalCount).toBeGreaterThanOrEqual(6);
  });

  it('has closed months with final invoices, the partner bonus and rebates', async () => {
    const [northwind] = await t.app.ds.query(`SELECT id FROM partners WHERE name = 'Northwind Cloud LLC'`);
    const data = await t.ok(`query($id: ID!) {
      partner(id: $id) {
        invoice(month: "2026-02") { isFinal totalCost discount lines { exclusion } }
        bonus(month: "2026-02") { absolute relative }
        current: invoice(month: "2026-03") { isFinal }
        rebateLedger(first: 50) { edges { node { kind period amount } } }
      }
    }`, { id: northwind.id });
    expect(data.partner.invoice.isFinal).toBe(true);
    expect(data.partner.invoice.discount).not.toBe('0.00');
    expect(data.partner.invoice.lines.some((l: any) => l.exclusion === 'PARTNER_OWN')).toBe(true);
    expect(data.partner.invoice.lines.some((l: any) => l.exclusion === 'EXCLUDED_SERVICE')).toBe(true);
    expect(data.partner.current.isFinal).toBe(false);
    const kinds = data.partner.rebateLedger.edges.map((e: any) => `${e.node.kind}:${e.node.period}`);
    expect(kinds).toContain('PROJECT_REBATE:2026-02');
    expect(kinds).toContain('SPECIALIZATION_REBATE:2025-Q4');
  });

  it('keeps the time rules idempotent: the scheduler finds nothing left to do', async () => {
    expect(await t.app.scheduler.runDue()).toBe(0);
  });
});

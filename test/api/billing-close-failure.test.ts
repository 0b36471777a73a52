// A month close that fails part-way (the pricing statement fails in PostgreSQL, a step throws after PostgreSQL has
// written every invoice line, or the project-usage query fails) writes nothing, leaves the connections usable, and
// the next close of the month succeeds with every line.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dec } from '../../src/shared/money';
import { activePartner, type TestPartner } from '../support/factories';
import { closeMonth } from '../support/billing-fixtures';
import { setupTestApp, type TestApp } from '../support/test-app';

const failure = vi.hoisted(() => ({ inStatement: false, afterLines: false, linesWritten: 0, usage: false }));

// The project-usage aggregate fails in PostgreSQL (aborting the transaction) before the lines are priced.
vi.mock('../../src/modules/billing/billing.queries', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/modules/billing/billing.queries')>();
  return {
    ...actual,
    aggregateProjectUsage: (client: Parameters<typeof actual.aggregateProjectUsage>[0], ...rest: [string, string, string]) =>
      failure.usage ? client.query('SELECT 1 / 0').then((): never[] => []) : actual.aggregateProjectUsage(client, ...rest),
  };
});

// The pricing statement fails in PostgreSQL, or the close throws right after PostgreSQL wrote the month's lines.
vi.mock('../../src/modules/billing/close-sql', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/modules/billing/close-sql')>();
  return {
    ...actual,
    priceMonthInSql: async (...args: Parameters<typeof actual.priceMonthInSql>) => {
      const [manager, input] = args;
      if (failure.inStatement) {
        const { sql, params } = actual.monthPricingStatement(input);
        // A division by zero on the first invoice row, at run time (not at planning).
        await manager.query(sql.replace('FROM totals ORDER BY partner_id', 'FROM totals WHERE 1 / (length(partner_id::text) - 36) = 1'), params);
      }
      const priced = await actual.priceMonthInSql(manager, input);
      if (failure.afterLines) {
        failure.linesWritten = Number((await manager.query(`SELECT count(*) AS n FROM invoice_lines`))[0].n);
        throw new Error('injected failure after the lines were stored');
      }
      return priced;
    },
  };
});

const ACCOUNTS = 250;

describe('a month close failing half-way', () => {
  let t: TestApp;
  const partners: TestPartner[] = [];
  let perPartner: number;

  beforeAll(async () => {
    t = await setupTestApp({ now: '2026-01-01T09:00:00Z' });
    // Three partners, each with 250 linked subaccounts and one record per service.
    for (let i = 0; i < 3; i++) partners.push(await activePartner(t));
    for (const [i, p] of partners.entries()) {
      await t.app.ds.query(
        `INSERT INTO customers (id, partner_id, name, inn, billing_account_id, status, linked_at, created_at)
         SELECT gen_random_uuid(), $1, 'Customer ' || j, '4' || $2 || lpad(j::text, 8, '0'), 'chunked-' || $2 || '-' || j, 'ACTIVE', '2026-01-01', '2026-01-01'
           FROM generate_series(1, ${ACCOUNTS}) j`,
        [p.id, String(i)],
      );
    }
    await t.app.ds.query(
      `INSERT INTO account_links (customer_id, partner_id, billing_account_id, linked_from) SELECT id, partner_id, billing_account_id, '2026-01-01' FROM customers`,
    );
    await t.app.ds.query(
      `INSERT INTO consumption_records (billing_account_id, date, service_id, cloud_id, folder_id, cost, grant_credit, source)
       SELECT c.billing_account_id, '2026-01-15', s.id, 'cloud-1', 'folder-1', 100.005, 0, 'API' FROM customers c CROSS JOIN services s`,
    );
    perPartner = ACCOUNTS * Number((await t.app.ds.query(`SELECT count(*) AS n FROM services`))[0].n);
    await t.advanceTo('2026-02-02T09:00:00Z');
  });

  afterAll(async () => {
    await t?.close();
  });

  const count = async (sql: string) => Number((await t.app.ds.query(sql))[0].n);
  async function expectFailedClose(): Promise<void> {
    const failed = await t.gql('mutation { closeBillingMonth(input: { month: "2026-01" }) { month userErrors { code } } }');
    expect(failed.errors?.length).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM billing_months`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM invoices`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM invoice_lines`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM specialization_months`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM events WHERE type = 'INVOICE_FINALIZED'`)).toBe(0);
    // Every pooled connection answers afterwards (none is left in COPY mode or in an aborted transaction).
    await Promise.all(Array.from({ length: 12 }, () => t.app.ds.query('SELECT 1')));
  }

  it('writes nothing when the pricing statement fails in PostgreSQL', async () => {
    failure.inStatement = true;
    try {
      await expectFailedClose();
    } finally {
      failure.inStatement = false;
    }
  });

  it('writes nothing when the project-usage query fails', async () => {
    failure.usage = true;
    try {
      await expectFailedClose();
    } finally {
      failure.usage = false;
    }
  });

  it('writes nothing when the close fails after PostgreSQL stored every line, then closes normally', async () => {
    failure.afterLines = true;
    await expectFailedClose();
    expect(failure.linesWritten).toBe(3 * perPartner); // the lines were in the transaction when it failed

    failure.afterLines = false;
    const closed = await closeMonth(t, '2026-01');
    expect(closed).toMatchObject({ month: '2026-01', invoicesFinalized: 3, userErrors: [] });
    for (const p of partners) {
      const [stored] = await t.app.ds.query(
        `SELECT count(*) AS n, sum(cost)::text AS cost, max(line_no) AS last FROM invoice_lines WHERE partner_id = $1 AND month = '2026-01'`,
        [p.id],
      );
      expect(Number(stored.n)).toBe(perPartner);
      expect(stored.last).toBe(perPartner);
      // Each line: 100.005 rounds half-up to 100.01.
      expect(stored.cost).toBe(dec('100.01').times(perPartner).toFixed(2));
      const [invoice] = await t.app.ds.query(`SELECT total_cost::text AS total FROM invoices WHERE partner_id = $1 AND month = '2026-01'`, [p.id]);
      expect(dec(invoice.total).eq(stored.cost)).toBe(true);
    }
  });
});

// Referential integrity in the database (SPEC §24): every reference is a foreign key, and the migration that adds
// them refuses to run over existing orphans instead of silently keeping or dropping them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForeignKeys1796146825270 } from '../../migrations/1796146825270-ForeignKeys';
import { activePartner } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await setupTestApp();
});

afterAll(async () => {
  await t?.close();
});

const refusal = (promise: Promise<unknown>): Promise<{ code?: string; constraint?: string } | null> =>
  promise.then(
    (): null => null,
    (error: { code?: string; constraint?: string }) => ({ code: error.code, constraint: error.constraint }),
  );

describe('foreign keys', () => {
  it('refuses rows that point at a partner, subaccount, deal, project or withdrawal that does not exist', async () => {
    const partner = await activePartner(t);
    const missing = randomUUID();
    const q = (sql: string, params: unknown[]) => refusal(t.app.ds.query(sql, params));
    expect(
      await q(
        `INSERT INTO withdrawals (id, partner_id, amount, destination, status, idempotency_key, created_at) VALUES (gen_random_uuid(), $1, 1, 'BANK_ACCOUNT', 'PENDING', 'k', now())`,
        [missing],
      ),
    ).toEqual({ code: '23503', constraint: 'fk_withdrawals_partner_id' });
    expect(
      await q(
        `INSERT INTO customers (partner_id, name, inn, billing_account_id, status, created_at) VALUES ($1, 'x', '7707083893', 'ba-orphan', 'ACTIVE', now())`,
        [missing],
      ),
    ).toEqual({ code: '23503', constraint: 'fk_customers_partner_id' });
    expect(
      await q(`INSERT INTO account_links (customer_id, partner_id, billing_account_id, linked_from) VALUES ($1, $2, 'ba-orphan', '2026-01-01')`, [
        missing,
        partner.id,
      ]),
    ).toEqual({ code: '23503', constraint: 'fk_account_links_customer_id' });
    expect(
      await q(
        `INSERT INTO presale_requests (partner_id, customer_name, deal_id, products, description, status, created_at, respond_by) VALUES ($1, 'x', $2, '{}', 'x', 'NEW', now(), '2026-02-01')`,
        [partner.id, missing],
      ),
    ).toEqual({ code: '23503', constraint: 'fk_presale_requests_deal_id' });
    expect(
      await q(`INSERT INTO events (sequence, partner_id, type, entity_id, occurred_at) VALUES (1000000000, $1, 'DEAL_STATUS_CHANGED', 'x', now())`, [missing]),
    ).toEqual({ code: '23503', constraint: 'fk_events_partner_id' });
    // A referenced partner cannot be deleted from under its rows either.
    expect(await q('DELETE FROM partners WHERE id = $1', [partner.id])).toMatchObject({ code: '23503' });
  });

  it('lists every constraint it expects: one per reference column', async () => {
    const rows: { name: string }[] = await t.app.ds.query(`SELECT conname AS name FROM pg_constraint WHERE contype = 'f' AND convalidated ORDER BY conname`);
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'fk_ledger_entries_partner_id',
        'fk_ledger_entries_withdrawal_id',
        'fk_invoice_lines_customer_id',
        'fk_api_tokens_partner_id',
        'fk_presale_requests_project_id',
      ]),
    );
    expect(rows.length).toBeGreaterThanOrEqual(20);
  });

  it('the migration validates existing data: it stops on an orphan, naming it, and adds nothing', async () => {
    const migration = new ForeignKeys1796146825270();
    const runner = t.app.ds.createQueryRunner();
    try {
      await runner.startTransaction();
      await migration.down(runner);
      const orphan = randomUUID();
      await runner.query(
        `INSERT INTO withdrawals (id, partner_id, amount, destination, status, idempotency_key, created_at) VALUES (gen_random_uuid(), $1, 1, 'BANK_ACCOUNT', 'PENDING', 'k', now())`,
        [orphan],
      );
      await expect(migration.up(runner)).rejects.toThrow(`withdrawals.partner_id: 1 row(s) name a missing partners (e.g. ${orphan})`);
      // Keys made with tables or columns created after this migration (audit, webhooks) are not its business.
      const [{ n }] = await runner.query(
        `SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text NOT LIKE 'webhook\\_%'
            AND conname NOT IN ('fk_audit_entries_actor_token_id', 'fk_audit_entries_partner_id', 'fk_events_actor_token_id')`,
      );
      expect(n).toBe(0);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});

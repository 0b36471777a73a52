// The dataset of bench:dashboard, in the project's own schema: PARTNERS partners × 10 subaccounts, 30 % of the
// subaccounts with an ACTIVE deal (plus two rejected deals per partner), a ledger of 60 entries per partner (with
// their events), PENDING payouts for a tenth of the partners, a closed month whose invoices have 50 lines, and one
// PARTNER_VIEWER token per partner ("bench-partner-token-<i>").
import type { Client } from 'pg';

export const CUSTOMERS_PER_PARTNER = 10;
export const LEDGER_PER_PARTNER = 60;
export const LINES_PER_INVOICE = 50;
export const INVOICE_MONTH = '2026-01';
const SERVICES = ['compute', 'object-storage', 'managed-postgresql', 'kms', 'speechkit'];

export const partnerId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
export const partnerToken = (i: number) => `bench-partner-token-${i}`;
const PARTNER_ID = (expr: string) => `('00000000-0000-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;

async function partnersAndCustomers(client: Client, partners: number): Promise<void> {
  await client.query(`
    INSERT INTO partners (id, name, inn, own_billing_account_id, contact_email, status, level, payment_mode, created_at, active_from)
    SELECT ${PARTNER_ID('i')}, 'Partner ' || i, '7' || lpad(i::text, 9, '0'), 'own-' || i, 'p' || i || '@bench.example', 'ACTIVE',
           CASE i % 3 WHEN 0 THEN 'PARTNER' WHEN 1 THEN 'EXPERT' ELSE 'PROFESSIONAL' END, 'ADVANCE',
           '2025-06-01'::timestamptz + i * interval '1 second', '2025-06-01'
      FROM generate_series(1, ${partners}) i`);
  await client.query(`
    INSERT INTO api_tokens (token_hash, name, role, partner_id, created_at)
    SELECT encode(sha256(convert_to('bench-partner-token-' || i, 'UTF8')), 'hex'), 'bench', 'PARTNER_VIEWER', ${PARTNER_ID('i')}, '2025-06-01'
      FROM generate_series(1, ${partners}) i`);
  // Every fifth subaccount is SUSPENDED (still linked), every tenth one waits for acceptance (not linked).
  await client.query(`
    INSERT INTO customers (id, partner_id, name, inn, billing_account_id, status, linked_at, created_at)
    SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(j), 12, '0'))::uuid, ${PARTNER_ID(`1 + (j - 1) / ${CUSTOMERS_PER_PARTNER}`)},
           'Customer ' || j, '5' || lpad(j::text, 9, '0'), 'sub-' || j,
           CASE WHEN j % 10 = 0 THEN 'ACCEPTANCE_REQUIRED' WHEN j % 5 = 0 THEN 'SUSPENDED' ELSE 'ACTIVE' END,
           CASE WHEN j % 10 = 0 THEN NULL ELSE '2025-07-01'::timestamptz END, '2025-07-01'::timestamptz + j * interval '1 second'
      FROM generate_series(1, ${partners * CUSTOMERS_PER_PARTNER}) j`);
  await client.query(`
    INSERT INTO account_links (customer_id, partner_id, billing_account_id, linked_from)
    SELECT id, partner_id, billing_account_id, '2025-07-01' FROM customers WHERE status <> 'ACCEPTANCE_REQUIRED'`);
}

async function deals(client: Client, partners: number): Promise<void> {
  // 30 % of the subaccounts (the first three of each partner) have an ACTIVE deal.
  await client.query(`
    INSERT INTO deals (partner_id, customer_inn, customer_name, target_monthly_consumption, procurement, description, status, bonus_rate,
                       created_at, approved_at, link_deadline, activated_on)
    SELECT c.partner_id, c.inn, c.name, 50000, false, 'bench', 'ACTIVE', 0.03 + (substring(c.billing_account_id from 5)::int % 4) * 0.01,
           c.created_at, c.created_at, '2025-09-01', '2025-07-02'
      FROM customers c WHERE (substring(c.billing_account_id from 5)::int - 1) % ${CUSTOMERS_PER_PARTNER} < 3`);
  await client.query(`
    INSERT INTO deals (partner_id, customer_inn, customer_name, target_monthly_consumption, procurement, description, status, status_reason, created_at)
    SELECT ${PARTNER_ID('i')}, '4' || lpad((i * 2 + k)::text, 9, '0'), 'Prospect ' || (i * 2 + k), 30000, false, 'bench', 'REJECTED', 'bench',
           '2025-08-01'::timestamptz + (i * 2 + k) * interval '1 second'
      FROM generate_series(1, ${partners}) i, generate_series(0, 1) k`);
}

async function ledgers(client: Client, partners: number): Promise<void> {
  const base = Number((await client.query(`SELECT nextval('event_sequence') AS n`)).rows[0].n);
  await client.query(`
    CREATE TEMP TABLE bench_ledger AS
    SELECT gen_random_uuid() AS id, ${PARTNER_ID('i')} AS partner_id, ${base} + (k - 1) * ${partners} + i AS sequence,
           CASE WHEN k % 3 = 0 THEN 'ADJUSTMENT' ELSE 'PROJECT_REBATE' END AS kind, (10 + k % 7)::numeric + 0.25 AS amount,
           '2025-06-01'::timestamptz + k * interval '1 day' + i * interval '1 second' AS created_at, k
      FROM generate_series(1, ${partners}) i, generate_series(1, ${LEDGER_PER_PARTNER}) k`);
  await client.query(`
    INSERT INTO events (sequence, partner_id, type, entity_id, status, occurred_at)
    SELECT sequence, partner_id, 'LEDGER_ENTRY', id::text, NULL, created_at FROM bench_ledger ORDER BY sequence`);
  await client.query(`
    INSERT INTO ledger_entries (id, partner_id, kind, amount, balance_after, period, description, sequence, created_at)
    SELECT id, partner_id, kind, amount, sum(amount) OVER (PARTITION BY partner_id ORDER BY k), CASE WHEN kind = 'PROJECT_REBATE' THEN '2025-12' END,
           'bench entry ' || k, sequence, created_at
      FROM bench_ledger ORDER BY sequence`);
  await client.query(`SELECT setval('event_sequence', (SELECT max(sequence) FROM events))`);
  await client.query(`
    INSERT INTO withdrawals (partner_id, amount, destination, status, bank_bic, bank_account_number, idempotency_key, created_at)
    SELECT ${PARTNER_ID('i')}, 50, 'BANK_ACCOUNT', 'PENDING', '044525225', '40702810900000000001', 'bench-' || i, '2025-12-20'
      FROM generate_series(10, ${partners}, 10) i`);
}

async function invoices(client: Client, partners: number): Promise<void> {
  const services = `ARRAY[${SERVICES.map((s) => `'${s}'`).join(',')}]`;
  await client.query(`
    INSERT INTO invoice_lines (partner_id, month, line_no, billing_account_id, customer_id, service_id, cost, grant_credit, eligible,
                               bonus_rate, deal_bonus_rate, discount, payable, exclusion)
    SELECT c.partner_id, '${INVOICE_MONTH}', (c.n - 1) * ${SERVICES.length} + s.k, c.billing_account_id, c.id, s.service,
           round((100 + c.n * 10 + s.k)::numeric, 2), 0, round((100 + c.n * 10 + s.k)::numeric, 2), 0.1, 0,
           round((100 + c.n * 10 + s.k) * 0.1, 2), round((100 + c.n * 10 + s.k) * 0.9, 2), NULL
      FROM (SELECT id, partner_id, billing_account_id, row_number() OVER (PARTITION BY partner_id ORDER BY created_at, id) AS n FROM customers) c,
           unnest(${services}) WITH ORDINALITY AS s(service, k)
     WHERE c.n * ${SERVICES.length} <= ${LINES_PER_INVOICE}`);
  await client.query(`
    INSERT INTO invoices (partner_id, month, closed_at, total_cost, grant_credits, eligible_amount, discount, bonus_withdrawals_applied,
                          bonus_carried_over, payable, customer_cost)
    SELECT partner_id, month, '2026-02-01', sum(cost), 0, sum(eligible), sum(discount), 0, 0, sum(payable), sum(cost)
      FROM invoice_lines GROUP BY partner_id, month`);
  await client.query(`
    INSERT INTO billing_months (month, closed_at, invoices_finalized, rebate_entries_created) VALUES ('${INVOICE_MONTH}-01', '2026-02-01', ${partners}, 0)`);
}

export async function generateDashboardData(client: Client, partners: number): Promise<void> {
  await partnersAndCustomers(client, partners);
  await deals(client, partners);
  await ledgers(client, partners);
  await invoices(client, partners);
  await client.query('VACUUM ANALYZE');
}

/**
 * What PostGraphile needs to serve the same reads: relations by smart tags (where no foreign key declares them yet)
 * and computed columns for what is not a plain column (balance, pending payouts, active deal, a deal's customer).
 */
export async function preparePostGraphile(client: Client): Promise<void> {
  const relations: [table: string, columns: string, target: string][] = [
    ['customers', 'partner_id', 'partners (id)'],
    ['deals', 'partner_id', 'partners (id)'],
    ['ledger_entries', 'partner_id', 'partners (id)'],
    ['withdrawals', 'partner_id', 'partners (id)'],
    ['invoices', 'partner_id', 'partners (id)'],
    ['invoice_lines', 'partner_id, month', 'invoices (partner_id, month)'],
  ];
  const tags = new Map<string, string[]>();
  for (const [table, columns, target] of relations) {
    const existing = await client.query(
      `SELECT 1 FROM pg_constraint WHERE contype = 'f' AND conrelid = $1::regclass
          AND (SELECT array_agg(attname::text ORDER BY attname) FROM pg_attribute WHERE attrelid = conrelid AND attnum = ANY(conkey)) = $2::text[]`,
      [table, columns.split(', ').sort()],
    );
    if (existing.rowCount) continue;
    tags.set(table, [...(tags.get(table) ?? []), `@foreignKey (${columns}) references ${target}`]);
  }
  for (const [table, lines] of tags) await client.query(`COMMENT ON TABLE ${table} IS '${lines.join('\n')}'`);
  await client.query(`
    CREATE FUNCTION partners_rebate_available(p partners) RETURNS numeric LANGUAGE sql STABLE AS
      $$ SELECT coalesce((SELECT e.balance_after FROM ledger_entries e WHERE e.partner_id = p.id ORDER BY e.sequence DESC LIMIT 1), 0) $$;
    CREATE FUNCTION partners_pending_withdrawals(p partners) RETURNS numeric LANGUAGE sql STABLE AS
      $$ SELECT coalesce(sum(w.amount), 0) FROM withdrawals w WHERE w.partner_id = p.id AND w.status = 'PENDING' $$;
    CREATE FUNCTION customers_active_deal(c customers) RETURNS deals LANGUAGE sql STABLE AS
      $$ SELECT d.* FROM deals d WHERE d.partner_id = c.partner_id AND d.customer_inn = c.inn AND d.status = 'ACTIVE'
            AND c.status IN ('ACTIVE', 'SUSPENDED') LIMIT 1 $$;
    CREATE FUNCTION deals_customer(d deals) RETURNS customers LANGUAGE sql STABLE AS
      $$ SELECT c.* FROM customers c WHERE c.partner_id = d.partner_id AND c.inn = d.customer_inn
          ORDER BY c.status IN ('ACTIVE', 'SUSPENDED') DESC, c.created_at DESC, c.id DESC LIMIT 1 $$;`);
}

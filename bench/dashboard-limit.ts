// The limit of bench:dashboard: a tiny server over node:http that answers each query of the mix with one named,
// prepared SQL statement building the whole response as JSON in PostgreSQL. POST /<query> with {"id": "<partner>"}
// answers {"data": …} in the shape this API gives (no GraphQL, no authentication, no checks).
import http from 'node:http';
import { Pool } from 'pg';

export const LINKED = `('ACTIVE', 'SUSPENDED')`;

const SQL: Record<string, string> = {
  dashboard: `
    SELECT json_build_object('partner', json_build_object(
      'name', p.name, 'inn', p.inn, 'status', p.status, 'level', p.level,
      'rebateBalance', json_build_object(
        'available', coalesce((SELECT e.balance_after FROM ledger_entries e WHERE e.partner_id = p.id ORDER BY e.sequence DESC LIMIT 1), 0)::text,
        'pendingWithdrawals', coalesce((SELECT sum(w.amount) FROM withdrawals w WHERE w.partner_id = p.id AND w.status = 'PENDING'), 0)::text),
      'customers', json_build_object(
        'totalCount', (SELECT count(*) FROM customers c WHERE c.partner_id = p.id),
        'edges', coalesce((SELECT json_agg(json_build_object('node', json_build_object(
                     'name', c.name, 'inn', c.inn, 'billingAccountId', c.billing_account_id, 'status', c.status,
                     'activeDeal', (SELECT json_build_object('status', d.status, 'bonusRate', d.bonus_rate::text) FROM deals d
                                     WHERE d.partner_id = c.partner_id AND d.customer_inn = c.inn AND d.status = 'ACTIVE' AND c.status IN ${LINKED} LIMIT 1)))
                     ORDER BY c.created_at, c.id)
                   FROM (SELECT * FROM customers c WHERE c.partner_id = p.id ORDER BY c.created_at, c.id LIMIT 20) c), '[]'::json)),
      'deals', json_build_object(
        'totalCount', (SELECT count(*) FROM deals d WHERE d.partner_id = p.id),
        'edges', coalesce((SELECT json_agg(json_build_object('node', json_build_object('customerInn', d.customer_inn, 'status', d.status, 'bonusRate', d.bonus_rate::text))
                     ORDER BY d.created_at, d.id)
                   FROM (SELECT * FROM deals d WHERE d.partner_id = p.id ORDER BY d.created_at, d.id LIMIT 10) d), '[]'::json))
    ))::text FROM partners p WHERE p.id = $1`,
  dealsQueue: `
    SELECT json_build_object('deals', json_build_object('edges', coalesce(json_agg(json_build_object('node', json_build_object(
      'partner', json_build_object('name', p.name),
      'customer', (SELECT json_build_object('name', c.name) FROM customers c WHERE c.partner_id = d.partner_id AND c.inn = d.customer_inn
                    ORDER BY c.status IN ${LINKED} DESC, c.created_at DESC, c.id DESC LIMIT 1),
      'status', d.status)) ORDER BY d.created_at, d.id), '[]'::json)))::text
      FROM (SELECT * FROM deals ORDER BY created_at, id LIMIT 50) d JOIN partners p ON p.id = d.partner_id`,
  invoice: `
    SELECT json_build_object('partner', json_build_object('invoice', (
      SELECT json_build_object('month', i.month, 'isFinal', true, 'totalCost', i.total_cost::text, 'payable', i.payable::text,
        'lines', (SELECT coalesce(json_agg(json_build_object('billingAccountId', l.billing_account_id, 'serviceId', l.service_id,
                    'cost', l.cost::text, 'discount', l.discount::text, 'payable', l.payable::text) ORDER BY l.line_no), '[]'::json)
                    FROM invoice_lines l WHERE l.partner_id = i.partner_id AND l.month = i.month))
        FROM invoices i WHERE i.partner_id = p.id AND i.month = $2)))::text
      FROM partners p WHERE p.id = $1`,
  ledger: `
    SELECT json_build_object('partner', json_build_object('rebateLedger', json_build_object(
      'edges', coalesce((SELECT json_agg(json_build_object('node', json_build_object('sequence', e.sequence::text, 'kind', e.kind,
                  'amount', e.amount::text, 'balanceAfter', e.balance_after::text, 'description', e.description, 'createdAt', e.created_at))
                  ORDER BY e.sequence)
                FROM (SELECT * FROM ledger_entries e WHERE e.partner_id = p.id ORDER BY e.sequence LIMIT 50) e), '[]'::json),
      'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM (SELECT 1 FROM ledger_entries e WHERE e.partner_id = p.id LIMIT 51) n) > 50))))::text
      FROM partners p WHERE p.id = $1`,
};

const PARAMS: Record<string, (body: { id?: string; month?: string }) => unknown[]> = {
  dashboard: (b) => [b.id],
  dealsQueue: () => [],
  invoice: (b) => [b.id, b.month],
  ledger: (b) => [b.id],
};

function main(): void {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 20) });
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (name === 'floor') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"__typename":"Query"}}');
        return;
      }
      const text = SQL[name];
      if (!text) {
        res.writeHead(404).end();
        return;
      }
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      pool.query({ name, text, values: PARAMS[name](body), rowMode: 'array' }).then(
        (result) => {
          const json = result.rows[0]?.[0] ?? (name === 'dealsQueue' ? '{"deals":null}' : '{"partner":null}');
          res.writeHead(200, { 'content-type': 'application/json' }).end(`{"data":${json}}`);
        },
        (error: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: error.message }] })),
      );
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close();
    void pool.end().then(() => process.exit(0));
  });
}

if (require.main === module) main();

// The read mix of bench:dashboard: each query as this API, PostGraphile and the limit server ask it, the answer
// straight from SQL, and a canonical form of every server's answer so they can be compared.
import type { Client } from 'pg';
import { Dec } from '../src/shared/money';
import { INVOICE_MONTH, partnerId, partnerToken } from './dashboard-data';

export type ServerKind = 'api' | 'postgraphile' | 'limit';
type Json = any;

export interface MixQuery {
  name: string;
  /** The request body for partner i, per server. */
  body(kind: ServerKind, i: number): string;
  /** The API's bearer token for partner i (the admin work queue uses the ADMIN token). */
  token(i: number, adminToken: string): string;
  /** The answer from SQL, canonical. */
  expected(client: Client, i: number): Promise<Json>;
  /** A server's `data`, canonical. */
  canonical(kind: ServerKind, data: Json): Json;
}

const num = (value: unknown) => (value == null ? null : new Dec(String(value)).toString());
const instant = (value: unknown) => new Date(String(value)).toISOString();
const gql = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
const edges = (connection: Json) => (connection.edges as Json[]).map((e) => e.node);
const LINKED = ['ACTIVE', 'SUSPENDED'];

const DASHBOARD_API = `query Dashboard($id: ID!) { partner(id: $id) { name inn status level rebateBalance { available pendingWithdrawals }
  customers(first: 20) { totalCount edges { node { name inn billingAccountId status activeDeal { status bonusRate } } } }
  deals(first: 10) { totalCount edges { node { customerInn status bonusRate } } } } }`;
const DASHBOARD_PGL = `query Dashboard($id: UUID!) { partnerByRowId(rowId: $id) { name inn status level rebateAvailable pendingWithdrawals
  customersByPartnerId(first: 20, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { totalCount edges { node { name inn billingAccountId status activeDeal { status bonusRate } } } }
  dealsByPartnerId(first: 10, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { totalCount edges { node { customerInn status bonusRate } } } } }`;

const dashboard: MixQuery = {
  name: 'dashboard',
  body: (kind, i) =>
    kind === 'api'
      ? gql(DASHBOARD_API, { id: partnerId(i) })
      : kind === 'postgraphile'
        ? gql(DASHBOARD_PGL, { id: partnerId(i) })
        : JSON.stringify({ id: partnerId(i) }),
  token: (i) => partnerToken(i),
  async expected(client, i) {
    const id = partnerId(i);
    const p = (await client.query('SELECT name, inn, status, level FROM partners WHERE id = $1', [id])).rows[0];
    const available =
      (await client.query('SELECT balance_after FROM ledger_entries WHERE partner_id = $1 ORDER BY sequence DESC LIMIT 1', [id])).rows[0]?.balance_after ?? 0;
    const pending = (await client.query(`SELECT coalesce(sum(amount), 0) AS s FROM withdrawals WHERE partner_id = $1 AND status = 'PENDING'`, [id])).rows[0].s;
    const customers = (await client.query('SELECT * FROM customers WHERE partner_id = $1 ORDER BY created_at, id', [id])).rows;
    const deals = (await client.query('SELECT * FROM deals WHERE partner_id = $1 ORDER BY created_at, id', [id])).rows;
    const active = (c: Json) => (LINKED.includes(c.status) ? deals.find((d) => d.customer_inn === c.inn && d.status === 'ACTIVE') : undefined);
    return {
      name: p.name,
      inn: p.inn,
      status: p.status,
      level: p.level,
      available: num(available),
      pending: num(pending),
      customers: {
        total: customers.length,
        nodes: customers.slice(0, 20).map((c) => ({
          name: c.name,
          inn: c.inn,
          account: c.billing_account_id,
          status: c.status,
          deal: active(c) ? { status: 'ACTIVE', rate: num(active(c).bonus_rate) } : null,
        })),
      },
      deals: { total: deals.length, nodes: deals.slice(0, 10).map((d) => ({ inn: d.customer_inn, status: d.status, rate: num(d.bonus_rate) })) },
    };
  },
  canonical(kind, data) {
    const p = kind === 'postgraphile' ? data.partnerByRowId : data.partner;
    const customers = kind === 'postgraphile' ? p.customersByPartnerId : p.customers;
    const deals = kind === 'postgraphile' ? p.dealsByPartnerId : p.deals;
    return {
      name: p.name,
      inn: p.inn,
      status: p.status,
      level: p.level,
      available: num(kind === 'postgraphile' ? p.rebateAvailable : p.rebateBalance.available),
      pending: num(kind === 'postgraphile' ? p.pendingWithdrawals : p.rebateBalance.pendingWithdrawals),
      customers: {
        total: Number(customers.totalCount),
        nodes: edges(customers).map((c) => ({
          name: c.name,
          inn: c.inn,
          account: c.billingAccountId,
          status: c.status,
          deal: c.activeDeal ? { status: c.activeDeal.status, rate: num(c.activeDeal.bonusRate) } : null,
        })),
      },
      deals: { total: Number(deals.totalCount), nodes: edges(deals).map((d) => ({ inn: d.customerInn, status: d.status, rate: num(d.bonusRate) })) },
    };
  },
};

const QUEUE_API = `query DealQueue { deals(first: 50) { edges { node { partner { name } customer { name } status } } } }`;
const QUEUE_PGL = `query DealQueue { allDeals(first: 50, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { edges { node { partnerByPartnerId { name } customer { name } status } } } }`;

const dealsQueue: MixQuery = {
  name: 'dealsQueue',
  body: (kind) => (kind === 'api' ? gql(QUEUE_API, {}) : kind === 'postgraphile' ? gql(QUEUE_PGL, {}) : '{}'),
  token: (_i, admin) => admin,
  async expected(client) {
    const deals = (
      await client.query('SELECT d.*, p.name AS partner_name FROM deals d JOIN partners p ON p.id = d.partner_id ORDER BY d.created_at, d.id LIMIT 50')
    ).rows;
    const nodes = [];
    for (const d of deals) {
      const customers = (
        await client.query('SELECT * FROM customers WHERE partner_id = $1 AND inn = $2 ORDER BY created_at DESC, id DESC', [d.partner_id, d.customer_inn])
      ).rows;
      const customer = customers.find((c) => LINKED.includes(c.status)) ?? customers[0] ?? null;
      nodes.push({ partner: d.partner_name, customer: customer?.name ?? null, status: d.status });
    }
    return nodes;
  },
  canonical(kind, data) {
    const connection = kind === 'postgraphile' ? data.allDeals : data.deals;
    return edges(connection).map((d) => ({
      partner: (kind === 'postgraphile' ? d.partnerByPartnerId : d.partner).name,
      customer: d.customer?.name ?? null,
      status: d.status,
    }));
  },
};

const INVOICE_API = `query Invoice($id: ID!, $month: Month!) { partner(id: $id) { invoice(month: $month) { month isFinal totalCost payable
  lines { billingAccountId serviceId cost discount payable } } } }`;
const INVOICE_PGL = `query Invoice($id: UUID!, $month: String!) { invoiceByPartnerIdAndMonth(partnerId: $id, month: $month) { month totalCost payable
  invoiceLinesByPartnerIdAndMonth(orderBy: LINE_NO_ASC) { nodes { billingAccountId serviceId cost discount payable } } } }`;

const line = (l: Json) => ({
  account: l.billingAccountId ?? l.billing_account_id,
  service: l.serviceId ?? l.service_id,
  cost: num(l.cost),
  discount: num(l.discount),
  payable: num(l.payable),
});

const invoice: MixQuery = {
  name: 'invoice',
  body: (kind, i) =>
    kind === 'api'
      ? gql(INVOICE_API, { id: partnerId(i), month: INVOICE_MONTH })
      : kind === 'postgraphile'
        ? gql(INVOICE_PGL, { id: partnerId(i), month: INVOICE_MONTH })
        : JSON.stringify({ id: partnerId(i), month: INVOICE_MONTH }),
  token: (i) => partnerToken(i),
  async expected(client, i) {
    const inv = (await client.query('SELECT * FROM invoices WHERE partner_id = $1 AND month = $2', [partnerId(i), INVOICE_MONTH])).rows[0];
    const lines = (await client.query('SELECT * FROM invoice_lines WHERE partner_id = $1 AND month = $2 ORDER BY line_no', [partnerId(i), INVOICE_MONTH])).rows;
    return { month: inv.month, totalCost: num(inv.total_cost), payable: num(inv.payable), lines: lines.map(line) };
  },
  canonical(kind, data) {
    const inv = kind === 'postgraphile' ? data.invoiceByPartnerIdAndMonth : data.partner.invoice;
    const lines = kind === 'postgraphile' ? inv.invoiceLinesByPartnerIdAndMonth.nodes : inv.lines;
    return { month: inv.month, totalCost: num(inv.totalCost), payable: num(inv.payable), lines: lines.map(line) };
  },
};

const LEDGER_API = `query Ledger($id: ID!) { partner(id: $id) { rebateLedger(first: 50) { edges { node { sequence kind amount balanceAfter description createdAt } }
  pageInfo { hasNextPage } } } }`;
const LEDGER_PGL = `query Ledger($id: UUID!) { partnerByRowId(rowId: $id) { ledgerEntriesByPartnerId(first: 50, orderBy: SEQUENCE_ASC) {
  edges { node { sequence kind amount balanceAfter description createdAt } } pageInfo { hasNextPage } } } }`;

const entry = (e: Json) => ({
  sequence: String(e.sequence),
  kind: e.kind,
  amount: num(e.amount),
  balance: num(e.balanceAfter ?? e.balance_after),
  description: e.description,
  at: instant(e.createdAt ?? e.created_at),
});

const ledger: MixQuery = {
  name: 'ledger',
  body: (kind, i) =>
    kind === 'api'
      ? gql(LEDGER_API, { id: partnerId(i) })
      : kind === 'postgraphile'
        ? gql(LEDGER_PGL, { id: partnerId(i) })
        : JSON.stringify({ id: partnerId(i) }),
  token: (i) => partnerToken(i),
  async expected(client, i) {
    const rows = (await client.query('SELECT * FROM ledger_entries WHERE partner_id = $1 ORDER BY sequence LIMIT 51', [partnerId(i)])).rows;
    return { entries: rows.slice(0, 50).map(entry), hasNextPage: rows.length > 50 };
  },
  canonical(kind, data) {
    const connection = kind === 'postgraphile' ? data.partnerByRowId.ledgerEntriesByPartnerId : data.partner.rebateLedger;
    return { entries: edges(connection).map(entry), hasNextPage: connection.pageInfo.hasNextPage };
  },
};

/** The per-request floor of each server stack: `{ __typename }` (no SQL; not one of the goals). */
const floor: MixQuery = {
  name: 'floor',
  body: (kind) => (kind === 'limit' ? '{}' : gql('query Floor { __typename }', {})),
  token: (i) => partnerToken(i),
  expected: async () => ({ typename: 'Query' }),
  canonical: (_kind, data) => ({ typename: data.__typename }),
};

export const MIX: MixQuery[] = [dashboard, dealsQueue, invoice, ledger];
/** Queries measured but not part of the goals. */
export const EXTRA: MixQuery[] = [floor];

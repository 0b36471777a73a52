// SPEC §23: the Node interface, Query.node/nodes, cache ids, and Relay connections in both directions.
import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppSchema } from '../../src/app/build-schema';
import { createSubaccount, recordUsage } from '../support/billing-fixtures';
import { activePartner, tokenFor, type TestPartner } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';
import {
  RelayAdjustBalanceDocument,
  RelayApiTokensDocument,
  RelayCacheIdsDocument,
  RelayCustomersDocument as CUSTOMERS,
  RelayLedgerDocument as LEDGER,
  RelayNodeDocument as NODE,
  RelayNodeIdsDocument,
  RelayNodesDocument,
  ViewerIdDocument,
} from '../generated/graphql';

let t: TestApp;
let schema: GraphQLSchema;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
  schema = await buildAppSchema();
});
afterAll(() => t.close());

/** Objects whose id is another object's (SPEC §23): they carry it for caches but are not found by Query.node. */
const BORROWED_IDS = ['RebateBalance', 'PartnerBonus', 'Viewer'];
/** Log entries (SPEC §20): read through Query.auditLog with its own rights, not refetched by Query.node. */
const LOG_ENTRIES = ['AuditEntry'];

describe('the schema, walked', () => {
  it('makes every object type with an id implement Node (except the borrowed ids)', () => {
    const withId = Object.values(schema.getTypeMap()).filter((type) => isObjectType(type) && !type.name.startsWith('__') && type.getFields().id);
    const notNode = withId.filter((type) => isObjectType(type) && !type.getInterfaces().some((i) => i.name === 'Node')).map((type) => type.name);
    expect(notNode.sort()).toEqual([...BORROWED_IDS, ...LOG_ENTRIES].sort());
    expect(withId.length).toBeGreaterThanOrEqual(13);
  });

  it('gives every connection first/after/last/before and a full PageInfo', () => {
    const missing: string[] = [];
    let connections = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!getNamedType(field.type).name.endsWith('Connection')) continue;
        connections++;
        const args = new Set(field.args.map((a) => a.name));
        for (const name of ['first', 'after', 'last', 'before']) if (!args.has(name)) missing.push(`${type.name}.${field.name}(${name})`);
      }
    }
    expect(missing).toEqual([]);
    expect(connections).toBeGreaterThanOrEqual(11);
    const pageInfo = schema.getType('PageInfo');
    expect(isObjectType(pageInfo) && Object.keys(pageInfo.getFields()).sort()).toEqual(['endCursor', 'hasNextPage', 'hasPreviousPage', 'startCursor']);
  });
});

describe('backward and forward pagination', () => {
  let partner: TestPartner;
  let all: { cursor: string; node: { id: string } }[];
  const page = async (args: Record<string, unknown>) => (await t.ok(CUSTOMERS, { id: partner.id, ...args })).partner!.customers;
  const ids = (connection: { edges: { node: { id: string } }[] }) => connection.edges.map((e) => e.node.id);

  beforeAll(async () => {
    partner = await activePartner(t);
    for (let i = 0; i < 5; i++) await createSubaccount(t, partner, { accept: false }); // same manual instant: order by id
    all = (await page({ first: 100 })).edges;
    expect(all).toHaveLength(5);
  });
  const at = (...indexes: number[]) => indexes.map((i) => all[i].node.id);

  it('last: the end of the list, in list order', async () => {
    const c = await page({ last: 2 });
    expect(ids(c)).toEqual(at(3, 4));
    expect(c.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: all[3].cursor, endCursor: all[4].cursor });
    expect(c.totalCount).toBe(5);
  });

  it('last/before walks back to the start', async () => {
    const c = await page({ last: 2, before: all[3].cursor });
    expect(ids(c)).toEqual(at(1, 2));
    expect(c.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const start = await page({ last: 2, before: c.pageInfo.startCursor });
    expect(ids(start)).toEqual(at(0));
    expect(start.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: all[0].cursor, endCursor: all[0].cursor });
  });

  it('first/after reports what lies before the cursor too', async () => {
    const c = await page({ first: 2, after: all[0].cursor });
    expect(ids(c)).toEqual(at(1, 2));
    expect(c.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const first = await page({ first: 2 });
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('after and before together bound a window', async () => {
    expect(ids(await page({ first: 10, after: all[0].cursor, before: all[4].cursor }))).toEqual(at(1, 2, 3));
    expect(ids(await page({ last: 2, after: all[0].cursor, before: all[4].cursor }))).toEqual(at(2, 3));
  });

  it('an empty page has null cursors', async () => {
    const c = await page({ last: 3, before: all[0].cursor });
    expect(c.edges).toEqual([]);
    expect(c.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });
  });

  it.each([
    [{ last: 0 }, 'last must be between 1 and 100'],
    [{ last: 101 }, 'last must be between 1 and 100'],
    [{ first: 2, last: 2 }, 'give first or last, not both'],
    [{ last: 2, before: 'not-a-cursor' }, 'before is not a cursor this API issued'],
    [{ first: 2, after: Buffer.from('["x","y"]').toString('base64url') }, 'after is not a cursor this API issued'],
  ])('%j is BAD_USER_INPUT', async (args, message) => {
    const r = await t.gql(CUSTOMERS, { id: partner.id, ...args });
    expect(r.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('pages the ledger backwards by sequence', async () => {
    for (const amount of ['10.00', '20.00', '30.00']) {
      const r = await t.ok(RelayAdjustBalanceDocument, {
        input: { partnerId: partner.id, amount, reason: 'goodwill' },
      });
      expect(r.adjustRebateBalance.userErrors).toEqual([]);
    }
    const last = (await t.ok(LEDGER, { id: partner.id, last: 2 })).partner!.rebateLedger;
    expect(last.edges.map((e) => e.node.amount)).toEqual(['20.00', '30.00']);
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = (await t.ok(LEDGER, { id: partner.id, last: 2, before: last.pageInfo.startCursor })).partner!.rebateLedger;
    expect(before.edges.map((e) => e.node.amount)).toEqual(['10.00']);
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });
});

describe('Query.node and Query.nodes', () => {
  let a: TestPartner;
  let b: TestPartner;
  let customerA: string;

  beforeAll(async () => {
    a = await activePartner(t);
    b = await activePartner(t);
    const c = await createSubaccount(t, a);
    customerA = c.id;
    await recordUsage(t, [{ billingAccountId: c.billingAccountId, date: '2026-03-10', serviceId: 'compute', cost: '1000' }]);
  });

  it('finds a partner, a customer, a service and an invoice by their ids', async () => {
    expect((await t.ok(NODE, { id: a.id })).node).toMatchObject({ __typename: 'Partner', id: a.id });
    expect((await t.ok(NODE, { id: customerA })).node).toMatchObject({ __typename: 'Customer', id: customerA });
    expect((await t.ok(NODE, { id: 'compute' }, a.ownerToken)).node).toMatchObject({ __typename: 'Service', id: 'compute' });
    const invoiceId = `${a.id}:2026-03`;
    expect((await t.ok(NODE, { id: invoiceId }, a.ownerToken)).node).toEqual({ __typename: 'Invoice', id: invoiceId, month: '2026-03', partner: { id: a.id } });
  });

  it("gives null with FORBIDDEN for another partner's object, null alone for an unknown id", async () => {
    const r = await t.gql(NODE, { id: customerA }, b.ownerToken);
    expect(r.data?.node).toBeNull();
    expect(r.errors?.[0]).toMatchObject({ path: ['node'], extensions: { code: 'FORBIDDEN' } });
    const invoice = await t.gql(NODE, { id: `${a.id}:2026-03` }, b.ownerToken);
    expect(invoice.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    for (const id of ['00000000-0000-4000-8000-000000000000', 'no-such-service', `${a.id}:2026-13`]) {
      const unknown = await t.gql(NODE, { id }, a.ownerToken);
      expect(unknown).toEqual({ data: { node: null } });
    }
    expect((await t.gql(NODE, { id: a.id }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('keeps an INTEGRATOR away from API tokens, as Partner.apiTokens does', async () => {
    const tokens = await t.ok(RelayApiTokensDocument, { id: a.id });
    const tokenId = tokens.partner!.apiTokens[0].id;
    expect((await t.ok(NODE, { id: tokenId }, a.ownerToken)).node).toMatchObject({ __typename: 'ApiToken', id: tokenId });
    const integrator = await tokenFor(t, a, 'INTEGRATOR');
    expect((await t.gql(NODE, { id: tokenId }, integrator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('nodes: in the order asked, each forbidden one null with an error at its index', async () => {
    const r = await t.gql(RelayNodesDocument, { ids: [customerA, b.id, 'compute', a.id, customerA] }, a.ownerToken);
    expect(r.data?.nodes).toEqual([
      { __typename: 'Customer', id: customerA },
      null,
      { __typename: 'Service', id: 'compute' },
      { __typename: 'Partner', id: a.id },
      { __typename: 'Customer', id: customerA },
    ]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors?.[0]).toMatchObject({ path: ['nodes', 1], extensions: { code: 'FORBIDDEN' } });
  });

  it('nodes: more than 100 ids is BAD_USER_INPUT', async () => {
    const r = await t.gql(RelayNodeIdsDocument, { ids: Array.from({ length: 101 }, () => a.id) });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('gives cache ids to Invoice, PartnerBonus, RebateBalance and Viewer, and the service of an invoice line', async () => {
    const r = await t.ok(RelayCacheIdsDocument, { id: a.id }, a.ownerToken);
    expect(r.partner!.rebateBalance.id).toBe(a.id);
    expect(r.partner!.bonus.id).toBe(`${a.id}:2026-03`);
    expect(r.partner!.invoice!.id).toBe(`${a.id}:2026-03`);
    expect(r.partner!.invoice!.lines[0]).toMatchObject({ serviceId: 'compute', service: { id: 'compute', name: expect.any(String) } });
    const [token] = await t.app.ds.query('SELECT id FROM api_tokens WHERE partner_id = $1 ORDER BY created_at LIMIT 1', [a.id]);
    expect(r.viewer).toEqual({ id: token.id, role: 'PARTNER_OWNER' });
    expect((await t.ok(ViewerIdDocument)).viewer.id).toBe('admin');
  });
});

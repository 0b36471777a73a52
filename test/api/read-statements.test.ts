// SQL statements per request for each query of bench:dashboard's mix, through the whole request path (context with
// token check, Apollo, resolvers, loaders). A lost batch or an N+1 makes a number grow, and the test fails: the
// partner below has several subaccounts with active deals, several deals and ledger entries, so one statement per
// item would show. System clock, as in production (a manual clock reads its instant once per request).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activePartner, tokenFor, type TestPartner } from '../support/factories';
import { countStatements } from '../support/statements';
import { attachTestApp, setupTestApp, type TestApp } from '../support/test-app';
import { approveDeal, createSubaccount, registerDeal } from '../support/work-fixtures';

let t: TestApp;
let partner: TestPartner;
let viewerToken: string;

const DASHBOARD = `query Dashboard($id: ID!) { partner(id: $id) { name inn status level rebateBalance { available pendingWithdrawals }
  customers(first: 20) { totalCount edges { node { name inn billingAccountId status activeDeal { status bonusRate } } } }
  deals(first: 10) { totalCount edges { node { customerInn status bonusRate } } } } }`;
const DEALS_QUEUE = `{ deals(first: 50) { edges { node { partner { name } customer { name } status } } } }`;
const INVOICE = `query Invoice($id: ID!) { partner(id: $id) { invoice(month: "2026-01") { month isFinal totalCost payable
  lines { billingAccountId serviceId cost discount payable } } } }`;
const LEDGER = `query Ledger($id: ID!) { partner(id: $id) { rebateLedger(first: 50) { edges { node { sequence kind amount balanceAfter createdAt } }
  pageInfo { hasNextPage } } } }`;

beforeAll(async () => {
  t = await setupTestApp({ clock: 'system' });
  partner = await activePartner(t);
  viewerToken = await tokenFor(t, partner, 'PARTNER_VIEWER');
  const other = await activePartner(t);
  for (const owner of [partner, other]) {
    for (let i = 0; i < 3; i++) {
      const customer = await createSubaccount(t, owner);
      const deal = await registerDeal(t, owner, { customerInn: customer.inn });
      await approveDeal(t, deal.id); // a linked subaccount with the INN: ACTIVE at once
    }
    await registerDeal(t, owner);
  }
  for (let i = 0; i < 3; i++) {
    await t.ok('mutation($input: AdjustRebateBalanceInput!) { adjustRebateBalance(input: $input) { userErrors { code } } }', {
      input: { partnerId: partner.id, amount: '100.00', reason: `bonus ${i}` },
    });
  }
  // A closed month with a stored invoice of three lines.
  await t.app.ds.query(`INSERT INTO billing_months (month, closed_at, invoices_finalized, rebate_entries_created) VALUES ('2026-01-01', now(), 1, 0)`);
  await t.app.ds.query(
    `INSERT INTO invoices (partner_id, month, closed_at, total_cost, grant_credits, eligible_amount, discount, bonus_withdrawals_applied, bonus_carried_over, payable, customer_cost)
     VALUES ($1, '2026-01', now(), 300, 0, 300, 30, 0, 0, 270, 300)`,
    [partner.id],
  );
  await t.app.ds.query(
    `INSERT INTO invoice_lines (partner_id, month, line_no, billing_account_id, customer_id, service_id, cost, grant_credit, eligible, bonus_rate, deal_bonus_rate, discount, payable, exclusion)
     SELECT $1, '2026-01', n, 'ba-' || n, NULL, 'compute', 100, 0, 100, 0.1, 0, 10, 90, NULL FROM generate_series(1, 3) n`,
    [partner.id],
  );
});
afterAll(() => t.close());

async function statementsOf(query: string, variables: Record<string, unknown>, token: string): Promise<{ count: number; texts: string[]; data: any }> {
  let data: any;
  const counted = await countStatements(async () => {
    data = await t.ok(query, variables, token);
  });
  return { ...counted, data };
}

describe('statements per request of the dashboard mix', () => {
  it('dashboard: partner with balance, subaccounts with their active deals, deals — 1 statement, none for a warm token', async () => {
    const cold = await statementsOf(DASHBOARD, { id: partner.id }, viewerToken);
    expect(cold.texts.filter((text) => /api_tokens/.test(text))).toHaveLength(1);
    const warm = await statementsOf(DASHBOARD, { id: partner.id }, viewerToken);
    expect(warm.count).toBe(1);
    expect(warm.texts.some((text) => /api_tokens/.test(text))).toBe(false);
    const p = warm.data.partner;
    expect(p.customers.totalCount).toBe(3);
    expect(p.customers.edges.map((e: any) => e.node.activeDeal?.status)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
    expect(p.deals.totalCount).toBe(4);
    expect(p.rebateBalance.available).toBe('300.00');
  });

  it('admin deals queue with partner and customer names: 1 statement for 8 deals of 2 partners', async () => {
    const { count, data } = await statementsOf(DEALS_QUEUE, {}, 'test-admin-token-0123456789abcdef');
    expect(data.deals.edges).toHaveLength(8);
    expect(data.deals.edges.filter((e: any) => e.node.customer).length).toBe(6);
    expect(data.deals.edges.every((e: any) => typeof e.node.partner.name === 'string')).toBe(true);
    expect(count).toBe(1);
  });

  it('admin deals queue: a narrow read (only the selected columns) answers as the whole-row read does', async () => {
    const admin = 'test-admin-token-0123456789abcdef';
    const node = `id status customerInn customerName targetMonthlyConsumption bonusRate approvedAt submittedAt contractEndsOn
      partner { id name inn status level createdAt billingThreshold } customer { __typename id name status billingAccountId linkedAt createdAt }`;
    // Customer.partner is a field resolver, not a column: that selection reads whole rows.
    const narrow = await statementsOf(`{ deals(first: 50) { edges { cursor node { ${node} } } pageInfo { endCursor hasNextPage } } }`, {}, admin);
    const whole = await statementsOf(
      `{ deals(first: 50) { edges { cursor node { ${node} wide: customer { partner { id } } } } pageInfo { endCursor hasNextPage } } }`,
      {},
      admin,
    );
    expect(narrow.texts[0]).not.toMatch(/bank_bic|description/);
    expect(whole.texts[0]).toMatch(/bank_bic/);
    expect([narrow.count, whole.count]).toEqual([1, 1]);
    for (const edge of whole.data.deals.edges) delete edge.node.wide;
    expect(narrow.data).toEqual(whole.data);
    expect(narrow.data.deals.edges.filter((e: any) => e.node.customer?.linkedAt).length).toBe(6);
  });

  it("a partner's deals folded narrowly into partner(id) answer as the whole-row fold does", async () => {
    const page = (extra: string) => `query($id: ID!) { partner(id: $id) { deals(first: 10) { totalCount edges { cursor node {
      customerInn status bonusRate targetMonthlyConsumption submittedAt approvedAt activatedOn ${extra} } } pageInfo { endCursor } } } }`;
    const narrow = await statementsOf(page(''), { id: partner.id }, viewerToken);
    const whole = await statementsOf(page('wide: customer { partner { id } }'), { id: partner.id }, viewerToken);
    expect(narrow.count).toBe(1);
    expect(narrow.texts[0]).not.toMatch(/description/);
    expect(whole.texts[0]).toMatch(/description/);
    for (const edge of whole.data.partner.deals.edges) delete edge.node.wide;
    expect(narrow.data).toEqual(whole.data);
    expect(narrow.data.partner.deals.edges.filter((e: any) => e.node.status === 'ACTIVE' && e.node.approvedAt).length).toBe(3);
  });

  it('a narrow deals page does not hand its partial partners to the loader others in the request use', async () => {
    const admin = 'test-admin-token-0123456789abcdef';
    const { data } = await statementsOf(
      `query($id: ID!) { deals(first: 50) { edges { node { partner { name } } } } partner(id: $id) { name inn ownBillingAccountId level } }`,
      { id: partner.id },
      admin,
    );
    expect(data.partner).toEqual({ name: expect.any(String), inn: partner.inn, ownBillingAccountId: partner.ownBillingAccountId, level: expect.any(String) });
  });

  it('partner(id) reads only the selected partner columns when the rest is folded, and answers as the whole-row read does', async () => {
    await t.app.ds.query(`UPDATE partners SET billing_threshold = 1500.5 WHERE id = $1`, [partner.id]);
    const plain = 'id name inn ownBillingAccountId status statusReason level paymentMode billingThreshold quitEffectiveOn createdAt';
    const folded =
      'rebateBalance { available } customers(first: 20) { totalCount edges { node { inn activeDeal { status } } } } deals(first: 10) { totalCount }';
    const narrow = await statementsOf(`query($id: ID!) { partner(id: $id) { ${plain} ${folded} } }`, { id: partner.id }, viewerToken);
    // Partner.bankAccount is a field resolver reading bank columns: that selection reads the whole row.
    const whole = await statementsOf(`query($id: ID!) { partner(id: $id) { ${plain} ${folded} bankAccount { bic } } }`, { id: partner.id }, viewerToken);
    const dashboard = await statementsOf(DASHBOARD, { id: partner.id }, viewerToken);
    expect([narrow.count, whole.count, dashboard.count]).toEqual([1, 1, 1]);
    expect(narrow.texts[0]).not.toMatch(/contact_email|bank_bic/);
    expect(whole.texts[0]).toMatch(/contact_email/);
    expect(dashboard.texts[0]).not.toMatch(/own_billing_account_id|billing_threshold|created_at" AS "createdAt"/);
    delete whole.data.partner.bankAccount;
    expect(narrow.data).toEqual(whole.data);
    expect(narrow.data.partner).toMatchObject({ id: partner.id, billingThreshold: '1500.50', customers: { totalCount: 3 } });
  });

  it('a narrow partner never reaches the partner loader: another field of the request loading that partner gets it whole', async () => {
    const wholeFields = 'id inn ownBillingAccountId paymentMode billingThreshold createdAt';
    const alone = (await statementsOf(`query($id: ID!) { partner(id: $id) { ${wholeFields} } }`, { id: partner.id }, viewerToken)).data.partner;
    const customerId = (
      await statementsOf(`query($id: ID!) { partner(id: $id) { customers(first: 1) { edges { node { id } } } } }`, { id: partner.id }, viewerToken)
    ).data.partner.customers.edges[0].node.id;
    const { data } = await statementsOf(
      `query($id: ID!, $c: ID!) { partner(id: $id) { name customers(first: 1) { totalCount } } customer(id: $c) { partner { ${wholeFields} } } }`,
      { id: partner.id, c: customerId },
      viewerToken,
    );
    expect(data.customer.partner).toEqual(alone);
    expect(alone.ownBillingAccountId).toEqual(expect.any(String));
  });

  it('plans a folded read once per selection and variables below partner(id): other variables, other answers', async () => {
    const query = `query($id: ID!, $n: Int, $s: CustomerStatus) { partner(id: $id) { customers(first: $n, status: $s) { totalCount edges { node { id } } } } }`;
    const sizes = [];
    for (const variables of [{ n: 1 }, { n: 2 }, {}, { n: null }, { n: 2, s: 'INACTIVE' }, { n: 1 }]) {
      const { count, data } = await statementsOf(query, { id: partner.id, ...variables }, viewerToken);
      expect(count).toBe(1);
      sizes.push([data.partner.customers.totalCount, data.partner.customers.edges.length]);
    }
    expect(sizes).toEqual([
      [3, 1],
      [3, 2],
      [3, 3],
      [3, 3],
      [0, 0],
      [3, 1],
    ]);
    const other = await activePartner(t); // the same plan, another partner: its own (empty) page
    const { data } = await statementsOf(query, { id: other.id, n: 1 }, 'test-admin-token-0123456789abcdef');
    expect(data.partner.customers).toEqual({ totalCount: 0, edges: [] });
  });

  it('an active deal selected through a conditional fragment answers as the plain selection does', async () => {
    const page = (deal: string, variables = '') =>
      `query($id: ID!${variables}) { partner(id: $id) { customers(first: 20) { edges { node { id activeDeal { ${deal} } } } } } }`;
    for (const b of [true, false]) {
      const conditional = await statementsOf(page('status ... @include(if: $b) { bonusRate }', ', $b: Boolean!'), { id: partner.id, b }, viewerToken);
      const plain = await statementsOf(page(b ? 'status bonusRate' : 'status'), { id: partner.id }, viewerToken);
      expect(conditional.count).toBe(1);
      expect(conditional.data).toEqual(plain.data);
    }
  });

  it('invoice of a closed month with its lines: 1 statement', async () => {
    await statementsOf(INVOICE, { id: partner.id }, viewerToken);
    const { count, data } = await statementsOf(INVOICE, { id: partner.id }, viewerToken);
    expect(data.partner.invoice.lines).toHaveLength(3);
    expect(data.partner.invoice.payable).toBe('270.00');
    expect(count).toBe(1);
  });

  it('invoice: a narrow read (only the selected columns) answers as the whole read does; with Partner.bonus, still 1 statement', async () => {
    const fields = `id month isFinal closedAt totalCost grantCredits eligibleAmount discount bonusWithdrawalsApplied bonusCarriedOver payable
      lines { __typename billingAccountId serviceId cost grantCredit eligible bonusRate dealBonusRate discount payable exclusion }`;
    const narrow = await statementsOf(`query($id: ID!) { partner(id: $id) { invoice(month: "2026-01") { ${fields} } } }`, { id: partner.id }, viewerToken);
    // InvoiceLine.service is a field resolver: that selection reads the whole invoice (and its services).
    const whole = await statementsOf(
      `query($id: ID!) { partner(id: $id) { invoice(month: "2026-01") { ${fields} more: lines { service { id } } } } }`,
      { id: partner.id },
      viewerToken,
    );
    expect(narrow.count).toBe(1);
    expect(narrow.texts[0]).not.toMatch(/customer_cost/);
    expect(whole.texts[0]).toMatch(/customer_cost/);
    delete whole.data.partner.invoice.more;
    expect(narrow.data).toEqual(whole.data);
    expect(narrow.data.partner.invoice.lines[0]).toMatchObject({ cost: '100.00', bonusRate: '0.1', dealBonusRate: '0', discount: '10.00' });
    const both = await statementsOf(
      `query($id: ID!) { partner(id: $id) { invoice(month: "2026-01") { payable lines { cost } } bonus(month: "2026-01") { absolute relative } } }`,
      { id: partner.id },
      viewerToken,
    );
    expect(both.count).toBe(1);
    expect(both.data.partner.bonus).toEqual({ absolute: '30.00', relative: '0.1' });
    const unbilled = await activePartner(t); // the month is closed, nothing billed: null, from the same statement
    const empty = await statementsOf(
      `query($id: ID!) { partner(id: $id) { invoice(month: "2026-01") { payable } } }`,
      { id: unbilled.id },
      'test-admin-token-0123456789abcdef',
    );
    expect(empty.data.partner.invoice).toBeNull();
    expect(empty.count).toBe(1);
  });

  it('invoices of a partner list: one statement for a closed month, one aggregation for an open one, not one per partner', async () => {
    const admin = 'test-admin-token-0123456789abcdef';
    const list = (month: string) => `{ partners(first: 10) { edges { node { id invoice(month: "${month}") { isFinal payable } } } } }`;
    const closed = await statementsOf(list('2026-01'), {}, admin);
    expect(closed.data.partners.edges.length).toBeGreaterThanOrEqual(2);
    expect(closed.data.partners.edges.find((e: any) => e.node.id === partner.id).node.invoice.payable).toBe('270.00');
    expect(closed.texts.filter((text) => /invoice_lines/.test(text))).toHaveLength(1);
    const open = await statementsOf(list('2026-03'), {}, admin);
    expect(open.data.partners.edges.every((e: any) => e.node.invoice === null || e.node.invoice.isFinal === false)).toBe(true);
    expect(open.texts.filter((text) => /attribution_intervals/.test(text))).toHaveLength(1);
  });

  it('folds aliases of one field separately and leaves a page after a cursor to its resolver, with the same answers', async () => {
    const query = `query($id: ID!, $after: String) { partner(id: $id) {
      one: customers(first: 1) { totalCount edges { cursor node { id } } }
      all: customers(first: 5) { edges { node { id activeDeal { status } } } }
      rest: customers(first: 5, after: $after) { totalCount edges { node { id } } pageInfo { hasPreviousPage } } } }`;
    const first = await statementsOf(query, { id: partner.id }, viewerToken);
    const { one, all } = first.data.partner;
    expect(one.totalCount).toBe(3);
    expect(all.edges.map((e: any) => e.node.id)[0]).toBe(one.edges[0].node.id);
    expect(all.edges.every((e: any) => e.node.activeDeal?.status === 'ACTIVE')).toBe(true);
    expect(first.count).toBe(1); // rest without a cursor is a first page too: folded
    const after = await statementsOf(query, { id: partner.id, after: one.edges[0].cursor }, viewerToken);
    expect(after.data.partner.rest.edges.map((e: any) => e.node.id)).toEqual(all.edges.slice(1).map((e: any) => e.node.id));
    expect(after.data.partner.rest.pageInfo.hasPreviousPage).toBe(true);
    expect(after.data.partner.rest.totalCount).toBe(3);
    expect(after.count).toBe(2); // the page after a cursor reads itself
  });

  it('reads the active deals of a page narrowly for its own selection only: another activeDeal in the document gets the whole deal', async () => {
    const full = `query($id: ID!) { customer(id: $id) { activeDeal { id status bonusRate description targetMonthlyConsumption } } }`;
    const page = await statementsOf(
      `query($id: ID!) { partner(id: $id) { customers(first: 20) { edges { node { id activeDeal { status } } } } } }`,
      { id: partner.id },
      viewerToken,
    );
    expect(page.count).toBe(1);
    const narrowSql = page.texts.find((text) => /customers c LEFT JOIN LATERAL/.test(text))!;
    expect(narrowSql).toMatch(/json_build_object\('status', d\.status\)/);
    expect(narrowSql).not.toMatch(/target_monthly_consumption/);
    const customerId = page.data.partner.customers.edges[0].node.id;
    const alone = (await statementsOf(full, { id: customerId }, viewerToken)).data.customer.activeDeal;
    expect(alone.description).toEqual(expect.any(String));
    const both = await statementsOf(
      `query($p: ID!, $c: ID!) { partner(id: $p) { customers(first: 20) { edges { node { id activeDeal { status } } } } }
        customer(id: $c) { activeDeal { id status bonusRate description targetMonthlyConsumption } } }`,
      { p: partner.id, c: customerId },
      viewerToken,
    );
    expect(both.data.customer.activeDeal).toEqual(alone);
    expect(both.data.partner.customers.edges[0].node.activeDeal).toEqual({ status: 'ACTIVE' });
  });

  it('ledger page: 1 statement', async () => {
    const { count, data, texts } = await statementsOf(LEDGER, { id: partner.id }, viewerToken);
    expect(data.partner.rebateLedger.edges).toHaveLength(3);
    expect(data.partner.rebateLedger.edges[0].node).toMatchObject({ kind: 'ADJUSTMENT', amount: '100.00', balanceAfter: '100.00' });
    expect(count).toBe(1);
    // Only the columns the selection needs: no relation ids when no relation is selected.
    expect(texts[0]).not.toMatch(/withdrawal_id|project_id/);
    const withRelations = await statementsOf(
      `query($id: ID!) { partner(id: $id) { rebateLedger(first: 50) { edges { node { amount withdrawal { id } project { id } partner { id } } } } } }`,
      { id: partner.id },
      viewerToken,
    );
    expect(withRelations.texts[0]).toMatch(/withdrawal_id/);
    expect(withRelations.data.partner.rebateLedger.edges.map((e: any) => e.node.partner.id)).toEqual([partner.id, partner.id, partner.id]);
  });

  it('forgets a revoked token at once: the next request is UNAUTHENTICATED', async () => {
    const token = await tokenFor(t, partner, 'PARTNER_VIEWER');
    await t.ok(DASHBOARD, { id: partner.id }, token); // cached now
    const tokens = await t.ok('query($id: ID!) { partner(id: $id) { apiTokens { id name role revokedAt } } }', { id: partner.id });
    const id = tokens.partner.apiTokens.filter((k: any) => k.role === 'PARTNER_VIEWER' && !k.revokedAt).at(-1).id;
    await t.ok('mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }', { id });
    const after = await t.gql(DASHBOARD, { id: partner.id }, token);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('forgets a token revoked on another instance (NOTIFY): no stale cache there', async () => {
    const other = await attachTestApp(t.databaseUrl, { clock: 'system' });
    try {
      const token = await tokenFor(t, partner, 'PARTNER_VIEWER');
      await other.ok(DASHBOARD, { id: partner.id }, token);
      const warm = await countStatements(() => other.ok(DASHBOARD, { id: partner.id }, token));
      expect(warm.texts.some((text) => /api_tokens/.test(text))).toBe(false); // served from the other instance's cache
      const tokens = await t.ok('query($id: ID!) { partner(id: $id) { apiTokens { id revokedAt } } }', { id: partner.id });
      const id = tokens.partner.apiTokens.filter((k: any) => !k.revokedAt).at(-1).id;
      await t.ok('mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }', { id });
      let code: unknown;
      for (let i = 0; i < 50 && code !== 'UNAUTHENTICATED'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        code = (await other.gql(DASHBOARD, { id: partner.id }, token)).errors?.[0]?.extensions?.code;
      }
      expect(code).toBe('UNAUTHENTICATED');
    } finally {
      await other.close();
    }
  });
});

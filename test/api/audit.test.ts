// SPEC §20: every mutation call leaves exactly one audit entry, whatever its outcome; a change commits with its entry
// or not at all; auditLog's rights, filters and order; the actor of every event.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AdjustRebateBalanceDocument,
  AuditApproveDealDocument,
  AuditLogDocument as AUDIT_LOG,
  RecordConsumptionDocument,
  RegisterDealDocument,
  WithdrawRebateDocument,
  type AuditLogQuery,
  type AuditLogQueryVariables,
} from '../generated/graphql';
import { activePartner, tokenFor, type TestPartner } from '../support/factories';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';
import { approveDeal, dealInput, registerDeal } from '../support/work-fixtures';
import { wsClient } from '../support/ws-client';
import { redactedInput, INPUT_LIMIT_BYTES } from '../../src/modules/audit/redact';
import { Dec } from '../../src/shared/money';
import { hashToken } from '../../src/modules/access/tokens';

let t: TestApp;
let alpha: TestPartner;
let beta: TestPartner;

beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
  alpha = await activePartner(t);
  beta = await activePartner(t);
});
afterAll(() => t.close());

async function auditLog(variables: AuditLogQueryVariables = {}, token: string | null = ADMIN_TOKEN): Promise<AuditLogQuery['auditLog']> {
  return (await t.ok(AUDIT_LOG, { first: 100, ...variables }, token)).auditLog;
}

/** The entries written since `afterId`, oldest first, straight from the table. */
async function entriesSince(afterId: string): Promise<any[]> {
  return t.app.ds.query(
    `SELECT id::text, operation, outcome, codes, actor_kind, actor_token_id, partner_id, entity_id, request_id, input FROM audit_entries WHERE id > $1 ORDER BY id`,
    [afterId],
  );
}

async function lastId(): Promise<string> {
  const [row] = await t.app.ds.query(`SELECT coalesce(max(id), 0)::text AS id FROM audit_entries`);
  return row.id;
}

async function tokenIdOf(token: string): Promise<string> {
  const [row] = await t.app.ds.query(`SELECT id FROM api_tokens WHERE token_hash = $1`, [hashToken(token)]);
  return row.id;
}

const adjust = (partnerId: string, amount: string, token: string | null = ADMIN_TOKEN) =>
  t.gql(AdjustRebateBalanceDocument, { input: { partnerId, amount, reason: 'Audit test' } }, token);

describe('an audit entry for every mutation call', () => {
  it('records a success with its token actor, partner, entity and input, committed with the change', async () => {
    const before = await lastId();
    const deal = await registerDeal(t, alpha);
    const [entry, ...more] = await entriesSince(before);
    expect(more).toEqual([]);
    const ownerTokenId = await tokenIdOf(alpha.ownerToken);
    expect(entry).toMatchObject({
      operation: 'registerDeal',
      outcome: 'SUCCEEDED',
      codes: [],
      actor_kind: 'TOKEN',
      actor_token_id: ownerTokenId,
      partner_id: alpha.id,
      entity_id: deal.id,
    });
    expect(JSON.parse(entry.input).input).toMatchObject({ partnerId: alpha.id, customerName: 'New Customer LLC' });
    const node = (await auditLog({ operation: 'registerDeal', first: 1 })).edges[0].node;
    expect(node.actor).toEqual({ kind: 'TOKEN', tokenId: ownerTokenId, tokenName: expect.any(String), role: 'PARTNER_OWNER', partnerId: alpha.id });
  });

  it('records a refusal with userErrors and its codes, after the call (nothing changed)', async () => {
    const before = await lastId();
    const r = await t.ok(
      WithdrawRebateDocument,
      { input: { partnerId: alpha.id, amount: '1000000.00', destination: 'BONUS', idempotencyKey: crypto.randomUUID() } },
      alpha.ownerToken,
    );
    expect(r.withdrawRebate.userErrors.map((e) => e.code)).toEqual(['INSUFFICIENT_BALANCE']);
    const entries = await entriesSince(before);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      operation: 'withdrawRebate',
      outcome: 'REFUSED',
      codes: ['INSUFFICIENT_BALANCE'],
      actor_kind: 'TOKEN',
      partner_id: alpha.id,
    });
  });

  it('records FORBIDDEN and UNAUTHENTICATED (no token: ANONYMOUS) refusals', async () => {
    const viewerToken = await tokenFor(t, alpha, 'PARTNER_VIEWER');
    const before = await lastId();
    const forbidden = await adjust(alpha.id, '5.00', viewerToken);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await adjust(alpha.id, '5.00', null);
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const entries = await entriesSince(before);
    expect(entries.map((e) => [e.operation, e.outcome, e.codes, e.actor_kind, e.partner_id])).toEqual([
      ['adjustRebateBalance', 'REFUSED', ['FORBIDDEN'], 'TOKEN', alpha.id],
      ['adjustRebateBalance', 'REFUSED', ['UNAUTHENTICATED'], 'ANONYMOUS', alpha.id],
    ]);
    expect(entries[0].actor_token_id).toBe(await tokenIdOf(viewerToken));
  });

  it('records a call refused for an unknown token over HTTP, with the request id, as ANONYMOUS', async () => {
    const server = await t.startHttp();
    const before = await lastId();
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ppt_not-a-real-token', 'x-request-id': 'audit-test-1' },
      body: JSON.stringify({
        query: 'mutation($p: ID!) { a: adjustRebateBalance(input: { partnerId: $p, amount: "1.00", reason: "x" }) { userErrors { code } } }',
        variables: { p: beta.id },
      }),
    });
    expect(response.status).toBe(401);
    const entries = await entriesSince(before);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      operation: 'adjustRebateBalance',
      outcome: 'REFUSED',
      codes: ['UNAUTHENTICATED'],
      actor_kind: 'ANONYMOUS',
      actor_token_id: null,
      partner_id: beta.id,
      request_id: 'audit-test-1',
    });
    // A query with a bad token is no mutation call: nothing recorded.
    await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: JSON.stringify({ query: '{ now }' }),
    });
    expect(await entriesSince(entries[0].id)).toEqual([]);
  });

  it('records an unexpected failure as FAILED (INTERNAL_SERVER_ERROR), and the env admin token as ADMIN_ENV', async () => {
    const spy = vi.spyOn(t.app.rebates, 'adjust').mockRejectedValueOnce(new Error('disk on fire'));
    try {
      const before = await lastId();
      const r = await adjust(beta.id, '5.00');
      expect(r.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const entries = await entriesSince(before);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        operation: 'adjustRebateBalance',
        outcome: 'FAILED',
        codes: ['INTERNAL_SERVER_ERROR'],
        actor_kind: 'ADMIN_ENV',
        actor_token_id: null,
        partner_id: beta.id,
      });
    } finally {
      spy.mockRestore();
    }
  });

  it('leaves the change undone when its entry cannot be written (same transaction), then records the failure', async () => {
    const deal = await registerDeal(t, alpha);
    await t.app.ds.query(`CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected audit failure'; END $$`);
    await t.app.ds.query(
      `CREATE TRIGGER fail_audit BEFORE INSERT ON audit_entries FOR EACH ROW WHEN (NEW.operation = 'reviewDeal' AND NEW.outcome = 'SUCCEEDED') EXECUTE FUNCTION fail_audit()`,
    );
    try {
      const before = await lastId();
      const [{ max: eventsBefore }] = await t.app.ds.query(`SELECT count(*)::int AS max FROM events WHERE entity_id = $1`, [deal.id]);
      const r = await t.gql(AuditApproveDealDocument, { id: deal.id });
      expect(r.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const [row] = await t.app.ds.query(`SELECT status FROM deals WHERE id = $1`, [deal.id]);
      expect(row.status).toBe('SUBMITTED');
      const [{ max: eventsAfter }] = await t.app.ds.query(`SELECT count(*)::int AS max FROM events WHERE entity_id = $1`, [deal.id]);
      expect(eventsAfter).toBe(eventsBefore);
      const entries = await entriesSince(before);
      expect(entries.map((e) => [e.operation, e.outcome, e.codes, e.entity_id])).toEqual([['reviewDeal', 'FAILED', ['INTERNAL_SERVER_ERROR'], deal.id]]);
    } finally {
      await t.app.ds.query(`DROP TRIGGER fail_audit ON audit_entries`);
      await t.app.ds.query(`DROP FUNCTION fail_audit()`);
    }
    // Without the injected failure the same call commits, with its entry.
    expect((await approveDeal(t, deal.id)).status).toBe('APPROVED');
  });

  it('gives concurrent calls one entry each: successes plus refusals', async () => {
    const partner = await activePartner(t);
    expect((await adjust(partner.id, '100.00')).errors).toBeUndefined();
    const before = await lastId();
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.gql(
          WithdrawRebateDocument,
          { input: { partnerId: partner.id, amount: '30.00', destination: 'BONUS', idempotencyKey: crypto.randomUUID() } },
          partner.ownerToken,
        ),
      ),
    );
    const succeeded = results.filter((r) => r.data?.withdrawRebate.userErrors.length === 0).length;
    const refused = results.filter((r) => r.data?.withdrawRebate.userErrors.length).length;
    expect(succeeded).toBe(3);
    expect(succeeded + refused).toBe(12);
    const entries = (await entriesSince(before)).filter((e) => e.partner_id === partner.id);
    expect(entries).toHaveLength(12);
    expect(entries.filter((e) => e.outcome === 'SUCCEEDED')).toHaveLength(succeeded);
    expect(entries.filter((e) => e.outcome === 'REFUSED')).toHaveLength(refused);
    // Every success's entry names the withdrawal it created.
    const [{ ids }] = await t.app.ds.query(`SELECT array_agg(id::text ORDER BY id) AS ids FROM withdrawals WHERE partner_id = $1`, [partner.id]);
    expect(
      entries
        .filter((e) => e.outcome === 'SUCCEEDED')
        .map((e) => e.entity_id)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it('is append-only in the database', async () => {
    await expect(t.app.ds.query(`UPDATE audit_entries SET outcome = 'SUCCEEDED'`)).rejects.toThrow(/append-only/);
    await expect(t.app.ds.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/);
    await expect(t.app.ds.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
  });
});

describe('the input kept', () => {
  it('redacts secrets and tokens and stays valid JSON of at most 16 KB', () => {
    const kept = JSON.parse(
      redactedInput({ input: { name: 'x', secret: 'whsec_abc', ownerToken: 'ppt_abc', note: 'ppt_zzz', tokenId: 'id-1', password: 'p' } }),
    );
    expect(kept).toEqual({ input: { name: 'x', secret: '[redacted]', ownerToken: '[redacted]', note: '[redacted]', tokenId: 'id-1', password: '[redacted]' } });
    const big = redactedInput({ input: { records: Array.from({ length: 10_000 }, (_, i) => ({ billingAccountId: `ba-${i}`, cost: '1.00' })) } });
    expect(Buffer.byteLength(big)).toBeLessThanOrEqual(INPUT_LIMIT_BYTES);
    const parsed = JSON.parse(big);
    expect(parsed.input.records).toHaveLength(21);
    expect(parsed.input.records[20]).toBe('[… 9980 more items]');
    const wide = redactedInput({ input: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, 'y'.repeat(900)])) });
    expect(Buffer.byteLength(wide)).toBeLessThanOrEqual(INPUT_LIMIT_BYTES);
    expect(JSON.parse(wide).truncated).toBe(true);
  });

  it('keeps a 10,000-record consumption batch within 16 KB', async () => {
    const before = await lastId();
    const records = Array.from({ length: 10_000 }, (_, i) => ({
      billingAccountId: `ba-audit-${i}`,
      date: '2026-03-01',
      serviceId: 'compute',
      cloudId: 'c',
      folderId: 'f',
      cost: '1.00',
    }));
    const r = await t.ok(RecordConsumptionDocument, {
      input: { batchId: 'audit-batch-1', records },
    });
    expect(r.recordConsumption.userErrors).toEqual([]);
    const [entry] = await entriesSince(before);
    expect(entry).toMatchObject({ operation: 'recordConsumption', outcome: 'SUCCEEDED', entity_id: 'audit-batch-1' });
    expect(Buffer.byteLength(entry.input)).toBeLessThanOrEqual(INPUT_LIMIT_BYTES);
    expect(JSON.parse(entry.input).input.records.at(-1)).toBe('[… 9980 more items]');
  });
});

describe('auditLog', () => {
  it('shows ADMIN everything and a PARTNER_OWNER only its partner; other roles are refused', async () => {
    await registerDeal(t, beta);
    const all = await auditLog();
    expect(all.edges.some((e) => e.node.partnerId === alpha.id) && all.edges.some((e) => e.node.partnerId === beta.id)).toBe(true);
    const own = await auditLog({}, alpha.ownerToken);
    expect(own.totalCount).toBeGreaterThan(0);
    expect(own.edges.every((e) => e.node.partnerId === alpha.id)).toBe(true);
    expect((await auditLog({ partnerId: alpha.id }, alpha.ownerToken)).totalCount).toBe(own.totalCount);
    expect((await t.gql(AUDIT_LOG, { partnerId: beta.id }, alpha.ownerToken)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    for (const role of ['PARTNER_ACCOUNTANT', 'PARTNER_VIEWER', 'INTEGRATOR'] as const) {
      expect((await t.gql(AUDIT_LOG, {}, await tokenFor(t, alpha, role))).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await t.gql(AUDIT_LOG, {}, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('filters by partner, actor token, operation, outcome and time, newest first, page by page', async () => {
    const partner = await activePartner(t);
    const accountant = await tokenFor(t, partner, 'PARTNER_ACCOUNTANT');
    const accountantId = await tokenIdOf(accountant);
    await t.advanceTo('2026-03-11T09:00:00Z');
    const from = '2026-03-11T00:00:00Z';
    expect((await adjust(partner.id, '50.00')).errors).toBeUndefined();
    const ok = (amount: string) =>
      t.gql(WithdrawRebateDocument, { input: { partnerId: partner.id, amount, destination: 'BONUS', idempotencyKey: crypto.randomUUID() } }, accountant);
    await ok('10.00');
    await ok('999.00'); // refused: INSUFFICIENT_BALANCE
    await ok('20.00');
    const mine = await auditLog({ partnerId: partner.id, actorTokenId: accountantId });
    expect(mine.edges.map((e) => [e.node.operation, e.node.outcome])).toEqual([
      ['withdrawRebate', 'SUCCEEDED'],
      ['withdrawRebate', 'REFUSED'],
      ['withdrawRebate', 'SUCCEEDED'],
    ]);
    const ids = mine.edges.map((e) => BigInt(e.node.id));
    expect(ids[0] > ids[1] && ids[1] > ids[2]).toBe(true);
    expect((await auditLog({ partnerId: partner.id, outcome: 'REFUSED' })).edges.map((e) => e.node.codes)).toEqual([['INSUFFICIENT_BALANCE']]);
    expect((await auditLog({ partnerId: partner.id, operation: 'adjustRebateBalance' })).edges.map((e) => e.node.actor.kind)).toEqual(['ADMIN_ENV']);
    // Time range: the partner's approval and token were made on 03-10, the rest on 03-11.
    expect((await auditLog({ partnerId: partner.id, from })).totalCount).toBe(4);
    const earlier = await auditLog({ partnerId: partner.id, to: from });
    expect(earlier.edges.map((e) => e.node.operation)).toEqual(['createApiToken', 'reviewPartnerApplication', 'applyForPartnerStatus']);
    expect(earlier.edges[0].node.entityId).toBe(accountantId);
    // Pages of one follow each other without overlap.
    const pages: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await auditLog({ partnerId: partner.id, first: 2, after });
      pages.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toEqual((await auditLog({ partnerId: partner.id })).edges.map((e) => e.node.id));
    expect(pages).toHaveLength(7);
    // And backwards from the end: the oldest two, then the two before them.
    const oldest = await auditLog({ partnerId: partner.id, first: null, last: 2 });
    expect(oldest.edges.map((e) => e.node.id)).toEqual(pages.slice(5));
    expect([oldest.pageInfo.hasPreviousPage, oldest.pageInfo.hasNextPage]).toEqual([true, false]);
    const before = await auditLog({ partnerId: partner.id, first: null, last: 2, before: oldest.pageInfo.startCursor });
    expect(before.edges.map((e) => e.node.id)).toEqual(pages.slice(3, 5));
    expect(before.pageInfo.hasNextPage).toBe(true);
    expect((await t.gql(AUDIT_LOG, { after: 'nope' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('ActivityEvent.actor', () => {
  it('names the token, the env admin, the scheduler and the system, also in subscriptions', async () => {
    const partner = await activePartner(t);
    const [{ max: start }] = await t.app.ds.query(`SELECT coalesce(max(sequence), 0)::text AS max FROM events`);
    const deal = (await t.ok(RegisterDealDocument, { input: dealInput(partner) }, partner.ownerToken)).registerDeal.deal!;
    await approveDeal(t, deal.id); // env admin token
    await t.advanceTo('2026-06-01T09:00:00Z'); // not linked within 60 days: EXPIRED by the scheduler
    const server = await t.startHttp();
    const ws = wsClient(server.url, partner.ownerToken);
    try {
      const activity = ws.subscribe(
        `subscription($p: ID, $after: String) { partnerActivity(partnerId: $p, after: $after) { entityId status actor { kind tokenId role partnerId } } }`,
        { p: partner.id, after: start },
      );
      await activity.waitForItems(3);
      const ownerTokenId = await tokenIdOf(partner.ownerToken);
      expect(activity.items<any>().filter((e) => e.entityId === deal.id)).toEqual([
        { entityId: deal.id, status: 'SUBMITTED', actor: { kind: 'TOKEN', tokenId: ownerTokenId, role: 'PARTNER_OWNER', partnerId: partner.id } },
        { entityId: deal.id, status: 'APPROVED', actor: { kind: 'ADMIN_ENV', tokenId: null, role: 'ADMIN', partnerId: null } },
        { entityId: deal.id, status: 'EXPIRED', actor: { kind: 'SCHEDULER', tokenId: null, role: null, partnerId: null } },
      ]);
    } finally {
      await ws.dispose();
    }
    // Outside any request (a script, the demo) the system acts.
    const entry = await t.app.rebates.adjust({ partnerId: partner.id, amount: new Dec('1.00'), reason: 'A script' });
    const [row] = await t.app.ds.query(`SELECT actor_kind, actor_token_id FROM events WHERE sequence = $1`, [entry.sequence]);
    expect(row).toEqual({ actor_kind: 'SYSTEM', actor_token_id: null });
  });
});

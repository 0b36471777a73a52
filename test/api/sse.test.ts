// Subscriptions over Server-Sent Events (graphql-sse) on /graphql: same auth, limits and replay rules as graphql-ws.
import { createClient, type Client, type ExecutionResult } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app/server';
import { activePartner, tokenFor, type TestPartner } from '../support/factories';
import { AdjustRebateBalanceDocument, RevokeApiTokenDocument, SseRebateAccrualsDocument, type SseRebateAccrualsSubscription } from '../generated/graphql';
import { print } from 'graphql';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let server: RunningServer;
let alpha: TestPartner;
let beta: TestPartner;
const clients: Client[] = [];

beforeAll(async () => {
  t = await setupTestApp();
  server = await t.startHttp();
  alpha = await activePartner(t);
  beta = await activePartner(t);
});
afterAll(async () => {
  for (const c of clients) c.dispose();
  await t.close();
});

function sse(token: string | null): Client {
  const client = createClient({ url: server.url, retryAttempts: 0, headers: token ? { authorization: `Bearer ${token}` } : {} });
  clients.push(client);
  return client;
}

/** The subscription's text as graphql-sse sends it (raw requests below post it too). */
const ACCRUALS = print(SseRebateAccrualsDocument);

async function adjust(partnerId: string, amount: string): Promise<void> {
  const r = await t.ok(AdjustRebateBalanceDocument, {
    input: { partnerId, amount, reason: 'sse test' },
  });
  expect(r.adjustRebateBalance.userErrors).toEqual([]);
}

/** The first `count` results of a subscription (then it is closed). */
async function take(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  count: number,
): Promise<ExecutionResult<SseRebateAccrualsSubscription, unknown>[]> {
  const results: ExecutionResult<SseRebateAccrualsSubscription, unknown>[] = [];
  const iterator = client.iterate<SseRebateAccrualsSubscription>({ query, variables });
  for await (const result of iterator) {
    results.push(result);
    if (results.length >= count || result.errors) break;
  }
  return results;
}

describe('graphql-sse on /graphql', () => {
  it('replays with after, then streams live, in order, only the own partner', async () => {
    await adjust(alpha.id, '10.00');
    await adjust(beta.id, '99.00');
    await adjust(alpha.id, '20.00');
    const integrator = await tokenFor(t, alpha, 'INTEGRATOR');
    const pending = take(sse(integrator), ACCRUALS, { after: '0' }, 3);
    setTimeout(() => void adjust(alpha.id, '30.00'), 300);
    const results = await pending;
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    const items = results.map((r) => r.data!.rebateAccruals);
    expect(items.map((i) => i.amount)).toEqual(['10.00', '20.00', '30.00']);
    expect(items.every((i) => i.partner.id === alpha.id)).toBe(true);
    const sequences = items.map((i) => BigInt(i.sequence));
    expect(sequences[0] < sequences[1] && sequences[1] < sequences[2]).toBe(true);
    // Resuming after the second entry gives exactly the third.
    const resumed = await take(sse(integrator), ACCRUALS, { after: items[1].sequence }, 1);
    expect(resumed[0].data!.rebateAccruals.sequence).toBe(items[2].sequence);
  });

  it('refuses a missing or unknown token with 401 before any data', async () => {
    for (const token of [null, 'not-a-token-0123456789']) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: ACCRUALS, variables: { after: '0' } }),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it("keeps the rules: another partner's stream is FORBIDDEN, a bad after is BAD_USER_INPUT", async () => {
    const [forbidden] = await take(sse(alpha.ownerToken), ACCRUALS, { partnerId: beta.id }, 1);
    expect(forbidden.errors![0].extensions!.code).toBe('FORBIDDEN');
    const [bad] = await take(sse(ADMIN_TOKEN), ACCRUALS, { after: 'x' }, 1);
    expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('applies the subscription document limits and serves only subscriptions', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: sequence`).join(' ');
    const [tooMany] = await take(sse(ADMIN_TOKEN), `subscription { rebateAccruals { ${aliases} } }`, {}, 1);
    expect(JSON.stringify(tooMany.errors)).toMatch(/alias/i);
    const query = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query: '{ now }' }),
    });
    expect(query.status).toBe(400);
    expect(((await query.json()) as any).errors[0].message).toMatch(/Only subscriptions/);
  });

  it('prices a subscription document like HTTP and graphql-ws: cost over 5,000 is QUERY_TOO_COMPLEX', async () => {
    let nested = 'id';
    for (let i = 0; i < 2; i++) nested = `customers(first: 100) { edges { node { ${i ? 'partner { ' + nested + ' }' : nested} } } }`;
    const [costly] = await take(sse(ADMIN_TOKEN), `subscription { rebateAccruals { partner { ${nested} } } }`, {}, 1);
    expect(costly.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(costly.errors![0].message).toMatch(/Query cost 10,100 exceeds the limit of 5,000/);
  });

  it('charges the rate budget: headers on the stream, 429 with Retry-After once it is spent', async () => {
    const limited = await t.startHttp({ rateBudgets: { partner: 2, admin: 50, anonymous: 3 } });
    const p = await activePartner(t);
    const open = () =>
      fetch(limited.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${p.ownerToken}` },
        body: JSON.stringify({ query: ACCRUALS, variables: { after: '0' } }),
      });
    const first = await open();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    await first.body?.cancel();
    await (await open()).body?.cancel(); // the second point
    const refused = await open();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
    // A bad token is charged to the client IP (anonymous budget 3): the fourth is refused before GraphQL as well.
    const bad = () =>
      fetch(limited.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer nope' },
        body: '{}',
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await bad()).status);
    expect(statuses).toEqual([401, 401, 401]);
    expect((await bad()).headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it("ends a revoked token's streams within 1 s (the revocation broadcast, not the sweep), delivering nothing after", async () => {
    const quiet = await t.startHttp({ tokenSweepMs: 60_000 });
    const p = await activePartner(t);
    const integrator = await tokenFor(t, p, 'INTEGRATOR');
    const tokenId = (await t.app.ds.query(`SELECT id FROM api_tokens WHERE partner_id = $1 AND role = 'INTEGRATOR'`, [p.id]))[0].id;
    await adjust(p.id, '1.00');
    const res = await fetch(quiet.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${integrator}` },
      body: JSON.stringify({ query: ACCRUALS, variables: { after: '0' } }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('"1.00"')) text += decoder.decode((await reader.read()).value);
    const revokedAt = performance.now();
    const revoke = await t.ok(RevokeApiTokenDocument, { input: { id: tokenId } }, p.ownerToken);
    expect(revoke.revokeApiToken.userErrors).toEqual([]);
    await adjust(p.id, '2.00');
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    expect(performance.now() - revokedAt).toBeLessThan(1000);
    expect(text).not.toContain('"2.00"');
  });
});

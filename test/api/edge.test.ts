// SPEC §18 through real HTTP and WebSocket: document limits, JSON errors of the HTTP layer, the central text rule,
// rate limits, WebSocket limits, revocation on every instance, CORS, metrics. Every refused request is refused
// with the documented status and code, changes nothing, shows no stack or path, logs structured JSON only, and
// /healthz answers promptly afterwards.
import { Writable } from 'node:stream';
import { auditServer } from 'graphql-http';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../../src/app/server';
import { activePartner, tokenFor } from '../support/factories';
import { ADMIN_TOKEN, attachTestApp, setupTestApp, type TestApp } from '../support/test-app';
import {
  AccrualsReplayedDocument,
  AdjustRebateBalanceDocument,
  PartnerAccrualSequencesDocument,
  PartnerAccrualsReplayedDocument,
  PartnersCountDocument,
  RevokeApiTokenDocument,
} from '../generated/graphql';
import { wsClient, type WsClient } from '../support/ws-client';

const logLines: string[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  }),
);

let t: TestApp;
let server: RunningServer;
let consoleError: ReturnType<typeof vi.spyOn>;

beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z', logger });
  server = await t.startHttp();
  consoleError = vi.spyOn(console, 'error');
});
afterAll(async () => {
  consoleError.mockRestore();
  await t.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function request(init: RequestInit & { path?: string; search?: string } = {}): Promise<Answer> {
  const { path = '/graphql', search = '', ...rest } = init;
  const response = await fetch(server.url.replace('/graphql', path) + search, rest);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, text, body };
}

function post(body: unknown, token: string | null = ADMIN_TOKEN, headers: Record<string, string> = {}): Promise<Answer> {
  return request({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A refusal: JSON, the status and code, no stack or file path; and /healthz promptly afterwards. */
async function expectRefused(answer: Answer, status: number, code: string): Promise<void> {
  expect(answer.status, answer.text.slice(0, 300)).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
  expect(answer.body?.errors?.[0]?.extensions?.code, answer.text.slice(0, 300)).toBe(code);
  expect(typeof answer.body.errors[0].message).toBe('string');
  expect(answer.text).not.toMatch(/stacktrace|node_modules|\/work\/|\/src\/|\.ts:\d|at [\w.]+ \(/);
  const started = performance.now();
  const health = await request({ path: '/healthz' });
  expect(health.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(1000);
}

afterEach(() => {
  // Every log line is one JSON object; nothing unstructured went to the console.
  for (const line of logLines) expect(() => JSON.parse(line), line).not.toThrow();
  expect(consoleError).not.toHaveBeenCalled();
});

const partnersCount = async () => (await t.ok(PartnersCountDocument)).partners.totalCount;

describe('document limits (HTTP)', () => {
  it('refuses 31 aliases, depth 11, 51 directives and cost over 5,000 with QUERY_TOO_COMPLEX and a message naming limit and value', async () => {
    const aliases = await post({ query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: now`).join(' ')} }` });
    await expectRefused(aliases, 400, 'QUERY_TOO_COMPLEX');
    expect(aliases.body.errors[0].message).toBe('The query uses 31 aliases; the limit is 30');
    expect(aliases.body.data).toBeUndefined();

    // partner > customers > edges > node > partner > … : depth 11
    const deep = await post({
      query:
        '{ partners(first: 1) { edges { node { customers(first: 1) { edges { node { partner { customers(first: 1) { edges { node { id } } } } } } } } } } }',
    });
    await expectRefused(deep, 400, 'QUERY_TOO_COMPLEX');
    expect(deep.body.errors[0].message).toBe('Query depth 11 exceeds the limit of 10');

    const directives = await post({ query: `{ ${'now @include(if: true) '.repeat(51)}}` });
    await expectRefused(directives, 400, 'QUERY_TOO_COMPLEX');
    expect(directives.body.errors[0].message).toMatch(/51 directives; the limit is 50/);

    // 100 partners × (100 customers × (0 + 1) + 1) = 10,100
    const costly = await post({ query: '{ partners(first: 100) { edges { node { customers(first: 100) { edges { node { id } } } } } } }' });
    await expectRefused(costly, 400, 'QUERY_TOO_COMPLEX');
    expect(costly.body.errors[0].message).toMatch(/^Query cost 10,100 exceeds the limit of 5,000/);
    expect(costly.body.errors[0].extensions).toMatchObject({ limit: 'cost', value: 10100, max: 5000 });
  });

  it('prices first from variables, last likewise and 20 by default, fragments expanded', async () => {
    const viaVariable = await post({
      query: 'query($n: Int) { partners(first: $n) { edges { node { customers(first: $n) { totalCount } } } } }',
      variables: { n: 80 },
    });
    await expectRefused(viaVariable, 400, 'QUERY_TOO_COMPLEX'); // 80 × (80 + 1) = 6,480
    expect(viaVariable.body.errors[0].extensions.value).toBe(6480);
    const fragments = await post({
      query:
        'query { partners(first: 100) { ...P } } fragment P on PartnerConnection { edges { node { ...C } } } fragment C on Partner { customers { totalCount } deals { totalCount } projects(first: 20) { totalCount } }',
    });
    await expectRefused(fragments, 400, 'QUERY_TOO_COMPLEX'); // 100 × (20 + 20 + 20 + 1)
    expect(fragments.body.errors[0].extensions.value).toBe(6100);
  });

  it('refuses a mutation over a limit without executing any of it', async () => {
    const before = await partnersCount();
    const apply = (i: number) =>
      `a${i}: applyForPartnerStatus(input: { name: "Alias ${i}", inn: "7707083893", ownBillingAccountId: "ba-alias-${i}", paymentMode: ADVANCE, contactEmail: "a@b.example" }) { ownerToken }`;
    const answer = await post({ query: `mutation { ${Array.from({ length: 31 }, (_, i) => apply(i)).join(' ')} }` }, null);
    await expectRefused(answer, 400, 'QUERY_TOO_COMPLEX');
    expect(await partnersCount()).toBe(before);
  });

  it('refuses more than 10,000 tokens as GRAPHQL_PARSE_FAILED (400), and a syntax error likewise', async () => {
    const tokens = await post({ query: `{ ${'__typename '.repeat(10_001)}}` });
    await expectRefused(tokens, 400, 'GRAPHQL_PARSE_FAILED');
    expect(tokens.body.errors[0].message).toMatch(/more than 10,000 tokens, the limit is 10,000/);
    await expectRefused(await post({ query: '{ now ' }), 400, 'GRAPHQL_PARSE_FAILED');
  });

  it('lets the partner dashboard query through at cost 30 (1 point)', async () => {
    const p = await activePartner(t);
    const query = `query Dashboard($id: ID!) {
      partner(id: $id) {
        id name status level
        rebateBalance { available pendingWithdrawals accruedTotal coMarketingBudget }
        customers(first: 20) { totalCount edges { node { id name status activeDeal { id status bonusRate } } } }
        deals(first: 10) { totalCount edges { node { id customerName status } } }
      }
      rateLimit { cost limit used remaining }
    }`;
    const answer = await post({ query, variables: { id: p.id } }, p.ownerToken);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.rateLimit).toMatchObject({ cost: 1, limit: 5000, used: 1, remaining: 4999 });
  });
});

describe('HTTP layer failures are JSON', () => {
  it('answers malformed JSON, an oversized body, a wrong media type, a wrong method and a GET mutation with JSON errors', async () => {
    await expectRefused(await post('{"query": "{ now }"'), 400, 'BAD_REQUEST');
    const big = await post(JSON.stringify({ query: '{ now }', variables: { pad: 'x'.repeat(33 * 1024 * 1024) } }));
    await expectRefused(big, 413, 'PAYLOAD_TOO_LARGE');
    expect(big.body.errors[0].message).toContain('32 MB');
    await expectRefused(await request({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ now }' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const put = await request({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    await expectRefused(put, 405, 'METHOD_NOT_ALLOWED');
    const before = await partnersCount();
    const getMutation = await request({
      search:
        '?query=' +
        encodeURIComponent(
          'mutation { applyForPartnerStatus(input: { name: "Get", inn: "7707083893", ownBillingAccountId: "ba-get", paymentMode: ADVANCE, contactEmail: "a@b.example" }) { ownerToken } }',
        ),
      headers: { 'apollo-require-preflight': '1' },
    });
    await expectRefused(getMutation, 405, 'BAD_REQUEST');
    expect(await partnersCount()).toBe(before);
    await expectRefused(await request({ path: '/nope' }), 404, 'NOT_FOUND');
  });

  it('answers a wrong persisted-query hash with 400 BAD_REQUEST, logged as a refusal rather than an error', async () => {
    const errorsBefore = logLines.filter((l) => JSON.parse(l).level >= 50).length;
    const answer = await post({ query: '{ now }', extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    await expectRefused(answer, 400, 'BAD_REQUEST');
    const version = await post({ query: '{ now }', extensions: { persistedQuery: { version: 2, sha256Hash: 'f'.repeat(64) } } });
    await expectRefused(version, 400, 'BAD_REQUEST');
    expect(logLines.filter((l) => JSON.parse(l).level >= 50).length).toBe(errorsBefore);
  });

  it('logs HTTP refusals as structured lines with the request id it answers', async () => {
    const answer = await post('not json', ADMIN_TOKEN, { 'x-request-id': 'edge-test-42' });
    expect(answer.headers.get('x-request-id')).toBe('edge-test-42');
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'edge-test-42');
    expect(line).toMatchObject({ status: 400, code: 'BAD_REQUEST', msg: 'http request refused' });
  });

  it('passes the graphql-http audit with no error and at most 3 warnings', async () => {
    const results = await auditServer({ url: server.url });
    const errors = results.filter((r) => r.status === 'error');
    const warnings = results.filter((r) => r.status === 'warn');
    expect(errors.map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`)).toEqual([]);
    expect(warnings.length, warnings.map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`).join('\n')).toBeLessThanOrEqual(3);
  });
});

describe('the central text rule', () => {
  const apply = (fields: Record<string, string>) =>
    post(
      {
        query:
          'mutation($input: ApplyForPartnerStatusInput!) { applyForPartnerStatus(input: $input) { partner { id } ownerToken userErrors { field code message } } }',
        variables: {
          input: {
            name: 'Text Rule LLC',
            inn: '7707083893',
            ownBillingAccountId: `ba-text-${Math.random()}`,
            paymentMode: 'ADVANCE',
            contactEmail: 'a@b.example',
            ...fields,
          },
        },
      },
      null,
    );

  it('refuses NUL, ESC, DEL and line breaks in a mutation input as VALIDATION_FAILED userErrors on each path, changing nothing', async () => {
    const before = await partnersCount();
    for (const [field, value] of [
      ['contactEmail', 'a\u0000@b.example'],
      ['name', 'Esc\u001b LLC'],
      ['ownBillingAccountId', 'ba-del\u007f'],
      ['name', 'Two\nLines'],
      ['name', 'Tab\tName'],
    ]) {
      const answer = await apply({ [field]: value });
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.applyForPartnerStatus).toMatchObject({
        partner: null,
        ownerToken: null,
        userErrors: [{ field: ['input', field], code: 'VALIDATION_FAILED' }],
      });
    }
    const both = await apply({ name: 'x\u0000', contactEmail: 'y\u0001' });
    expect(both.body.data.applyForPartnerStatus.userErrors.map((e: any) => e.field)).toEqual([
      ['input', 'name'],
      ['input', 'contactEmail'],
    ]);
    expect(await partnersCount()).toBe(before);
    expect((await request({ path: '/healthz' })).status).toBe(200);
  });

  it('allows tab and line breaks in a description, not NUL', async () => {
    const p = await activePartner(t);
    const deal = (description: string) =>
      post(
        {
          query: 'mutation($input: RegisterDealInput!) { registerDeal(input: $input) { deal { id description } userErrors { field code } } }',
          variables: { input: { partnerId: p.id, customerName: 'Customer', customerInn: '7736207543', targetMonthlyConsumption: '50000', description } },
        },
        p.ownerToken,
      );
    const nul = await deal('bad\u0000text');
    expect(nul.body.data.registerDeal.userErrors).toEqual([{ field: ['input', 'description'], code: 'VALIDATION_FAILED' }]);
    const ok = await deal('line one\n\tline two');
    expect(ok.body.data.registerDeal).toMatchObject({ deal: { description: 'line one\n\tline two' }, userErrors: [] });
  });

  it('refuses a control character in a query argument as a top-level VALIDATION_FAILED naming the path', async () => {
    const answer = await post({ query: 'query($id: ID!) { partner(id: $id) { id } }', variables: { id: 'abc\u0000' } });
    expect(answer.status).toBe(200);
    expect(answer.body.errors[0]).toMatchObject({ extensions: { code: 'VALIDATION_FAILED', field: ['id'] } });
    expect(answer.text).not.toMatch(/stacktrace|node_modules/);
    const cursor = await post({ query: '{ partners(first: 1, after: "x\\u0007") { totalCount } }' });
    expect(cursor.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: ['after'] });
  });

  it('refuses NUL in consumption records and batch ids with the record path, storing nothing', async () => {
    const record = { billingAccountId: 'ba-text-1', date: '2026-03-01', serviceId: 'compute', cloudId: 'cloud-1', folderId: 'folder-1', cost: '10' };
    const send = (batchId: string, records: unknown[]) =>
      post({
        query: 'mutation($input: RecordConsumptionInput!) { recordConsumption(input: $input) { accepted userErrors { field code } } }',
        variables: { input: { batchId, records } },
      });
    const bad = await send('text-batch-1', [record, { ...record, cloudId: 'cloud\u0000' }, { ...record, folderId: 'f\u001b' }]);
    expect(bad.body.errors, bad.text).toBeUndefined();
    expect(bad.body.data.recordConsumption).toEqual({
      accepted: 0,
      userErrors: [
        { field: ['input', 'records', '1', 'cloudId'], code: 'VALIDATION_FAILED' },
        { field: ['input', 'records', '2', 'folderId'], code: 'VALIDATION_FAILED' },
      ],
    });
    const badKey = await send('batch\u0000', [record]);
    expect(badKey.body.data.recordConsumption.userErrors).toEqual([{ field: ['input', 'batchId'], code: 'VALIDATION_FAILED' }]);
    const rows = await t.app.ds.query(`SELECT count(*)::int AS n FROM consumption_records WHERE billing_account_id = 'ba-text-1'`);
    expect(rows[0].n).toBe(0);
  });
});

describe('rate limits', () => {
  let limited: RunningServer;
  beforeAll(async () => {
    limited = await t.startHttp({ rateBudgets: { partner: 5, admin: 50, anonymous: 3 } });
  });
  const to = (token: string | null, body: unknown) =>
    fetch(limited.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('charges max(1, ceil(cost / 100)) points per token, reports them in headers and Query.rateLimit, and refuses over budget with 429', async () => {
    const p = await activePartner(t);
    const first = await to(p.ownerToken, { query: '{ rateLimit { limit cost used remaining resetAt } }' });
    expect(first.status).toBe(200);
    const data = ((await first.json()) as any).data.rateLimit;
    expect(data).toMatchObject({ limit: 5, cost: 1, used: 1, remaining: 4 });
    expect(first.headers.get('x-ratelimit-limit')).toBe('5');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBe(Math.ceil(new Date(data.resetAt).getTime() / 1000));
    // cost 100 + 100 + 30 = 230 → 3 points
    const costly = await to(p.ownerToken, {
      query:
        'query($id: ID!) { partner(id: $id) { rebateLedger(first: 100) { totalCount } withdrawals(first: 100) { totalCount } deals(first: 30) { totalCount } } rateLimit { cost used } }',
      variables: { id: p.id },
    });
    expect(((await costly.json()) as any).data.rateLimit).toEqual({ cost: 3, used: 4 });
    await to(p.ownerToken, { query: '{ now }' }); // used 5
    const before = await partnersCount();
    const refused = await to(p.ownerToken, {
      query: 'mutation { createApiToken(input: { role: PARTNER_VIEWER, name: "over budget" }) { token } }',
    });
    const body = (await refused.json()) as any;
    expect(refused.status).toBe(429);
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(body.data).toBeUndefined();
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    const tokens = await t.app.ds.query(`SELECT count(*)::int AS n FROM api_tokens WHERE name = 'over budget'`);
    expect(tokens[0].n).toBe(0);
    expect(await partnersCount()).toBe(before);
    // The ADMIN token has its own, larger budget.
    const admin = await to(ADMIN_TOKEN, { query: '{ rateLimit { limit used } }' });
    expect(((await admin.json()) as any).data.rateLimit).toEqual({ limit: 50, used: 1 });
  });

  it('counts requests without a token per client IP, HTTP-layer refusals included', async () => {
    expect((await to(null, { query: '{ now }' })).status).toBe(200);
    const malformed = await fetch(limited.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-ratelimit-remaining')).toBe('1');
    const badToken = await to('not-a-token', { query: '{ now }' });
    expect(badToken.status).toBe(401);
    expect(badToken.headers.get('x-ratelimit-limit')).toBe('3');
    const over = await to(null, { query: '{ now }' });
    expect(over.status).toBe(429);
    expect(((await over.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await fetch(limited.url.replace('/graphql', '/healthz'))).status).toBe(200);
  });
});

describe('CORS, HOST and metrics', () => {
  it('answers preflights for CORS_ORIGINS only, none by default; listens on HOST', async () => {
    const withCors = await t.startHttp({ corsOrigins: ['https://console.example'], host: '127.0.0.1' });
    expect(withCors.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const preflight = (url: string, origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const allowed = await preflight(withCors.url, 'https://console.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await preflight(withCors.url, 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const byDefault = await preflight(server.url, 'https://console.example');
    expect(byDefault.headers.get('access-control-allow-origin')).toBeNull();
    expect(byDefault.status).toBe(405);
    // CSRF prevention stays on: a simple GET without a preflight-forcing header is refused.
    const csrf = await fetch(withCors.url + '?query=' + encodeURIComponent('{ now }'));
    expect(csrf.status).toBe(400);
  });

  it('labels unknown operation names as other, counts HTTP answers by status and exposes counters and pool gauges', async () => {
    for (let i = 0; i < 30; i++) await post({ query: `query Random${i}x { now }`, operationName: `Random${i}x` }, null);
    await post({ query: 'query now { now }' }, null);
    const { text } = await request({ path: '/metrics' });
    expect(text).not.toMatch(/Random\d+x/);
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{operation="other",type="query",outcome="ok"\} (\d+)/);
    expect(Number(/graphql_operation_duration_seconds_count\{operation="other",type="query",outcome="ok"\} (\d+)/.exec(text)![1])).toBeGreaterThanOrEqual(30);
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{operation="now",type="query",outcome="ok"\} 1/);
    expect(text).toMatch(/# TYPE http_responses_total counter/);
    expect(text).toMatch(/http_responses_total\{status="200",route="\/graphql"\} \d+/);
    expect(text).toMatch(/http_responses_total\{status="400",route="\/graphql"\} \d+/);
    for (const name of ['event_bus_reads_total', 'event_bus_events_total', 'event_bus_deliveries_total', 'event_bus_reconnects_total']) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
    for (const name of ['db_pool_connections', 'db_pool_idle', 'db_pool_waiting']) expect(text).toMatch(new RegExp(`# TYPE ${name} gauge\\n${name} \\d+`));
  });
});

describe('WebSocket limits and revocation', () => {
  const clients: WsClient[] = [];
  afterAll(async () => {
    for (const c of clients) await c.dispose().catch((): void => undefined);
  });

  /** A raw graphql-transport-ws socket; resolves with the close code once the server closes it. */
  function rawSocket(url: string): { socket: WebSocket; opened: Promise<void>; closed: Promise<number> } {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
    const closed = new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code)));
    socket.on('error', () => undefined);
    return { socket, opened, closed };
  }

  it('closes with 1009 a connection_init over 8 KiB and a message over 64 KiB, before authentication', async () => {
    const init = rawSocket(server.url);
    await init.opened;
    init.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_TOKEN}`, pad: 'x'.repeat(9 * 1024) } }));
    expect(await init.closed).toBe(1009);

    const big = rawSocket(server.url);
    await big.opened;
    big.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
    await new Promise<void>((resolve) => big.socket.once('message', () => resolve())); // connection_ack
    big.socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { partnerActivity { sequence } }', variables: { pad: 'x'.repeat(65 * 1024) } },
      }),
    );
    expect(await big.closed).toBe(1009);

    const unauthenticated = rawSocket(server.url);
    await unauthenticated.opened;
    unauthenticated.socket.send('x'.repeat(200 * 1024));
    expect(await unauthenticated.closed).toBe(1009);
    expect((await request({ path: '/healthz' })).status).toBe(200);
  });

  it('applies the HTTP limits to subscription documents: tokens, cost', async () => {
    const ws = wsClient(server.url, ADMIN_TOKEN);
    clients.push(ws);
    const tokens = ws.subscribe(`subscription { partnerActivity { ${'a '.repeat(10_001)} } }`); // 20 KB, 10,005 tokens
    await tokens.waitForEnd();
    expect(JSON.stringify(tokens.errors)).toMatch(/GRAPHQL_PARSE_FAILED.*|more than 10,000 tokens/);
    let nested = 'id';
    for (let i = 0; i < 2; i++) nested = `customers(first: 100) { edges { node { ${i ? 'partner { ' + nested + ' }' : nested} } } }`;
    const costly = ws.subscribe(`subscription { rebateAccruals { partner { ${nested} } } }`);
    await costly.waitForEnd();
    expect(JSON.stringify(costly.errors)).toMatch(/QUERY_TOO_COMPLEX/);
    expect(JSON.stringify(costly.errors)).toMatch(/Query cost 10,100 exceeds the limit of 5,000/);
    const nul = ws.subscribe('subscription($after: String) { partnerActivity(after: $after) { sequence } }', { after: '1\u0000' });
    await nul.waitForEnd();
    expect(nul.data).toEqual([]);
    expect(JSON.stringify(nul.errors)).toMatch(/VALIDATION_FAILED/);
  });

  it('refuses the 101st subscription of a socket and keeps the other 100 running', async () => {
    const p = await activePartner(t);
    const ws = wsClient(server.url, ADMIN_TOKEN);
    clients.push(ws);
    await t.ok(AdjustRebateBalanceDocument, { input: { partnerId: p.id, amount: '1.00', reason: 'first' } });
    // Each replays the partner's ledger first, so each has registered once it has an item.
    const subs = Array.from({ length: 100 }, () => ws.subscribe(PartnerAccrualsReplayedDocument, { p: p.id }));
    await Promise.all(subs.map((c) => c.waitForItems(1)));
    const replayed = subs[0].data.length;
    const extra = ws.subscribe(PartnerAccrualSequencesDocument, { p: p.id });
    await extra.waitForEnd();
    expect(JSON.stringify(extra.errors)).toMatch(/TOO_MANY_SUBSCRIPTIONS/);
    await t.ok(AdjustRebateBalanceDocument, { input: { partnerId: p.id, amount: '2.00', reason: 'second' } });
    await Promise.all(subs.map((c) => c.waitForItems(replayed + 1)));
    expect(subs.every((c) => c.errors.length === 0 && !c.completed)).toBe(true);
  });

  it("closes a revoked token's sockets with 4403 within 1 s on every instance, and delivers nothing committed after the revocation", async () => {
    const other = await attachTestApp(t.databaseUrl, { logger });
    try {
      const otherServer = await other.startHttp({ tokenSweepMs: 60_000 }); // the broadcast, not the sweep
      const p = await activePartner(t);
      const integrator = await tokenFor(t, p, 'INTEGRATOR');
      const tokenId = (await t.app.ds.query(`SELECT id FROM api_tokens WHERE partner_id = $1 AND role = 'INTEGRATOR'`, [p.id]))[0].id;
      const sockets = [wsClient(server.url, integrator), wsClient(otherServer.url, integrator)];
      clients.push(...sockets);
      await t.ok(AdjustRebateBalanceDocument, { input: { partnerId: p.id, amount: '1.00', reason: 'before' } });
      const streams = sockets.map((ws) => ws.subscribe(AccrualsReplayedDocument));
      await Promise.all(streams.map((c) => c.waitForItems(1)));
      const seen = streams.map((c) => c.data.length);
      expect(seen).toEqual([1, 1]);
      const revokedAt = performance.now();
      const revoke = await t.ok(RevokeApiTokenDocument, { input: { id: tokenId } }, p.ownerToken);
      expect(revoke.revokeApiToken.userErrors).toEqual([]);
      // Committed right after the revocation, through the other instance.
      await other.ok(AdjustRebateBalanceDocument, { input: { partnerId: p.id, amount: '2.00', reason: 'after' } });
      await Promise.all(streams.map((c) => c.waitForEnd(5_000)));
      expect(performance.now() - revokedAt).toBeLessThan(1000);
      for (const ws of sockets) expect(ws.closes.map((c) => c.code)).toEqual([4403]);
      expect(streams.map((c) => c.data.length)).toEqual(seen);
    } finally {
      await other.close();
    }
  });
});

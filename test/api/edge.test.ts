// SPEC §18 through real HTTP and WebSocket: document limits, JSON errors of the HTTP layer, the central text rule,
// rate limits, WebSocket limits, revocation on every instance, CORS, metrics. Every refused request is refused
// with the documented status and code, changes nothing, shows no stack or path, logs structured JSON only, and
// /healthz answers promptly afterwards.
import { Writable } from 'node:stream';
import { auditServer } from 'graphql-http';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../src/app/server';
import { activePartner, tokenFor } from '../support/factories';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';

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
  let body: unknown = null;
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

const partnersCount = async () => (await t.ok('{ partners(first: 1) { totalCount } }')).partners.totalCount as number;

describe('document limits (HTTP)', () => {
  it('refuses 31 aliases, depth 11, 51 directives and cost over 5,000 with QUERY_TOO_COMPLEX and a message naming limit and value', async () => {
    const aliases = await post({ query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: now`).join(' ')} }` });
    await expectRefused(aliases, 400, 'QUERY_TOO_COMPLEX');
    expect(aliases.body.errors[0].message).toBe('The query uses 31 aliases; the limit is 30');
    expect(aliases.body.data).toBeUndefined();

    // partner > customers > edges > node > partner > … : depth 11
    const deep = await post({ query: '{ partners(first: 1) { edges { node { customers(first: 1) { edges { node { partner { customers(first: 1) { edges { node { id } } } } } } } } } } }' });
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
    const viaVariable = await post({ query: 'query($n: Int) { partners(first: $n) { edges { node { customers(first: $n) { totalCount } } } } }', variables: { n: 80 } });
    await expectRefused(viaVariable, 400, 'QUERY_TOO_COMPLEX'); // 80 × (80 + 1) = 6,480
    expect(viaVariable.body.errors[0].extensions.value).toBe(6480);
    const fragments = await post({
      query: 'query { partners(first: 100) { ...P } } fragment P on PartnerConnection { edges { node { ...C } } } fragment C on Partner { customers { totalCount } deals { totalCount } projects(first: 20) { totalCount } }',
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
      search: '?query=' + encodeURIComponent('mutation { applyForPartnerStatus(input: { name: "Get", inn: "7707083893", ownBillingAccountId: "ba-get", paymentMode: ADVANCE, contactEmail: "a@b.example" }) { ownerToken } }'),
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

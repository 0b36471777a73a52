// The known-documents path (src/app/known-documents.ts): a query whose document Apollo has already validated is
// answered without Apollo's pipeline — with the same status, headers and body, the same limits, rate charge and
// authentication; anything it does not answer itself (a refusal, an error) is answered by Apollo exactly as before.
// Each case compares the known path's answer (a document sent before) with Apollo's (the same document written
// with one more space, never sent before), and counts the known path's answers (graphql_known_document_answers_total).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app/server';
import { activePartner, type TestPartner } from '../support/factories';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let server: RunningServer;
let partner: TestPartner;
let other: TestPartner;

beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
  server = await t.startHttp();
  [partner, other] = [await activePartner(t), await activePartner(t)];
});
afterAll(async () => {
  await t.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: any;
}

async function post(target: RunningServer, body: unknown, token: string | null, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), text, body: JSON.parse(text) };
}

async function knownAnswers(target: RunningServer = server): Promise<number> {
  const text = await (await fetch(target.url.replace('/graphql', '/metrics'))).text();
  return Number(/^graphql_known_document_answers_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

/** Headers that differ between any two answers (time, request id, the budget left). */
function stable(headers: Record<string, string>): Record<string, string> {
  const { date: _date, 'x-request-id': _id, 'x-ratelimit-remaining': _left, 'x-ratelimit-used': _used, 'keep-alive': _keep, ...rest } = headers;
  return rest;
}

const DASHBOARD = `query Dashboard($id: ID!) { partner(id: $id) { name status rebateBalance { available }
  customers(first: 20) { totalCount edges { node { name activeDeal { status } } } } deals(first: 10) { totalCount edges { node { status } } } } }`;

describe('known documents', () => {
  it('answers a document Apollo has validated without Apollo, with the same status, headers and body', async () => {
    const body = { query: DASHBOARD, variables: { id: partner.id }, operationName: 'Dashboard' };
    const first = await post(server, body, partner.ownerToken);
    const before = await knownAnswers();
    const known = await post(server, body, partner.ownerToken);
    const again = await post(server, body, partner.ownerToken, { accept: '*/*' });
    expect(await knownAnswers()).toBe(before + 2);
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.partner.name).toBe('Test Partner LLC');
    for (const answer of [known, again]) {
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(first.text);
      expect(stable(answer.headers)).toEqual(stable(first.headers));
    }
    // One point each, charged once per request.
    expect(Number(again.headers['x-ratelimit-used'])).toBe(Number(first.headers['x-ratelimit-used']) + 2);
    // Another partner's id with the same document: a different answer, not a cached one.
    const admin = await post(server, { ...body, variables: { id: other.id } }, ADMIN_TOKEN);
    expect(admin.body.data.partner.status).toBe('ACTIVE');
    expect(await knownAnswers()).toBe(before + 3);
  });

  it('leaves an unusual Accept header, a mutation and APQ extensions to Apollo', async () => {
    const body = { query: DASHBOARD, variables: { id: partner.id } };
    await post(server, body, partner.ownerToken);
    const before = await knownAnswers();
    const graphqlJson = await post(server, body, partner.ownerToken, { accept: 'application/graphql-response+json' });
    expect(graphqlJson.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    const mutation = 'mutation Touch($id: ID!) { adjustRebateBalance(input: { partnerId: $id, amount: "1.00", reason: "known" }) { userErrors { code } } }';
    for (let i = 0; i < 2; i++) expect((await post(server, { query: mutation, variables: { id: partner.id } }, ADMIN_TOKEN)).body.errors).toBeUndefined();
    await post(server, { ...body, extensions: {} }, partner.ownerToken);
    expect(await knownAnswers()).toBe(before);
  });

  it('refuses a known document over its limits like Apollo, depending on its variables, charging one point', async () => {
    const deep = '{ partners { edges { node { customers { edges { node { partner { customers { edges { node { id } } } } } } } } } } }';
    const refusals = [await post(server, { query: deep }, ADMIN_TOKEN), await post(server, { query: deep }, ADMIN_TOKEN)];
    for (const answer of refusals) {
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
    }
    expect(refusals[1].text).toBe(refusals[0].text);
    expect(Number(refusals[1].headers['x-ratelimit-used'])).toBe(Number(refusals[0].headers['x-ratelimit-used']) + 1);

    const priced = 'query Priced($n: Int) { partners(first: $n) { edges { node { customers(first: $n) { edges { node { id } } } } } } }';
    await post(server, { query: priced, variables: { n: 2 } }, ADMIN_TOKEN);
    const before = await knownAnswers();
    expect((await post(server, { query: priced, variables: { n: 2 } }, ADMIN_TOKEN)).body.errors).toBeUndefined();
    expect(await knownAnswers()).toBe(before + 1);
    const known = await post(server, { query: priced, variables: { n: 100 } }, ADMIN_TOKEN);
    const apollo = await post(server, { query: priced + ' ', variables: { n: 100 } }, ADMIN_TOKEN);
    expect(known.status).toBe(400);
    expect(known.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    expect(known.text).toBe(apollo.text);
    expect(stable(known.headers)).toEqual(stable(apollo.headers));
    expect(await knownAnswers()).toBe(before + 1);
  });

  it('refuses a revoked token on the known path exactly like Apollo', async () => {
    const created = await t.ok(
      'mutation { createApiToken(input: { role: PARTNER_VIEWER, name: "soon revoked" }) { token apiToken { id } } }',
      {},
      partner.ownerToken,
    );
    const token: string = created.createApiToken.token;
    const body = { query: DASHBOARD, variables: { id: partner.id } };
    for (let i = 0; i < 2; i++) expect((await post(server, body, token)).body.data.partner.name).toBe('Test Partner LLC');
    await t.ok(
      'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }',
      { id: created.createApiToken.apiToken.id },
      partner.ownerToken,
    );
    const before = await knownAnswers();
    const known = await post(server, body, token);
    const apollo = await post(server, { ...body, query: DASHBOARD + ' ' }, token);
    expect(known.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(known.body.data).toBeUndefined();
    expect(known.status).toBe(apollo.status);
    expect(known.text).toBe(apollo.text);
    expect(stable(known.headers)).toEqual(stable(apollo.headers));
    expect(await knownAnswers()).toBe(before);
  });

  it('answers an execution error through Apollo: another partner refused, the same answer either way', async () => {
    const body = { query: DASHBOARD, variables: { id: other.id } };
    const first = await post(server, body, partner.ownerToken);
    const before = await knownAnswers();
    const second = await post(server, body, partner.ownerToken);
    expect(first.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(second.status).toBe(first.status);
    expect(second.text).toBe(first.text);
    expect(stable(second.headers)).toEqual(stable(first.headers));
    expect(Number(second.headers['x-ratelimit-used'])).toBe(Number(first.headers['x-ratelimit-used']) + 1);
    expect(await knownAnswers()).toBe(before);
  });

  it('refuses a known document over the rate budget with 429 like Apollo', async () => {
    const limited = await t.startHttp({ rateBudgets: { partner: 3, admin: 3, anonymous: 3 } });
    const body = { query: DASHBOARD, variables: { id: partner.id } };
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await post(limited, body, partner.ownerToken));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(await knownAnswers(limited)).toBe(2);
    const apollo = await post(limited, { ...body, query: DASHBOARD + ' ' }, partner.ownerToken);
    const known = answers[3];
    expect(known.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(known.headers['retry-after']).toBeDefined();
    expect(known.headers['x-ratelimit-remaining']).toBe('0');
    expect(known.body).toEqual(apollo.body);
    expect(stable(known.headers)).toEqual({ ...stable(apollo.headers), 'retry-after': known.headers['retry-after'] });
  });
});

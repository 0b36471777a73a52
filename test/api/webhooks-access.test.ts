// Rights on webhook endpoints (SPEC §19): every operation for every role, another partner's token and no token.
// A partner's endpoints: managed by its PARTNER_OWNER and ADMIN, read also by its PARTNER_ACCOUNTANT and INTEGRATOR;
// the provider's endpoints (partner null): ADMIN only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activePartner, tokenFor, type TestPartner } from '../support/factories';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import type { DocumentNode } from 'graphql';
import {
  CreateWebhookEndpointCodesDocument as CREATE,
  DeleteWebhookEndpointDocument,
  ReplayWebhookEndpointDocument,
  RotateWebhookSecretDocument,
  SendTestWebhookDocument,
  UpdateWebhookEndpointDocument,
  WebhookEndpointDocument,
  WebhookEndpointIdDocument,
  WebhookEndpointsDocument,
  WebhookNodeDocument,
} from '../generated/graphql';

let t: TestApp;
let receiver: WebhookReceiver;
let alpha: TestPartner;
let beta: TestPartner;
let tokens: Record<string, string | null>;
let providerEndpointId: string;

async function endpointOf(partnerId: string | null): Promise<string> {
  const data = await t.ok(CREATE, { input: { partnerId, url: receiver.url('/access') } });
  expect(data.createWebhookEndpoint.userErrors).toEqual([]);
  return data.createWebhookEndpoint.endpoint!.id;
}

/** The top-level error code of an operation, or 'OK'. */
async function outcome(query: DocumentNode, variables: Record<string, unknown>, token: string | null): Promise<string> {
  const result = await t.gql(query, variables, token);
  return (result.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK';
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t = await setupTestApp({ webhooks: { allowedHosts: new Set([receiver.host]), retryScheduleSeconds: [0.1], timeoutMs: 500 } });
  alpha = await activePartner(t);
  beta = await activePartner(t);
  tokens = {
    ADMIN: ADMIN_TOKEN,
    PARTNER_OWNER: alpha.ownerToken,
    PARTNER_ACCOUNTANT: await tokenFor(t, alpha, 'PARTNER_ACCOUNTANT'),
    PARTNER_VIEWER: await tokenFor(t, alpha, 'PARTNER_VIEWER'),
    INTEGRATOR: await tokenFor(t, alpha, 'INTEGRATOR'),
    OTHER_OWNER: beta.ownerToken,
    OTHER_INTEGRATOR: await tokenFor(t, beta, 'INTEGRATOR'),
    NONE: null,
  };
  providerEndpointId = await endpointOf(null);
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const MANAGE_EXPECTED: Record<string, string> = {
  ADMIN: 'OK',
  PARTNER_OWNER: 'OK',
  PARTNER_ACCOUNTANT: 'FORBIDDEN',
  PARTNER_VIEWER: 'FORBIDDEN',
  INTEGRATOR: 'FORBIDDEN',
  OTHER_OWNER: 'FORBIDDEN',
  OTHER_INTEGRATOR: 'FORBIDDEN',
  NONE: 'UNAUTHENTICATED',
};
const READ_EXPECTED: Record<string, string> = { ...MANAGE_EXPECTED, PARTNER_ACCOUNTANT: 'OK', INTEGRATOR: 'OK' };

const MUTATIONS: Record<string, (endpointId: string) => [DocumentNode, Record<string, unknown>]> = {
  updateWebhookEndpoint: (endpointId) => [UpdateWebhookEndpointDocument, { input: { endpointId, description: 'changed' } }],
  rotateWebhookSecret: (endpointId) => [RotateWebhookSecretDocument, { input: { endpointId } }],
  replayWebhookEndpoint: (endpointId) => [ReplayWebhookEndpointDocument, { input: { endpointId, after: '0' } }],
  sendTestWebhook: (endpointId) => [SendTestWebhookDocument, { input: { endpointId } }],
  deleteWebhookEndpoint: (endpointId) => [DeleteWebhookEndpointDocument, { input: { endpointId } }],
};

describe('managing a partner endpoint', () => {
  for (const [name, build] of Object.entries(MUTATIONS)) {
    it(`${name}: ADMIN and the PARTNER_OWNER only`, async () => {
      const results: Record<string, string> = {};
      for (const role of Object.keys(MANAGE_EXPECTED)) {
        const endpointId = await endpointOf(alpha.id); // a fresh one each time (delete removes it)
        const [query, variables] = build(endpointId);
        results[role] = await outcome(query, variables, tokens[role]);
        if (results[role] !== 'OK') {
          // Refused means unchanged: the endpoint is still there, as it was.
          const [row] = await t.app.ds.query('SELECT description, generation FROM webhook_endpoints WHERE id = $1', [endpointId]);
          expect(row, `${name} as ${role}`).toEqual({ description: null, generation: 0 });
        }
        await t.app.ds.query('DELETE FROM webhook_endpoints WHERE id = $1', [endpointId]);
      }
      expect(results).toEqual(MANAGE_EXPECTED);
    });
  }

  it('createWebhookEndpoint: ADMIN and the PARTNER_OWNER, for that partner only', async () => {
    const results: Record<string, string> = {};
    for (const role of Object.keys(MANAGE_EXPECTED))
      results[role] = await outcome(CREATE, { input: { partnerId: alpha.id, url: receiver.url('/c') } }, tokens[role]);
    expect(results).toEqual(MANAGE_EXPECTED);
    // Omitted partnerId: the owner's own partner.
    const own = await t.ok(CREATE, { input: { url: receiver.url('/own') } }, alpha.ownerToken);
    expect(own.createWebhookEndpoint.endpoint!.partner!.id).toBe(alpha.id);
    // null is the provider's endpoint: ADMIN only.
    expect(await outcome(CREATE, { input: { partnerId: null, url: receiver.url('/p') } }, alpha.ownerToken)).toBe('FORBIDDEN');
    const unknown = await t.ok(CREATE, { input: { partnerId: '00000000-0000-4000-8000-000000000000', url: receiver.url('/p') } });
    expect(unknown.createWebhookEndpoint.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
  });
});

describe('the provider endpoint', () => {
  it('is ADMIN only, read or managed', async () => {
    for (const role of Object.keys(MANAGE_EXPECTED)) {
      const expected = role === 'ADMIN' ? 'OK' : role === 'NONE' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
      expect(await outcome(WebhookEndpointIdDocument, { id: providerEndpointId }, tokens[role]), role).toBe(expected);
      const [query, variables] = MUTATIONS.rotateWebhookSecret(providerEndpointId);
      expect(await outcome(query, variables, tokens[role]), role).toBe(expected);
    }
  });
});

describe('reading', () => {
  it("webhookEndpoint(id): the partner's owner, accountant and integrator, and ADMIN; null + FORBIDDEN for others", async () => {
    const endpointId = await endpointOf(alpha.id);
    const results: Record<string, string> = {};
    for (const role of Object.keys(READ_EXPECTED)) {
      const result = await t.gql(WebhookEndpointDocument, { id: endpointId }, tokens[role]);
      results[role] = (result.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK';
      if (results[role] === 'OK') expect(result.data!.webhookEndpoint!.id).toBe(endpointId);
      else expect(result.data?.webhookEndpoint ?? null).toBeNull();
    }
    expect(results).toEqual(READ_EXPECTED);
  });

  it('Query.node follows the same rule for endpoints and their deliveries', async () => {
    const endpointId = await endpointOf(alpha.id);
    await t.ok(SendTestWebhookDocument, { input: { endpointId } });
    const [{ id: deliveryId }] = await t.app.ds.query('SELECT id FROM webhook_deliveries WHERE endpoint_id = $1', [endpointId]);
    for (const id of [endpointId, deliveryId]) {
      const results: Record<string, string> = {};
      for (const role of Object.keys(READ_EXPECTED)) {
        const result = await t.gql(WebhookNodeDocument, { id }, tokens[role]);
        results[role] = (result.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK';
        if (results[role] === 'OK') expect(result.data!.node!.id).toBe(id);
        else expect(result.data?.node ?? null).toBeNull();
      }
      expect(results).toEqual(READ_EXPECTED);
    }
  });

  it("webhookEndpoints: ADMIN sees all (partnerId filters), a partner reader its own, nobody another partner's", async () => {
    const query = WebhookEndpointsDocument;
    const all = await t.ok(query, {});
    expect(all.webhookEndpoints.edges.some((e) => e.node.partner === null)).toBe(true);
    const filtered = await t.ok(query, { p: alpha.id });
    expect(filtered.webhookEndpoints.edges.every((e) => e.node.partner?.id === alpha.id)).toBe(true);
    const results: Record<string, string> = {};
    for (const role of Object.keys(READ_EXPECTED)) {
      const result = await t.gql(query, {}, tokens[role]);
      results[role] = (result.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK';
      if (results[role] === 'OK' && role !== 'ADMIN') expect(result.data!.webhookEndpoints.edges.every((e) => e.node.partner!.id === alpha.id)).toBe(true);
    }
    expect(results).toEqual({ ...READ_EXPECTED, OTHER_OWNER: 'OK', OTHER_INTEGRATOR: 'OK' }); // their own list
    const other = await t.ok(query, {}, beta.ownerToken);
    expect(other.webhookEndpoints.totalCount).toBe(0);
    expect(await outcome(query, { p: alpha.id }, beta.ownerToken)).toBe('FORBIDDEN');
  });
});

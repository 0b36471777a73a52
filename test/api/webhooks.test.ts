// Webhooks (SPEC §19) against a real HTTP receiver on 127.0.0.1 (listed in the allowed hosts) with a short retry
// schedule: signatures checked by the standardwebhooks library, order, retries, disabling and re-enabling, timeouts,
// replay, rotation, the URL rules, and two API instances sharing the work.
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, eventTransaction } from '../../src/event-log/event-log';
import { activePartner, type TestPartner } from '../support/factories';
import { attachTestApp, setupTestApp, type TestApp } from '../support/test-app';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver';
import {
  AdjustRebateBalanceDocument,
  CreateWebhookEndpointDocument as CREATE,
  DeleteWebhookEndpointDocument,
  NowDocument,
  ReplayWebhookEndpointDocument as REPLAY,
  RotateWebhookSecretDocument as ROTATE,
  SendTestWebhookDocument as TEST,
  UpdateWebhookEndpointDocument as UPDATE,
  WebhookDeliveriesDocument as DELIVERIES,
  WebhookEndpointsDocument,
  type WebhookDeliveriesQuery,
} from '../generated/graphql';

let t: TestApp;
let receiver: WebhookReceiver;
let alpha: TestPartner;
const TIMEOUT_MS = 400;

async function createEndpoint(path: string, extra: Record<string, unknown> = {}, via: TestApp = t): Promise<{ id: string; secret: string }> {
  alpha = await activePartner(t); // a partner per endpoint: the tests stay far from the 10-endpoint limit
  const data = await via.ok(CREATE, { input: { partnerId: alpha.id, url: receiver.url(path), ...extra } });
  expect(data.createWebhookEndpoint.userErrors).toEqual([]);
  return { id: data.createWebhookEndpoint.endpoint!.id, secret: data.createWebhookEndpoint.secret! };
}

/** Status-change events for alpha, committed in one transaction; returns their (final) sequences. */
async function writeEvents(count: number, partnerId = alpha.id, via: TestApp = t): Promise<string[]> {
  const entityIds = Array.from({ length: count }, () => randomUUID());
  await eventTransaction(via.app.ds, (manager) =>
    appendEvents(
      manager,
      entityIds.map((entityId) => ({ partnerId, type: 'DEAL_STATUS_CHANGED' as const, entityId, status: 'APPROVED', occurredAt: new Date() })),
    ),
  );
  const rows: { sequence: string }[] = await via.app.ds.query(
    'SELECT sequence::text AS sequence FROM events WHERE entity_id = ANY ($1) ORDER BY events.sequence',
    [entityIds],
  );
  return rows.map((r) => r.sequence);
}

const ids = (items: ReceivedWebhook[]) => items.map((r) => r.headers['webhook-id']);

type Deliveries = NonNullable<WebhookDeliveriesQuery['webhookEndpoint']>;

async function deliveries(id: string): Promise<Deliveries> {
  return (await t.ok(DELIVERIES, { id, first: 100 })).webhookEndpoint!;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver({ hangMs: TIMEOUT_MS * 3 });
  t = await setupTestApp({ webhooks: { allowedHosts: new Set([receiver.host]), retryScheduleSeconds: [0.2, 0.3], timeoutMs: TIMEOUT_MS } });
  alpha = await activePartner(t);
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

describe('delivery', () => {
  it('signs per Standard Webhooks and posts the specified body, in sequence order', async () => {
    const { id, secret } = await createEndpoint('/order');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const entry = await t.ok(AdjustRebateBalanceDocument, { input: { partnerId: alpha.id, amount: '1500.50', reason: 'webhook test' } });
    const sequences = await writeEvents(5);
    const expected = [entry.adjustRebateBalance.entry!.sequence, ...sequences];
    await receiver.waitFor(() => receiver.to('/order').length >= 6, '6 deliveries');
    const got = receiver.to('/order');
    expect(ids(got)).toEqual(expected);
    const wh = new Webhook(secret);
    for (const item of got) {
      expect(item.headers['content-type']).toBe('application/json');
      expect(Math.abs(Number(item.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(wh.verify(item.body, item.headers)).toEqual(item.json);
    }
    expect(got[0].json).toEqual({
      type: 'LEDGER_ENTRY',
      timestamp: got[0].json.data.occurredAt,
      data: {
        sequence: expected[0],
        partnerId: alpha.id,
        type: 'LEDGER_ENTRY',
        entityId: entry.adjustRebateBalance.entry!.id,
        status: 'ADJUSTMENT',
        occurredAt: expect.any(String),
        ledgerEntry: {
          id: entry.adjustRebateBalance.entry!.id,
          kind: 'ADJUSTMENT',
          amount: '1500.50',
          balanceAfter: '1500.50',
          period: null,
          description: 'webhook test',
        },
      },
    });
    expect(got[1].json).toMatchObject({ type: 'DEAL_STATUS_CHANGED', data: { sequence: sequences[0], status: 'APPROVED', ledgerEntry: null } });
    // A forged signature does not verify.
    expect(() => new Webhook('whsec_' + Buffer.alloc(32, 1).toString('base64')).verify(got[0].body, got[0].headers)).toThrow();

    await expect.poll(async () => (await deliveries(id)).deliveries.totalCount, { timeout: 5000 }).toBe(6);
    const endpoint = await deliveries(id);
    expect(endpoint.cursor).toBe(expected.at(-1));
    expect(endpoint.deliveries.totalCount).toBe(6);
    const nodes = endpoint.deliveries.edges.map((e) => e.node);
    expect(nodes.map((n) => n.sequence)).toEqual([...expected].reverse()); // newest first
    expect(nodes[0]).toMatchObject({ eventType: 'DEAL_STATUS_CHANGED', attempt: 1, responseStatus: 200, succeeded: true, error: null });
    // Pages of deliveries follow the same order.
    const page1 = (await t.ok(DELIVERIES, { id, first: 4 })).webhookEndpoint!.deliveries;
    const page2 = (await t.ok(DELIVERIES, { id, first: 4, after: page1.pageInfo.endCursor })).webhookEndpoint!.deliveries;
    expect([...page1.edges, ...page2.edges].map((e) => e.node.sequence)).toEqual([...expected].reverse());
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });

  it('only sends the event types asked for, and every partner to a provider endpoint', async () => {
    const typed = await createEndpoint('/typed', { eventTypes: ['LEDGER_ENTRY'] });
    const beta = await activePartner(t);
    const provider = await t.ok(CREATE, { input: { url: receiver.url('/provider') } });
    expect(provider.createWebhookEndpoint.endpoint!.partner).toBeNull();
    const [deal] = await writeEvents(1);
    const [betaEvent] = await writeEvents(1, beta.id);
    const adjusted = await t.ok(AdjustRebateBalanceDocument, {
      input: { partnerId: alpha.id, amount: '1', reason: 'typed' },
    });
    const ledgerSeq = adjusted.adjustRebateBalance.entry!.sequence;
    await receiver.waitFor(() => receiver.to('/typed').length >= 1 && receiver.to('/provider').length >= 3, 'typed and provider deliveries');
    expect(ids(receiver.to('/typed'))).toEqual([ledgerSeq]);
    expect(ids(receiver.to('/provider'))).toEqual([deal, betaEvent, ledgerSeq]);
    await t.ok(DeleteWebhookEndpointDocument, { input: { endpointId: typed.id } });
    await t.ok(DeleteWebhookEndpointDocument, {
      input: { endpointId: provider.createWebhookEndpoint.endpoint!.id },
    });
  });

  it('retries a 500 and sends later events only after it succeeded, once', async () => {
    receiver.respond('/retry', ({ nth }) => (nth === 1 ? 500 : 200));
    const { id } = await createEndpoint('/retry');
    const sequences = await writeEvents(3);
    await receiver.waitFor(() => receiver.to('/retry').length >= 4, '4 requests');
    const got = receiver.to('/retry');
    expect(ids(got)).toEqual([sequences[0], sequences[0], sequences[1], sequences[2]]);
    expect(got.map((g) => g.status)).toEqual([500, 200, 200, 200]);
    expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(180); // the first retry waits 0.2 s
    const nodes = (await deliveries(id)).deliveries.edges.map((e) => e.node).reverse();
    expect(nodes.map((n) => [n.sequence, n.attempt, n.responseStatus, n.succeeded])).toEqual([
      [sequences[0], 1, 500, false],
      [sequences[0], 2, 200, true],
      [sequences[1], 1, 200, true],
      [sequences[2], 1, 200, true],
    ]);
    expect(nodes[0].error).toBe('HTTP 500');
  });

  it('disables the endpoint when the schedule is exhausted; re-enabled, it sends every event made meanwhile', async () => {
    let down = true;
    receiver.respond('/down', () => (down ? 503 : 200));
    const { id } = await createEndpoint('/down');
    const [first] = await writeEvents(1);
    await receiver.waitFor(() => receiver.to('/down').length >= 3, '3 attempts');
    await expect.poll(async () => (await deliveries(id)).status, { timeout: 5000 }).toBe('DISABLED');
    const disabled = await deliveries(id);
    expect(disabled.disabledReason).toBe(`Disabled after 3 failed attempts to deliver event ${first}; last: HTTP 503`);
    // A watcher endpoint of the same partner: once it has the events written meanwhile, the worker has dispatched them.
    const watcher = await t.ok(CREATE, { input: { partnerId: alpha.id, url: receiver.url('/down-watch') } });
    expect(watcher.createWebhookEndpoint.userErrors).toEqual([]);
    const meanwhile = await writeEvents(4);
    await receiver.waitFor(() => receiver.to('/down-watch').length >= meanwhile.length, 'the watcher to get the events');
    expect(ids(receiver.to('/down-watch'))).toEqual(meanwhile);
    expect(receiver.to('/down')).toHaveLength(3); // nothing is sent while disabled

    down = false;
    const enabled = await t.ok(UPDATE, { input: { endpointId: id, enabled: true } });
    expect(enabled.updateWebhookEndpoint.endpoint).toMatchObject({ status: 'ENABLED', disabledReason: null });
    await receiver.waitFor(() => receiver.to('/down').length >= 8, 'the backlog');
    expect(ids(receiver.to('/down')).slice(3)).toEqual([first, ...meanwhile]);
  });

  it('counts a response slower than WEBHOOK_TIMEOUT_MS as a failure and retries it', async () => {
    receiver.respond('/slow', ({ nth }) => (nth === 1 ? 'hang' : 200));
    const { id } = await createEndpoint('/slow');
    const [seq] = await writeEvents(1);
    await receiver.waitFor(() => receiver.to('/slow').length >= 2, 'the retry');
    await expect.poll(async () => (await deliveries(id)).deliveries.totalCount, { timeout: 5000 }).toBe(2);
    const [retry, timedOut] = (await deliveries(id)).deliveries.edges.map((e) => e.node);
    expect(timedOut).toMatchObject({ sequence: seq, attempt: 1, responseStatus: null, succeeded: false, error: `timed out after ${TIMEOUT_MS} ms` });
    expect(timedOut.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(retry).toMatchObject({ sequence: seq, attempt: 2, succeeded: true });
  });

  it('does not follow redirects', async () => {
    receiver.respond('/redirect', () => ({ status: 302, headers: { location: receiver.url('/elsewhere') } }));
    const { id } = await createEndpoint('/redirect');
    await writeEvents(1);
    await expect.poll(async () => (await deliveries(id)).deliveries.totalCount, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const [node] = (await deliveries(id)).deliveries.edges.map((e) => e.node);
    expect(node).toMatchObject({ responseStatus: 302, succeeded: false, error: 'HTTP 302 (redirects are not followed)' });
    expect(receiver.to('/elsewhere')).toHaveLength(0);
    await t.ok(UPDATE, { input: { endpointId: id, enabled: false } });
  });

  it('replays from a sequence with the same webhook-ids and bodies', async () => {
    const { id } = await createEndpoint('/replay');
    const sequences = await writeEvents(3);
    await receiver.waitFor(() => receiver.to('/replay').length >= 3, 'first pass');
    const before = BigInt(sequences[0]) - 1n;
    const replayed = await t.ok(REPLAY, { input: { endpointId: id, after: before.toString() } });
    expect(replayed.replayWebhookEndpoint).toMatchObject({ endpoint: { cursor: before.toString() }, userErrors: [] });
    await receiver.waitFor(() => receiver.to('/replay').length >= 6, 'the replay');
    const got = receiver.to('/replay');
    expect(ids(got)).toEqual([...sequences, ...sequences]);
    expect(got.slice(3).map((g) => g.body)).toEqual(got.slice(0, 3).map((g) => g.body));
    // Forward is not a replay; nor is a non-integer.
    const forward = await t.ok(REPLAY, { input: { endpointId: id, after: (BigInt(sequences[2]) + 5n).toString() } });
    expect(forward.replayWebhookEndpoint.userErrors).toMatchObject([{ code: 'VALIDATION_FAILED', field: ['input', 'after'] }]);
    const bad = await t.ok(REPLAY, { input: { endpointId: id, after: '1e3' } });
    expect(bad.replayWebhookEndpoint.userErrors).toMatchObject([{ code: 'VALIDATION_FAILED' }]);
  });

  it('signs with both secrets for 24 hours after a rotation', async () => {
    const { id, secret: oldSecret } = await createEndpoint('/rotate');
    const rotated = await t.ok(ROTATE, { input: { endpointId: id } });
    const newSecret = rotated.rotateWebhookSecret.secret!;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    await writeEvents(1);
    await receiver.waitFor(() => receiver.to('/rotate').length >= 1, 'delivery');
    const [first] = receiver.to('/rotate');
    expect(first.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(newSecret).verify(first.body, first.headers)).toBeTruthy();
    expect(new Webhook(oldSecret).verify(first.body, first.headers)).toBeTruthy();

    await t.advanceTo(new Date(new Date((await t.ok(NowDocument)).now).getTime() + 24 * 3600_000 + 60_000).toISOString());
    await writeEvents(1);
    await receiver.waitFor(() => receiver.to('/rotate').length >= 2, 'second delivery');
    const second = receiver.to('/rotate')[1];
    expect(second.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(new Webhook(newSecret).verify(second.body, second.headers)).toBeTruthy();
    expect(() => new Webhook(oldSecret).verify(second.body, second.headers)).toThrow();
  });

  it('sends a WEBHOOK_TEST message on request, outside the stream', async () => {
    const { id, secret } = await createEndpoint('/test');
    const result = await t.ok(TEST, { input: { endpointId: id } });
    expect(result.sendTestWebhook.userErrors).toEqual([]);
    const [message] = receiver.to('/test');
    expect(message.headers['webhook-id']).toMatch(/^test_[0-9a-f-]{36}$/);
    expect(new Webhook(secret).verify(message.body, message.headers)).toMatchObject({
      type: 'WEBHOOK_TEST',
      data: { sequence: '0', partnerId: alpha.id, entityId: id },
    });
    const endpoint = await deliveries(id);
    expect(endpoint.deliveries.edges[0].node).toMatchObject({ sequence: '0', eventType: 'WEBHOOK_TEST', attempt: 1, responseStatus: 200, succeeded: true });
    expect(endpoint.cursor).not.toBe('0');
  });
});

describe('URL rules', () => {
  const refused = async (url: string, code = 'WEBHOOK_URL_NOT_ALLOWED') => {
    const data = await t.ok(CREATE, { input: { partnerId: alpha.id, url } });
    expect(data.createWebhookEndpoint, url).toMatchObject({ endpoint: null, secret: null, userErrors: [{ field: ['input', 'url'], code }] });
  };

  it('refuses http, private and loopback targets, credentials and long URLs at creation', async () => {
    await refused('http://hooks.example.com/x');
    await refused('https://10.0.0.1/hook');
    await refused('https://192.168.1.20/hook');
    await refused('https://169.254.169.254/latest/meta-data');
    await refused('https://[::1]/hook');
    await refused('https://[::ffff:127.0.0.1]/hook');
    await refused('https://224.0.0.1/hook');
    await refused(`https://localhost:${receiver.port}/hook`); // resolves to 127.0.0.1, and localhost:port is not listed
    await refused(`https://127.0.0.1:${receiver.port + 1}/hook`); // listed is host *and* port
    await refused('https://user:secret@hooks.example.com/x');
    await refused('ftp://hooks.example.com/x');
    await refused('not a url', 'VALIDATION_FAILED');
    await refused('https://hooks.example.com/' + 'a'.repeat(2000), 'VALIDATION_FAILED');
    const [{ count }] = await t.app.ds.query('SELECT count(*)::int AS count FROM webhook_endpoints WHERE url LIKE $1', ['%/hook']);
    expect(count).toBe(0);
  });

  it('checks the URL again at each delivery (a DNS change cannot point it inward)', async () => {
    const { id } = await createEndpoint('/moved');
    // As if the name now resolved to 127.0.0.1: the stored URL points at a host that is not listed.
    await t.app.ds.query(`UPDATE webhook_endpoints SET url = $2 WHERE id = $1`, [id, `https://localhost:${receiver.port}/moved`]);
    await writeEvents(1);
    await expect.poll(async () => (await deliveries(id)).deliveries.totalCount, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const [node] = (await deliveries(id)).deliveries.edges.map((e) => e.node);
    expect(node.responseStatus).toBeNull();
    expect(node.error).toMatch(/^WEBHOOK_URL_NOT_ALLOWED: localhost resolves to (127\.0\.0\.1|::1)/);
    expect(receiver.to('/moved')).toHaveLength(0);
    await t.ok(UPDATE, { input: { endpointId: id, enabled: false } });
  });

  it('validates updates the same way, and changes nothing on refusal', async () => {
    const { id } = await createEndpoint('/update');
    const data = await t.ok(UPDATE, { input: { endpointId: id, url: 'https://10.1.2.3/x', description: 'x'.repeat(4001) } });
    expect(data.updateWebhookEndpoint.userErrors.map((e) => e.code).sort()).toEqual(['VALIDATION_FAILED', 'WEBHOOK_URL_NOT_ALLOWED']);
    const ok = await t.ok(UPDATE, { input: { endpointId: id, description: '  ERP  ', eventTypes: ['INVOICE_FINALIZED', 'LEDGER_ENTRY', 'LEDGER_ENTRY'] } });
    expect(ok.updateWebhookEndpoint.endpoint).toMatchObject({
      url: receiver.url('/update'),
      description: 'ERP',
      eventTypes: ['INVOICE_FINALIZED', 'LEDGER_ENTRY'],
    });
    const test = await t.ok(UPDATE, { input: { endpointId: id, eventTypes: ['WEBHOOK_TEST'] } });
    expect(test.updateWebhookEndpoint.userErrors).toMatchObject([{ code: 'VALIDATION_FAILED', field: ['input', 'eventTypes'] }]);
    const missing = await t.ok(UPDATE, { input: { endpointId: randomUUID(), enabled: false } });
    expect(missing.updateWebhookEndpoint.userErrors).toMatchObject([{ code: 'NOT_FOUND' }]);
  });

  it('allows at most 10 endpoints per partner', async () => {
    const partner = await activePartner(t);
    const make = () => t.ok(CREATE, { input: { partnerId: partner.id, url: receiver.url('/limit') } }, partner.ownerToken);
    const results = await Promise.all(Array.from({ length: 12 }, make));
    const codes = results.map((r) => r.createWebhookEndpoint.userErrors[0]?.code ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(10);
    expect(codes.filter((c) => c === 'LIMIT_REACHED')).toHaveLength(2);
    const list = await t.ok(WebhookEndpointsDocument, { p: partner.id }, partner.ownerToken);
    expect(list.webhookEndpoints.totalCount).toBe(10);
  });
});

describe('several instances', () => {
  it('delivers each event once per endpoint when two instances share the work', async () => {
    const second = await attachTestApp(t.databaseUrl, {
      webhooks: { allowedHosts: new Set([receiver.host]), retryScheduleSeconds: [0.2], timeoutMs: TIMEOUT_MS },
    });
    try {
      const paths = Array.from({ length: 6 }, (_, i) => `/shared-${i}`);
      alpha = await activePartner(t);
      for (const path of paths) {
        const data = await second.ok(CREATE, { input: { partnerId: alpha.id, url: receiver.url(path) } });
        expect(data.createWebhookEndpoint.userErrors).toEqual([]);
      }
      const sequences: string[] = [];
      for (let i = 0; i < 10; i++) sequences.push(...(await writeEvents(3, alpha.id, i % 2 ? second : t)));
      await receiver.waitFor(() => paths.every((p) => receiver.to(p).length >= sequences.length), 'every endpoint');
      // Nothing more arrives: a sentinel event written last closes each endpoint's stream (delivered in sequence
      // order), so a duplicate sent by either instance would come before it.
      const [sentinel] = await writeEvents(1, alpha.id);
      await receiver.waitFor(() => paths.every((p) => ids(receiver.to(p)).includes(sentinel)), 'the sentinel at every endpoint');
      for (const path of paths) expect(ids(receiver.to(path)), path).toEqual([...sequences, sentinel]);
    } finally {
      await second.close();
    }
  });
});

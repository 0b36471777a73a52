// Webhook receivers of two kinds (SPEC §19): a slow endpoint next to a fast one (endpoints never hold each other
// up), and the example receiver of the README (examples/webhook-receiver.mjs) run as its own process: it verifies
// with the standardwebhooks library, refuses a forged delivery and recognises a replay by its webhook-id.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../src/app/embedded-postgres';
import { appendEvents, eventTransaction } from '../../src/event-log/event-log';
import { activePartner, type TestPartner } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';
import {
  AdjustRebateBalanceDocument,
  CreateWebhookEndpointDocument as CREATE,
  ReplayWebhookEndpointDocument,
  WebhookDeliveriesDocument,
} from '../generated/graphql';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'webhook-receiver.mjs');
const SLOW_MS = 1500;

let t: TestApp;
let receiver: WebhookReceiver;
let examplePort: number;
let example: ChildProcess | null = null;

async function createEndpoint(partner: TestPartner, url: string): Promise<{ id: string; secret: string }> {
  const data = await t.ok(CREATE, { input: { partnerId: partner.id, url } });
  expect(data.createWebhookEndpoint.userErrors).toEqual([]);
  return { id: data.createWebhookEndpoint.endpoint!.id, secret: data.createWebhookEndpoint.secret! };
}

/** `count` status-change events of the partner in one transaction; their sequences. */
async function writeEvents(partner: TestPartner, count: number): Promise<string[]> {
  const entityIds = Array.from({ length: count }, () => randomUUID());
  await eventTransaction(t.app.ds, (manager) =>
    appendEvents(
      manager,
      entityIds.map((entityId) => ({ partnerId: partner.id, type: 'DEAL_STATUS_CHANGED' as const, entityId, status: 'APPROVED', occurredAt: new Date() })),
    ),
  );
  const rows: { sequence: string }[] = await t.app.ds.query('SELECT sequence::text AS sequence FROM events WHERE entity_id = ANY ($1) ORDER BY sequence', [
    entityIds,
  ]);
  return rows.map((r) => r.sequence);
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  examplePort = await freePort();
  t = await setupTestApp({
    webhooks: { allowedHosts: new Set([receiver.host, `127.0.0.1:${examplePort}`]), retryScheduleSeconds: [0.2, 0.2], timeoutMs: 5000 },
  });
});

afterAll(async () => {
  if (example && example.exitCode === null) example.kill('SIGKILL');
  await t?.close();
  await receiver?.close();
});

it('a slow endpoint holds up nobody: the fast one of the same partner gets all its events meanwhile', async () => {
  receiver.respond('/slow', () => ({ status: 200, delayMs: SLOW_MS }));
  const partner = await activePartner(t);
  await createEndpoint(partner, receiver.url('/slow'));
  await createEndpoint(partner, receiver.url('/fast'));
  const sequences = await writeEvents(partner, 5);
  await receiver.waitFor(() => receiver.to('/fast').length >= 5, 'the fast endpoint');
  expect(receiver.to('/fast').map((r) => r.headers['webhook-id'])).toEqual(sequences);
  const [slowFirst] = receiver.to('/slow');
  expect(slowFirst.headers['webhook-id']).toBe(sequences[0]);
  // Every event reached the fast endpoint while the slow one was still answering its first.
  expect(receiver.to('/fast')[4].at).toBeLessThan(slowFirst.at + SLOW_MS);
  expect(receiver.to('/slow')).toHaveLength(1);
  // ...and the slow one still gets everything, in order, one at a time.
  await receiver.waitFor(() => receiver.to('/slow').length >= 2, 'the slow endpoint');
  expect(receiver.to('/slow')[1].headers['webhook-id']).toBe(sequences[1]);
  expect(receiver.to('/slow')[1].at - slowFirst.at).toBeGreaterThanOrEqual(SLOW_MS - 20);
});

/** Starts examples/webhook-receiver.mjs; resolves its output so far, as it grows. */
function startExample(secret: string): Promise<{ output: () => string }> {
  let output = '';
  example = spawn(process.execPath, [EXAMPLE], {
    env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(examplePort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  example.stdout!.on('data', (chunk) => (output += chunk));
  example.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const started = setInterval(() => {
      if (!output.includes('webhook receiver on')) return;
      clearInterval(started);
      resolve({ output: () => output });
    }, 20);
    example!.once('exit', (code) => {
      clearInterval(started);
      reject(new Error(`the example receiver exited (${code}): ${output}`));
    });
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('the example receiver verifies deliveries, refuses a forged one and skips a replayed webhook-id', async () => {
  const partner = await activePartner(t);
  const endpoint = await createEndpoint(partner, `http://127.0.0.1:${examplePort}/webhooks`);
  const { output } = await startExample(endpoint.secret);

  const [deal] = await writeEvents(partner, 1);
  const adjusted = await t.ok(AdjustRebateBalanceDocument, { input: { partnerId: partner.id, amount: '12.50', reason: 'example receiver' } });
  const entry = adjusted.adjustRebateBalance.entry!;
  await until(() => output().includes(`event ${entry.sequence}:`), 'both events at the example receiver');
  expect(output()).toContain(`event ${deal}: DEAL_STATUS_CHANGED`);
  expect(output()).toContain(`event ${entry.sequence}: LEDGER_ENTRY ${entry.id} ADJUSTMENT ADJUSTMENT 12.50 → balance 12.50`);

  // A replay sends the same webhook-ids again: the receiver answers 2xx and does not process them twice.
  await t.ok(ReplayWebhookEndpointDocument, {
    input: { endpointId: endpoint.id, after: (BigInt(deal) - 1n).toString() },
  });
  await until(() => output().includes(`event ${entry.sequence} already processed`), 'the replay');
  expect(output()).toContain(`event ${deal} already processed`);

  // A delivery signed with another secret is refused with 400 (and so would be retried by a real sender).
  const forged = await fetch(`http://127.0.0.1:${examplePort}/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': '999',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': 'v1,Zm9yZ2Vk',
    },
    body: '{"type":"LEDGER_ENTRY"}',
  });
  expect(forged.status).toBe(400);
  expect(output()).not.toContain('event 999');

  const recorded = async () => (await t.ok(WebhookDeliveriesDocument, { id: endpoint.id, first: 50 })).webhookEndpoint!.deliveries.edges.map((e) => e.node);
  await expect.poll(async () => (await recorded()).length, { timeout: 5000 }).toBe(4);
  expect((await recorded()).map((n) => [n.sequence, n.responseStatus, n.succeeded])).toEqual([
    [entry.sequence, 204, true],
    [deal, 204, true],
    [entry.sequence, 204, true],
    [deal, 204, true],
  ]);
});

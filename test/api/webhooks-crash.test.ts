// kill -9 of the API instance while webhook deliveries are pending (SPEC §19: at least once, never skipped). The
// instance is a real child process (node dist/src/main.js, built by `npm test`'s pretest, or here when stale); this
// test's own App is a second, passive instance (no worker) used to write the events.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendEvents, eventTransaction } from '../../src/event-log/event-log';
import { activePartner } from '../support/factories';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';
import { CreateWebhookEndpointDocument } from '../generated/graphql';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');
let t: TestApp;
let receiver: WebhookReceiver;
const children: ChildProcess[] = [];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** dist/ as npm run build makes it, rebuilt when any source is newer. */
function ensureBuilt(): void {
  const sources = Math.max(newestMtime(path.join(ROOT, 'src')), newestMtime(path.join(ROOT, 'migrations')));
  if (fs.existsSync(MAIN) && fs.statSync(MAIN).mtimeMs >= sources) return;
  const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], {
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
}

/** Starts an API instance and resolves once it serves. */
function startInstance(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: t.databaseUrl,
      PORT: '0',
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      DEMO: '0',
      WEBHOOK_ALLOWED_HOSTS: receiver.host,
      WEBHOOK_RETRY_SCHEDULE: '0.2,0.2,0.2',
      WEBHOOK_TIMEOUT_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('ready at')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`instance exited (${code}) before it was ready: ${out}`)));
  });
}

beforeAll(async () => {
  ensureBuilt();
  receiver = await startWebhookReceiver();
  t = await setupTestApp({ clock: 'system', webhooks: { allowedHosts: new Set([receiver.host]), worker: false } });
}, 240_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await t?.close();
  await receiver?.close();
});

it('after kill -9 with deliveries pending, a restarted instance sends every event, in order, none skipped', async () => {
  const partner = await activePartner(t);
  const created = await t.ok(CreateWebhookEndpointDocument, {
    input: { partnerId: partner.id, url: receiver.url('/crash') },
  });
  const endpointId = created.createWebhookEndpoint.endpoint!.id;
  receiver.respond('/crash', () => ({ status: 200, delayMs: 60 })); // slow enough to be killed mid-stream
  const entityIds = Array.from({ length: 40 }, () => randomUUID());
  await eventTransaction(t.app.ds, (manager) =>
    appendEvents(
      manager,
      entityIds.map((entityId) => ({ partnerId: partner.id, type: 'DEAL_STATUS_CHANGED' as const, entityId, status: 'APPROVED', occurredAt: new Date() })),
    ),
  );
  const sequences = (
    (await t.app.ds.query('SELECT sequence::text AS sequence FROM events WHERE entity_id = ANY ($1) ORDER BY events.sequence', [entityIds])) as {
      sequence: string;
    }[]
  ).map((r) => r.sequence);

  const first = await startInstance();
  await receiver.waitFor(() => receiver.to('/crash').length >= 10, '10 deliveries by the first instance');
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const beforeRestart = receiver.to('/crash').length;
  expect(beforeRestart).toBeLessThan(sequences.length); // it died with deliveries pending
  const [{ lease_owner: deadOwner }] = await t.app.ds.query('SELECT lease_owner FROM webhook_endpoints WHERE id = $1', [endpointId]);
  expect(deadOwner).not.toBeNull(); // the dead instance's lease is still there; it expires

  const second = await startInstance();
  await receiver.waitFor(
    () => new Set(receiver.to('/crash').map((r) => r.headers['webhook-id'])).size === sequences.length,
    'every event after the restart',
    30_000,
  );
  second.kill('SIGTERM');
  await new Promise((resolve) => second.once('exit', resolve));

  const ids = receiver.to('/crash').map((r) => r.headers['webhook-id']);
  expect([...new Set(ids)]).toEqual(sequences); // nothing skipped, in order
  expect(ids.length - sequences.length).toBeLessThanOrEqual(1); // at most the event in flight, again
  const rows: { sequence: string; ok: number }[] = await t.app.ds.query(
    `SELECT d.sequence::text AS sequence, count(*) FILTER (WHERE d.succeeded)::int AS ok
       FROM webhook_deliveries d WHERE d.endpoint_id = $1 GROUP BY d.sequence ORDER BY d.sequence`,
    [endpointId],
  );
  expect(rows.map((r) => r.sequence)).toEqual(sequences);
  expect(rows.every((r) => r.ok === 1)).toBe(true);
  const [endpoint] = await t.app.ds.query('SELECT cursor::text, status FROM webhook_endpoints WHERE id = $1', [endpointId]);
  expect(endpoint).toEqual({ cursor: sequences.at(-1), status: 'ENABLED' });
}, 120_000);

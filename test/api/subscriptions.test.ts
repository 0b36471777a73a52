// Subscriptions over a real WebSocket (graphql-ws) against a real PostgreSQL (SPEC §13): replay + live, resume,
// several instances, ordering under concurrent writers, a dropped LISTEN connection, authorization and limits.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { App } from '../../src/app/app';
import type { RunningServer } from '../../src/app/server';
import type { ActivityType } from '../../src/event-log/event.entity';
import { appendEvent, appendEvents } from '../../src/event-log/event-log';
import { activePartner, tokenFor, type TestPartner } from '../support/factories';
import { ADMIN_TOKEN, attachTestApp, setupTestApp, type TestApp } from '../support/test-app';
import { wsClient, type Collector, type WsClient } from '../support/ws-client';
import {
  AdjustBalanceForStreamDocument,
  CreateApiTokenDocument,
  PartnerActivityDocument,
  RebateAccrualsDocument,
  RebateAccrualsWithTokensDocument,
  RevokeApiTokenDocument,
  type RebateAccrualsWithTokensSubscription,
} from '../generated/graphql';

let t: TestApp;
let server: RunningServer;
let alpha: TestPartner;
let beta: TestPartner;
const clients: WsClient[] = [];

function connect(token: string | null, url = server.url): WsClient {
  const client = wsClient(url, token);
  clients.push(client);
  return client;
}

async function maxSequence(): Promise<string> {
  const [row] = await t.app.ds.query('SELECT coalesce(max(sequence), 0)::text AS max FROM events');
  return row.max;
}

async function adjust(via: TestApp, partnerId: string, amount: string): Promise<{ id: string; sequence: string; amount: string }> {
  const data = await via.ok(AdjustBalanceForStreamDocument, { input: { partnerId, amount, reason: 'stream test' } });
  expect(data.adjustRebateBalance.userErrors).toEqual([]);
  return data.adjustRebateBalance.entry!;
}

/** Status-change events written straight through appendEvents, in one transaction. */
async function writeActivity(app: App, partnerId: string, count: number, type: ActivityType = 'DEAL_STATUS_CHANGED'): Promise<string[]> {
  const entityIds = Array.from({ length: count }, () => randomUUID());
  await app.ds.transaction((manager) =>
    appendEvents(
      manager,
      entityIds.map((entityId) => ({ partnerId, type, entityId, status: 'APPROVED', occurredAt: new Date() })),
    ),
  );
  // The sequences are final only once committed.
  const rows: { sequence: string }[] = await app.ds.query('SELECT sequence::text FROM events WHERE entity_id = ANY($1) ORDER BY sequence', [entityIds]);
  return rows.map((r) => r.sequence);
}

async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Subscriptions with `after` omitted start at the bus position when registered: wait for that before writing. */
const waitForSubscribers = (app: App, count: number) => waitUntil(() => app.eventBus.subscriberCount >= count, `${count} subscribers`);

const sequences = (c: Collector) => c.items<{ sequence: string }>().map((item) => item.sequence);

/**
 * "Nothing else arrives", without a fixed sleep: a sentinel event is written after the expected ones and the stream
 * is read until the sentinel arrives. Streams deliver in sequence order, so anything still due to be sent would sit
 * before it. Returns the items before the sentinel.
 */
async function itemsBeforeSentinel<T = any>(c: Collector, writeSentinel: () => Promise<string>): Promise<T[]> {
  const sentinel = await writeSentinel();
  await waitUntil(() => sequences(c).includes(sentinel), `the sentinel ${sentinel}`);
  return c.items<T>().slice(0, sequences(c).indexOf(sentinel));
}
/** Sentinels: an accrual of alpha's (0.01), a status change of alpha's. */
const accrualSentinel =
  (via: TestApp = t) =>
  async () =>
    (await adjust(via, alpha.id, '0.01')).sequence;
const activitySentinel =
  (app: App = t.app) =>
  async () =>
    (await writeActivity(app, alpha.id, 1))[0];

function expectStrictlyIncreasing(seqs: string[]): void {
  for (let i = 1; i < seqs.length; i++) expect(BigInt(seqs[i]) > BigInt(seqs[i - 1]), `${seqs[i - 1]} then ${seqs[i]}`).toBe(true);
}

const errorCodes = (c: Collector): string[] => c.errors.flatMap((e) => (Array.isArray(e) ? e : [e])).map((e) => e?.extensions?.code ?? e?.code);

beforeAll(async () => {
  t = await setupTestApp();
  server = await t.startHttp();
  alpha = await activePartner(t);
  beta = await activePartner(t);
});

afterAll(async () => {
  for (const client of clients) await client.dispose().catch(() => {});
  await t?.close();
});

describe('rebateAccruals and partnerActivity', () => {
  it('replays every entry after the given sequence, then streams live ones, in order and without duplicates', async () => {
    // A partner of its own: the running balances below start from its zero, whatever other tests did to alpha.
    const fresh = await activePartner(t);
    const start = await maxSequence();
    const replayed = [
      await adjust(t, fresh.id, '100.00'),
      await adjust(t, fresh.id, '50.25'),
      await adjust(t, beta.id, '7.00'),
      await adjust(t, fresh.id, '1.10'),
    ];
    const ws = connect(fresh.ownerToken);
    const accruals = ws.subscribe(RebateAccrualsDocument, { partnerId: fresh.id, after: start });
    await accruals.waitForItems(3);

    const live = [await adjust(t, fresh.id, '2.00'), await adjust(t, beta.id, '3.00'), await adjust(t, fresh.id, '4.00')];
    await accruals.waitForItems(5);
    const items = await itemsBeforeSentinel(accruals, async () => (await adjust(t, fresh.id, '0.01')).sequence);
    const expected = [...replayed, ...live].filter((_, i) => ![2, 5].includes(i));
    expect(items.map((i) => i.id)).toEqual(expected.map((e) => e.id));
    expect(items.map((i) => i.sequence)).toEqual(expected.map((e) => e.sequence));
    expect(items.map((i) => i.amount)).toEqual(['100.00', '50.25', '1.10', '2.00', '4.00']);
    expect(items.map((i) => i.balanceAfter)).toEqual(['100.00', '150.25', '151.35', '153.35', '157.35']);
    expect(items.every((i) => i.kind === 'ADJUSTMENT' && i.partner.id === fresh.id)).toBe(true);
    expectStrictlyIncreasing(sequences(accruals));
    expect(accruals.errors).toEqual([]);
  });

  it('streams status changes as ActivityEvents and never a ledger entry', async () => {
    const start = await maxSequence();
    const dealEvents = await writeActivity(t.app, alpha.id, 3);
    await adjust(t, alpha.id, '5.00');
    const partner = await activePartner(t); // PARTNER_STATUS_CHANGED events of another partner
    const ws = connect(ADMIN_TOKEN);
    const mine = ws.subscribe(PartnerActivityDocument, { partnerId: alpha.id, after: start });
    const all = ws.subscribe(PartnerActivityDocument, { partnerId: null, after: start });
    await mine.waitForItems(3);
    const table: { sequence: string }[] = await t.app.ds.query(
      `SELECT e.sequence::text FROM events e WHERE e.sequence > $1 AND e.type <> 'LEDGER_ENTRY' ORDER BY e.sequence`,
      [start],
    );
    await all.waitForItems(table.length);
    const sentinel = activitySentinel();
    const mineBefore = await itemsBeforeSentinel<{ sequence: string }>(mine, sentinel);
    // The one sentinel reaches both streams (alpha's event): written once, awaited on the second stream too.
    const allBefore = await itemsBeforeSentinel<{ sequence: string }>(all, async () => sequences(mine)[mineBefore.length]);
    expect(mineBefore.map((i) => i.sequence)).toEqual(dealEvents);
    expect(mine.items<any>()[0]).toMatchObject({ partnerId: alpha.id, type: 'DEAL_STATUS_CHANGED', status: 'APPROVED' });
    expect(allBefore.map((i) => i.sequence)).toEqual(table.map((r) => r.sequence));
    expect(
      all
        .items<any>()
        .filter((e) => e.partnerId === partner.id)
        .map((e) => e.type),
    ).toContain('PARTNER_STATUS_CHANGED');
  });

  it('with after omitted streams only events committed from now on', async () => {
    await adjust(t, alpha.id, '1.00'); // before: never sent
    const ws = connect(alpha.ownerToken);
    const before = t.app.eventBus.subscriberCount;
    const accruals = ws.subscribe(RebateAccrualsDocument, {});
    await waitForSubscribers(t.app, before + 1);
    const fresh = [await adjust(t, alpha.id, '2.00'), await adjust(t, alpha.id, '3.00')];
    await accruals.waitForItems(2);
    expect((await itemsBeforeSentinel(accruals, accrualSentinel())).map((i) => i.id)).toEqual(fresh.map((e) => e.id));
  });

  it('refuses an after that is not a decimal integer string', async () => {
    const ws = connect(ADMIN_TOKEN);
    for (const after of ['abc', '-1', '1.5', '', '1e3', '99999999999999999999']) {
      const c = ws.subscribe(PartnerActivityDocument, { after });
      await c.waitForEnd();
      expect(errorCodes(c), after).toEqual(['BAD_USER_INPUT']);
      expect(c.data).toEqual([]);
    }
  });

  it('gives a subscriber that reconnects with its last sequence exactly the events it missed', async () => {
    const integrator = await tokenFor(t, alpha, 'INTEGRATOR');
    const start = await maxSequence();
    const first = connect(integrator);
    const before = first.subscribe(RebateAccrualsDocument, { after: start });
    const seen = [await adjust(t, alpha.id, '10.00'), await adjust(t, alpha.id, '11.00')];
    await before.waitForItems(2);
    const last = before.items<any>()[1].sequence;
    await first.dispose();

    const missed = [await adjust(t, alpha.id, '12.00'), await adjust(t, beta.id, '99.00'), await adjust(t, alpha.id, '13.00')];
    const second = connect(integrator);
    const after = second.subscribe(RebateAccrualsDocument, { after: last });
    await after.waitForItems(2);
    const live = await adjust(t, alpha.id, '14.00');
    await after.waitForItems(3);
    expect(before.items<any>().map((i) => i.id)).toEqual(seen.map((e) => e.id));
    expect((await itemsBeforeSentinel(after, accrualSentinel())).map((i) => i.id)).toEqual([missed[0].id, missed[2].id, live.id]);
  });
});

describe('authorization over graphql-ws', () => {
  it('refuses a partner token subscribing to another partner, or to every partner', async () => {
    const ws = connect(alpha.ownerToken);
    for (const variables of [{ partnerId: beta.id }, { partnerId: null }]) {
      for (const document of [RebateAccrualsDocument, PartnerActivityDocument]) {
        const c = ws.subscribe(document, { ...variables, after: '0' });
        await c.waitForEnd();
        expect(errorCodes(c)).toEqual(['FORBIDDEN']);
        expect(c.data).toEqual([]);
      }
    }
  });

  it('gives a partner token its own partner when partnerId is omitted, and ADMIN every partner when it is null', async () => {
    const start = await maxSequence();
    const own = connect(alpha.ownerToken).subscribe(RebateAccrualsDocument, { after: start });
    const admin = connect(ADMIN_TOKEN).subscribe(RebateAccrualsDocument, { partnerId: null, after: start });
    const a = await adjust(t, alpha.id, '1.00');
    const b = await adjust(t, beta.id, '2.00');
    await admin.waitForItems(2);
    await own.waitForItems(1);
    const ownBefore = await itemsBeforeSentinel(own, accrualSentinel());
    const adminBefore = await itemsBeforeSentinel(admin, async () => sequences(own)[ownBefore.length]);
    expect(ownBefore.map((i) => i.id)).toEqual([a.id]);
    expect(adminBefore.map((i) => i.id)).toEqual([a.id, b.id]);
  });

  it("shares an event's result between identical subscriptions of one role, never across roles", async () => {
    const viewerToken = await tokenFor(t, alpha, 'PARTNER_VIEWER');
    const start = await maxSequence();
    const document = RebateAccrualsWithTokensDocument;
    const before = t.app.eventBus.subscriberCount;
    // The viewer first, so that without the role in the sharing key the owners would get its error.
    const viewer = connect(viewerToken).subscribe(document, { after: start });
    await waitForSubscribers(t.app, before + 1);
    const owners = [connect(alpha.ownerToken), connect(alpha.ownerToken)].map((ws) => ws.subscribe(document, { after: start }));
    await waitForSubscribers(t.app, before + 3); // live, so all three see the same event object
    await adjust(t, alpha.id, '1.00');
    await Promise.all(owners.map((c) => c.waitForItems(1)));
    await viewer.waitFor((c) => c.errors.length > 0, 10_000, "the viewer's error");
    for (const owner of owners)
      expect(owner.items<RebateAccrualsWithTokensSubscription['rebateAccruals']>()[0].partner.apiTokens.map((tk) => tk.role)).toContain('PARTNER_VIEWER');
    expect(viewer.data).toEqual([]);
    expect(errorCodes(viewer)).toEqual(['FORBIDDEN']);
  });

  it('gives subscribers of one partner with different selections, variables and after each their own exact shape', async () => {
    const start = await maxSequence();
    const earlier = await adjust(t, alpha.id, '2.00');
    // `after` chooses the events only; `$full` changes the shape of each one.
    const withFlag = `subscription($after: String, $full: Boolean!) { rebateAccruals(after: $after) { sequence amount @include(if: $full) } }`;
    const idKind = `subscription($after: String) { rebateAccruals(after: $after) { id kind } }`;
    const before = t.app.eventBus.subscriberCount;
    const full = connect(alpha.ownerToken).subscribe(withFlag, { after: start, full: true });
    const bare = connect(alpha.ownerToken).subscribe(withFlag, { after: earlier.sequence, full: false });
    const other = connect(alpha.ownerToken).subscribe(idKind, { after: earlier.sequence });
    await full.waitForItems(1); // the replay
    await waitForSubscribers(t.app, before + 3);
    const live = await adjust(t, alpha.id, '3.00');
    const sentinel = await adjust(t, alpha.id, '0.01'); // anything extra would arrive before it
    await Promise.all([full.waitForItems(3), bare.waitForItems(2), other.waitForItems(2)]);
    expect(full.items()).toEqual([
      { sequence: earlier.sequence, amount: earlier.amount },
      { sequence: live.sequence, amount: live.amount },
      { sequence: sentinel.sequence, amount: sentinel.amount },
    ]);
    expect(bare.items()).toEqual([{ sequence: live.sequence }, { sequence: sentinel.sequence }]);
    expect(other.items()).toEqual([
      { id: live.id, kind: 'ADJUSTMENT' },
      { id: sentinel.id, kind: 'ADJUSTMENT' },
    ]);
  });

  it("ends a revoked token's stream while another subscriber of the same selection and partner continues", async () => {
    const create = 'mutation($id: ID!) { createApiToken(input: { role: INTEGRATOR, partnerId: $id, name: "erp" }) { token apiToken { id } } }';
    const revoked = (await t.ok(create, { id: alpha.id }, alpha.ownerToken)).createApiToken;
    const kept = (await t.ok(create, { id: alpha.id }, alpha.ownerToken)).createApiToken;
    const document = `subscription { rebateAccruals { sequence } }`;
    const before = t.app.eventBus.subscriberCount;
    const revokedWs = connect(revoked.token);
    const gone = revokedWs.subscribe(document);
    const stays = connect(kept.token).subscribe(document);
    await waitForSubscribers(t.app, before + 2);
    const first = await adjust(t, alpha.id, '1.00');
    await Promise.all([gone.waitForItems(1), stays.waitForItems(1)]);
    await t.ok('mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }', { id: revoked.apiToken.id }, alpha.ownerToken);
    await gone.waitForEnd();
    const second = await adjust(t, alpha.id, '1.00');
    await stays.waitForItems(2);
    expect(sequences(stays)).toEqual([first.sequence, second.sequence]);
    expect(sequences(gone)).toEqual([first.sequence]);
    expect(revokedWs.closes.map((e) => e.code)).toContain(4403);
  });

  it('refuses an unknown partner id for ADMIN', async () => {
    const c = connect(ADMIN_TOKEN).subscribe(PartnerActivityDocument, { partnerId: randomUUID() });
    await c.waitForEnd();
    expect(errorCodes(c)).toEqual(['BAD_USER_INPUT']);
  });

  it('closes the connection (4403) without a token or with a bad one, and never sends data', async () => {
    for (const ws of [connect(null), connect('not-a-real-token'), wsClient(server.url, null, { authorization: 'Basic abc' })]) {
      clients.push(ws);
      const c = ws.subscribe(PartnerActivityDocument, { after: '0' });
      await c.waitForEnd();
      expect(c.data).toEqual([]);
      expect(ws.closes.map((e) => e.code)).toEqual([4403]);
    }
  });

  it('ends the streams of a token when it is revoked, and refuses its new subscriptions', async () => {
    const sweeping = await t.startHttp({ tokenSweepMs: 100 });
    const created = await t.ok(CreateApiTokenDocument, { input: { role: 'INTEGRATOR', partnerId: alpha.id, name: 'erp' } }, alpha.ownerToken);
    const ws = wsClient(sweeping.url, created.createApiToken.token!);
    clients.push(ws);
    const c = ws.subscribe(PartnerActivityDocument, { after: '0' });
    await c.waitFor((x) => x.data.length > 0, 15_000, 'the replay');
    await t.ok(RevokeApiTokenDocument, { input: { id: created.createApiToken.apiToken!.id } }, alpha.ownerToken);
    await c.waitForEnd();
    expect(ws.closes.map((e) => e.code)).toContain(4403);
  });

  it('applies the depth and alias limits to subscription documents', async () => {
    const ws = connect(ADMIN_TOKEN);
    let nested = 'id';
    for (let i = 0; i < 5; i++) nested = `partner { rebateLedger { edges { node { ${nested} } } } }`;
    const deep = ws.subscribe(`subscription { rebateAccruals(after: "0") { ${nested} } }`);
    const aliases = ws.subscribe(`subscription { partnerActivity(after: "0") { ${Array.from({ length: 40 }, (_, i) => `a${i}: sequence`).join(' ')} } }`);
    const unknown = ws.subscribe(`subscription { partnerActivity(after: "0") { nope } }`);
    for (const c of [deep, aliases, unknown]) {
      await c.waitForEnd();
      expect(c.data).toEqual([]);
      expect(errorCodes(c).length).toBeGreaterThan(0);
    }
    const messages = [deep, aliases].map((c) => JSON.stringify(c.errors));
    expect(messages[0]).toMatch(/depth/i);
    expect(messages[1]).toMatch(/alias/i);
    expect(errorCodes(unknown)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('several instances on one database', () => {
  let other: TestApp;
  let otherServer: RunningServer;

  beforeAll(async () => {
    other = await attachTestApp(t.databaseUrl);
    otherServer = await other.startHttp();
  });
  afterAll(async () => {
    await other?.close();
  });

  it('delivers to a subscriber on one instance the events committed through another', async () => {
    const start = await maxSequence();
    const onA = connect(ADMIN_TOKEN).subscribe(RebateAccrualsDocument, { partnerId: alpha.id, after: start });
    const onB = connect(ADMIN_TOKEN, otherServer.url).subscribe(PartnerActivityDocument, { after: start });
    const viaB = [await adjust(other, alpha.id, '3.00'), await adjust(other, alpha.id, '4.00')];
    const viaA = await writeActivity(t.app, beta.id, 2);
    const viaB2 = await writeActivity(other.app, alpha.id, 1);
    await onA.waitForItems(2);
    await onB.waitForItems(3);
    expect((await itemsBeforeSentinel(onA, accrualSentinel(other))).map((i) => i.id)).toEqual(viaB.map((e) => e.id));
    expect((await itemsBeforeSentinel<{ sequence: string }>(onB, activitySentinel(t.app))).map((i) => i.sequence)).toEqual([...viaA, ...viaB2]);
  });
});

describe('ordering and resilience', () => {
  it('shows a live subscriber a gap-free, strictly increasing sequence while 20 writers commit 50 events each concurrently', async () => {
    const start = await maxSequence();
    const ws = connect(ADMIN_TOKEN);
    const before = t.app.eventBus.subscriberCount;
    const live = ws.subscribe(PartnerActivityDocument, { partnerId: null });
    await waitForSubscribers(t.app, before + 1);
    expect(await maxSequence()).toBe(start);

    const partners = [alpha.id, beta.id];
    const writer = async (w: number) => {
      for (let tx = 0; tx < 5; tx++) {
        await sleep(Math.random() * 5);
        await t.app.ds.transaction(async (manager) => {
          await sleep(Math.random() * 3); // other work before the first event
          for (let i = 0; i < 10; i++) {
            await appendEvent(manager, {
              partnerId: partners[(w + i) % 2],
              type: 'PROJECT_STATUS_CHANGED',
              entityId: `w${w}-t${tx}-e${i}`,
              status: 'ACTIVE',
              occurredAt: new Date(),
            });
            if (Math.random() < 0.3) await sleep(Math.random() * 2);
          }
        });
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, w) => writer(w)));

    await live.waitForItems(1000, 30_000);
    const table: { sequence: string }[] = await t.app.ds.query('SELECT e.sequence::text FROM events e WHERE e.sequence > $1 ORDER BY e.sequence', [start]);
    expect(table).toHaveLength(1000);
    const received = (await itemsBeforeSentinel<{ sequence: string }>(live, activitySentinel())).map((i) => i.sequence);
    expectStrictlyIncreasing(received);
    expect(received).toEqual(table.map((r) => r.sequence));
  });

  it('loses and repeats nothing when the LISTEN connection is killed during a stream', async () => {
    const bus = t.app.eventBus;
    const start = await maxSequence();
    const connectionsBefore = bus.stats.connections;
    const stream = connect(ADMIN_TOKEN).subscribe(PartnerActivityDocument, { after: start });
    const written: string[] = [];
    for (let batch = 0; batch < 20; batch++) {
      if (batch === 6 || batch === 13) {
        await waitUntil(() => bus.backendPid !== null, 'the bus to be connected');
        const [{ killed }] = await t.app.ds.query('SELECT pg_terminate_backend($1) AS killed', [bus.backendPid]);
        expect(killed).toBe(true);
      }
      written.push(...(await writeActivity(t.app, batch % 2 ? alpha.id : beta.id, 10)));
      await sleep(20);
    }
    await stream.waitForItems(200, 20_000);
    expect((await itemsBeforeSentinel<{ sequence: string }>(stream, activitySentinel())).map((i) => i.sequence)).toEqual(written);
    expect(bus.stats.connections).toBeGreaterThanOrEqual(connectionsBefore + 2);
  });

  it('reads the table once per wake-up for the instance, not once per subscriber', async () => {
    const bus = t.app.eventBus;
    const subscribers: Collector[] = [];
    const before = bus.subscriberCount;
    for (let c = 0; c < 3; c++) {
      const ws = connect(c === 0 ? ADMIN_TOKEN : alpha.ownerToken);
      for (let s = 0; s < 10; s++) subscribers.push(ws.subscribe(PartnerActivityDocument, c === 0 && s < 5 ? { partnerId: null } : {}));
    }
    await waitForSubscribers(t.app, before + 30);
    await sleep(50);
    const reads = bus.stats.reads;
    const deliveries = bus.stats.deliveries;
    const started = Date.now();
    await writeActivity(t.app, alpha.id, 1);
    await Promise.all(subscribers.map((c) => c.waitForItems(1)));
    expect(bus.stats.deliveries - deliveries).toBeGreaterThanOrEqual(30);
    // The notification's read, plus the 1 s safety-net timer's: never one per subscriber.
    expect(bus.stats.reads - reads).toBeLessThanOrEqual(2 + Math.ceil((Date.now() - started) / 1000));
    for (const c of subscribers) c.unsubscribe();
  });

  it('disconnects a subscriber whose buffer overflows (4008 subscriber too slow) instead of growing memory', async () => {
    const bus = t.app.eventBus;
    const limit = bus.subscriberBufferLimit;
    // Earlier tests' subscribers would overflow too: close them first.
    for (const client of clients.splice(0)) await client.dispose();
    await waitUntil(() => bus.subscriberCount === 0, 'earlier subscriptions to end');
    bus.subscriberBufferLimit = 20;
    try {
      const ws = connect(ADMIN_TOKEN);
      const before = 0;
      const c = ws.subscribe(PartnerActivityDocument, { partnerId: null });
      await waitForSubscribers(t.app, before + 1);
      await writeActivity(t.app, beta.id, 200); // read in one page and pushed at once: more than 20 waiting
      await c.waitForEnd();
      await waitUntil(() => ws.closes.length > 0, 'the socket to close');
      expect(ws.closes).toEqual([{ code: 4008, reason: 'subscriber too slow' }]);
      expect(c.data.length).toBeLessThan(200);
      await waitUntil(() => bus.subscriberCount === before, 'the stream to unregister');
    } finally {
      bus.subscriberBufferLimit = limit;
    }
  });

  it('pings every connection and terminates one that stops answering', async () => {
    const quick = await t.startHttp({ keepAliveMs: 150 });
    const open = (autoPong: boolean) =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(quick.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { autoPong });
        socket.once('error', reject);
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_TOKEN}` } })));
        socket.once('message', (data) => (JSON.parse(String(data)).type === 'connection_ack' ? resolve(socket) : reject(new Error(String(data)))));
      });
    const dead = await open(false);
    const alive = await open(true);
    let pings = 0;
    alive.on('ping', () => pings++);
    const deadClosed = new Promise<number>((resolve) => dead.once('close', (code) => resolve(code)));
    expect(await deadClosed).toBe(1006); // terminated, no close frame
    await waitUntil(() => pings >= 2, 'two pings answered on the live socket'); // it outlives the dead one's terminate
    expect(alive.readyState).toBe(WebSocket.OPEN);
    expect(pings).toBeGreaterThanOrEqual(2);
    alive.close();
  });
});

// Behind a transaction pooler (SPEC §24): with TEST_POOLER_URL (CI: pgbouncer, pool_mode = transaction, in front of
// TEST_DATABASE_URL) every query of the App goes through the pooler while the event bus LISTENs on the direct URL,
// and a mutation committed through the pooler reaches a subscriber. Without a pooler configured the file is skipped.
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../support/global-setup';
import { activePartner } from '../support/factories';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';
import { wsClient, type WsClient } from '../support/ws-client';
import { PartnerActivityDocument } from '../generated/graphql';

const pooler = process.env.TEST_POOLER_URL;
let t: TestApp;
let ws: WsClient | null = null;

describe.skipIf(!pooler)('through a transaction pooler', () => {
  beforeAll(async () => {
    t = await setupTestApp();
  });
  afterAll(async () => {
    await ws?.dispose().catch(() => {});
    await t?.close();
  });

  it('runs the pool through the pooler in transaction mode and LISTENs directly; events still reach subscribers', async () => {
    const database = new URL(t.databaseUrl).pathname.slice(1);
    expect(new URL((t.app.ds.options as { url: string }).url).port).toBe(new URL(pooler!).port);
    const server = await t.startHttp();
    ws = wsClient(server.url, ADMIN_TOKEN);
    const [{ max }] = await t.app.ds.query('SELECT coalesce(max(sequence), 0)::text AS max FROM events');
    const activity = ws.subscribe(PartnerActivityDocument, { partnerId: null, after: max });
    const partner = await activePartner(t); // two PARTNER_STATUS_CHANGED events, committed through the pooler
    await activity.waitForItems(2, 15_000);
    expect(activity.items<{ partnerId: string }>().every((e) => e.partnerId === partner.id)).toBe(true);

    const admin = new Client({ connectionString: withDatabase(pooler!, 'pgbouncer') });
    await admin.connect();
    try {
      const { rows } = await admin.query('SHOW POOLS');
      const pool = rows.find((r) => r.database === database);
      expect(pool?.pool_mode).toBe('transaction');
    } finally {
      await admin.end();
    }
    // The LISTEN connection is a direct session on the server (a pooler would hand the session to others), and
    // pgbouncer never saw it as a client.
    const [listener] = await t.app.ds.query(`SELECT application_name FROM pg_stat_activity WHERE pid = $1`, [t.app.eventBus.backendPid]);
    expect(listener?.application_name).toBe('partner-program-api:event-bus');
    const console = new Client({ connectionString: withDatabase(pooler!, 'pgbouncer') });
    await console.connect();
    try {
      const { rows } = await console.query('SHOW CLIENTS');
      expect(rows.filter((r) => r.database === database && r.application_name === 'partner-program-api:event-bus')).toEqual([]);
      expect(rows.filter((r) => r.database === database).length).toBeGreaterThan(0);
    } finally {
      await console.end();
    }
  });
});

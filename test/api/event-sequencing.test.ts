// Event sequences without a global writer lock (SPEC §13, §24): writers commit concurrently, a month close runs
// alongside them, and subscribers still see every event once, in commit order, with nothing skipped.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app/server';
import type { EntitySubscriberInterface, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { appendEvents, EVENT_STAGE, eventTransaction, numberEventsFromNow } from '../../src/event-log/event-log';
import { verifyLedger } from '../../src/modules/rebates/ledger-verify';
import { closeMonth, createSubaccount, recordUsage, type Subaccount } from '../support/billing-fixtures';
import { activePartner, type TestPartner } from '../support/factories';
import { dealInput } from '../support/work-fixtures';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';
import { wsClient, type Collector, type WsClient } from '../support/ws-client';
import {
  AcceptSubaccountInvitationDocument,
  AdjustRebateBalanceDocument,
  CountedRegistrationDocument,
  CountedReviewDocument,
  CountedWithdrawalDocument,
  PartnerActivityDocument,
  RebateAccrualsDocument,
  ResumeSubaccountDocument,
  SuspendSubaccountDocument,
} from '../generated/graphql';

let t: TestApp;
let server: RunningServer;
const clients: WsClient[] = [];
const partners: { partner: TestPartner; sub: Subaccount }[] = [];

beforeAll(async () => {
  t = await setupTestApp({ now: '2025-12-20T09:00:00Z' });
  server = await t.startHttp();
  for (let i = 0; i < 6; i++) {
    const partner = await activePartner(t);
    partners.push({ partner, sub: await createSubaccount(t, partner, { accept: false }) });
  }
  await t.advanceTo('2026-01-01T06:00:00Z');
  for (const { sub } of partners) await t.ok(AcceptSubaccountInvitationDocument, { input: { customerId: sub.id } });
  await t.advanceTo('2026-02-02T06:00:00Z');
  for (const { sub } of partners) {
    await recordUsage(
      t,
      Array.from({ length: 20 }, (_, d) => ({
        billingAccountId: sub.billingAccountId,
        date: `2026-01-${String(d + 5).padStart(2, '0')}`,
        serviceId: 'compute',
        cost: '1000.50',
      })),
    );
  }
});

afterAll(async () => {
  for (const client of clients) await client.dispose().catch(() => {});
  await t?.close();
});

const sequences = (c: Collector) => c.items<{ sequence: string }>().map((item) => item.sequence);

async function maxSequence(): Promise<string> {
  const [row] = await t.app.ds.query('SELECT coalesce(max(sequence), 0)::text AS max FROM events');
  return row.max;
}

/** One ledger entry (an adjustment), then one activity event: their sequences, the last events written. */
async function writeSentinels(partnerId: string): Promise<[string, string]> {
  const r = await t.ok(AdjustRebateBalanceDocument, {
    input: { partnerId, amount: '1.00', reason: 'sentinel' },
  });
  expect(r.adjustRebateBalance.userErrors).toEqual([]);
  const entityId = `sentinel-${randomUUID()}`;
  await t.app.ds.transaction((manager) =>
    appendEvents(manager, [{ partnerId, type: 'DEAL_STATUS_CHANGED', entityId, status: 'APPROVED', occurredAt: new Date() }]),
  );
  const [row] = await t.app.ds.query('SELECT sequence::text AS sequence FROM events WHERE entity_id = $1', [entityId]);
  return [r.adjustRebateBalance.entry!.sequence, row.sequence];
}

describe('event sequencing without a global writer lock', () => {
  it('gives 20 writers racing a month close gap-free, commit-ordered sequences on every stream', async () => {
    const start = await maxSequence();
    const ws = wsClient(server.url, ADMIN_TOKEN);
    clients.push(ws);
    const activity = ws.subscribe(PartnerActivityDocument, { partnerId: null, after: start });
    const accruals = ws.subscribe(RebateAccrualsDocument, { partnerId: null, after: start });

    const writer = async (w: number) => {
      const { partner, sub } = partners[w % partners.length];
      for (let i = 0; i < 5; i++) {
        await sleep(Math.random() * 4);
        if (i % 2 === 0) {
          const r = await t.ok(AdjustRebateBalanceDocument, {
            input: { partnerId: partner.id, amount: '1.00', reason: `writer ${w}` },
          });
          expect(r.adjustRebateBalance.userErrors).toEqual([]);
          // The payload carries the final, committed sequence, never the provisional one.
          expect(BigInt(r.adjustRebateBalance.entry!.sequence) < EVENT_STAGE).toBe(true);
        } else if (i === 1) {
          const r = await t.ok(SuspendSubaccountDocument, { input: { customerId: sub.id } });
          const back = await t.ok(ResumeSubaccountDocument, { input: { customerId: sub.id } });
          expect(
            [r.suspendSubaccount.userErrors, back.resumeSubaccount.userErrors]
              .flat()
              .map((e) => e.code)
              .every((c: string) => c === 'INVALID_TRANSITION'),
          ).toBe(true);
        } else {
          // A writer outside eventTransaction: the deferred trigger numbers its events at commit.
          await t.app.ds.transaction(async (manager) => {
            await appendEvents(
              manager,
              Array.from({ length: 3 }, (_, k) => ({
                partnerId: partner.id,
                type: 'DEAL_STATUS_CHANGED' as const,
                entityId: `w${w}-${i}-${k}-${randomUUID()}`,
                status: 'APPROVED',
                occurredAt: new Date(),
              })),
            );
            await sleep(Math.random() * 3); // commit later than the insert
          });
        }
      }
    };
    const [closed] = await Promise.all([closeMonth(t, '2026-01'), ...Array.from({ length: 20 }, (_, w) => writer(w))]);
    expect(closed.userErrors).toEqual([]);
    expect(closed.invoicesFinalized).toBe(partners.length);

    const table: { sequence: string; type: string }[] = await t.app.ds.query(
      'SELECT e.sequence::text AS sequence, e.type FROM events e WHERE e.sequence > $1 ORDER BY e.sequence',
      [start],
    );
    const ledgerRows = table.filter((r) => r.type === 'LEDGER_ENTRY').map((r) => r.sequence);
    const activityRows = table.filter((r) => r.type !== 'LEDGER_ENTRY').map((r) => r.sequence);
    expect(ledgerRows.length).toBe(20 * 3);
    expect(table.filter((r) => r.type === 'INVOICE_FINALIZED')).toHaveLength(partners.length);
    await activity.waitForItems(activityRows.length, 20_000);
    await accruals.waitForItems(ledgerRows.length, 20_000);
    // Nothing more may arrive: a sentinel written on each stream after everything else closes it — a duplicate or a
    // stray event would be delivered before the sentinel, since each stream is in sequence order.
    const [ledgerSentinel, activitySentinel] = await writeSentinels(partners[0].partner.id);
    await accruals.waitFor((c) => sequences(c).includes(ledgerSentinel), 20_000, 'the ledger sentinel');
    await activity.waitFor((c) => sequences(c).includes(activitySentinel), 20_000, 'the activity sentinel');
    expect(sequences(activity)).toEqual([...activityRows, activitySentinel]);
    expect(sequences(accruals)).toEqual([...ledgerRows, ledgerSentinel]);
    expect(table.every((r) => BigInt(r.sequence) < EVENT_STAGE)).toBe(true);
    // Every ledger entry carries its event's final sequence, and the running balances chain.
    const [{ unmatched }] = await t.app.ds.query(
      `SELECT count(*)::int AS unmatched FROM ledger_entries l LEFT JOIN events e ON e.sequence = l.sequence AND e.type = 'LEDGER_ENTRY' WHERE e.sequence IS NULL`,
    );
    expect(unmatched).toBe(0);
    expect(await verifyLedger(t.app.ds.manager)).toEqual([]);
  });

  it('lets a writer commit in milliseconds while another event-writing transaction is still open', async () => {
    const { partner } = partners[0];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    // A long transaction that has written its events and keeps running (as a close does while it prices).
    const long = t.app.ds.transaction(async (manager) => {
      await appendEvents(manager, [{ partnerId: partner.id, type: 'DEAL_STATUS_CHANGED', entityId: randomUUID(), status: 'APPROVED', occurredAt: new Date() }]);
      inside();
      await held;
    });
    await entered;
    const started = performance.now();
    const r = await t.ok(AdjustRebateBalanceDocument, {
      input: { partnerId: partner.id, amount: '1.00', reason: 'while another writer is open' },
    });
    const elapsed = performance.now() - started;
    release();
    await long;
    expect(r.adjustRebateBalance.userErrors).toEqual([]);
    expect(elapsed).toBeLessThan(2000); // with a lock held from the first event it would wait for `release` forever
    // The long transaction committed last: its event comes after the adjustment.
    const [last] = await t.app.ds.query(`SELECT type FROM events ORDER BY sequence DESC LIMIT 1`);
    expect(last.type).toBe('DEAL_STATUS_CHANGED');
  });

  it('takes the sequence lock inside COMMIT: a writer whose commit is slow to start holds up no other writer', async () => {
    const { partner } = partners[1];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const atCommit = new Promise<void>((resolve) => (reached = resolve));
    let slow: QueryRunner | null = null;
    // Work between the callback and COMMIT (as the audit entry's INSERT is): with numbering as a statement of its own
    // before it, the sequence lock would be held here and every other writer would wait for `release`.
    const hook: EntitySubscriberInterface = {
      async beforeTransactionCommit(event: TransactionCommitEvent) {
        if (event.queryRunner !== slow) return;
        reached();
        await held;
      },
    };
    t.app.ds.subscribers.push(hook);
    try {
      const first = eventTransaction(t.app.ds, async (manager) => {
        slow = manager.queryRunner ?? null;
        await appendEvents(manager, [
          { partnerId: partner.id, type: 'DEAL_STATUS_CHANGED', entityId: randomUUID(), status: 'APPROVED', occurredAt: new Date() },
        ]);
      });
      await atCommit;
      const started = performance.now();
      const r = await t.ok(AdjustRebateBalanceDocument, {
        input: { partnerId: partner.id, amount: '1.00', reason: 'while another commit is about to start' },
      });
      const elapsed = performance.now() - started;
      release();
      await first;
      expect(r.adjustRebateBalance.userErrors).toEqual([]);
      expect(BigInt(r.adjustRebateBalance.entry!.sequence) < EVENT_STAGE).toBe(true);
      expect(elapsed).toBeLessThan(2000);
      const [last] = await t.app.ds.query(`SELECT type FROM events ORDER BY sequence DESC LIMIT 1`);
      expect(last.type).toBe('DEAL_STATUS_CHANGED'); // numbered at its own (later) commit
    } finally {
      release();
      t.app.ds.subscribers.splice(t.app.ds.subscribers.indexOf(hook), 1);
    }
  });

  it('numbers a transaction from numberEventsFromNow on: what it appended first, then final sequences as it writes; writers wait for its commit', async () => {
    const { partner } = partners[2];
    const event = (status: string) => ({ partnerId: partner.id, type: 'DEAL_STATUS_CHANGED' as const, entityId: randomUUID(), status, occurredAt: new Date() });
    const earlier = event('SUBMITTED');
    const later = [event('APPROVED'), event('ACTIVE')];
    let written: string[] = [];
    let writer: Promise<{ adjustRebateBalance: { entry: { sequence: string } | null } }> | null = null;
    await eventTransaction(t.app.ds, async (manager) => {
      const [staged] = await appendEvents(manager, [earlier]);
      expect(BigInt(staged) >= EVENT_STAGE).toBe(true); // provisional until numbered
      await numberEventsFromNow(manager);
      written = await appendEvents(manager, later);
      // Another writer's COMMIT now waits for the event-sequence lock until this transaction ends.
      writer = t.ok(AdjustRebateBalanceDocument, { input: { partnerId: partner.id, amount: '1.00', reason: 'while numbered' } });
      for (;;) {
        const [{ n }] = await t.app.ds.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 7262001 AND objsubid = 1 AND NOT granted`,
        );
        if (n > 0) break;
        await sleep(10);
      }
    });
    expect(written.every((sequence) => BigInt(sequence) < EVENT_STAGE)).toBe(true); // final as written
    const rows: { entity_id: string; sequence: string }[] = await t.app.ds.query(
      'SELECT entity_id, sequence::text AS sequence FROM events WHERE entity_id = ANY($1) ORDER BY sequence',
      [[earlier.entityId, ...later.map((e) => e.entityId)]],
    );
    expect(rows.map((r) => r.entity_id)).toEqual([earlier.entityId, ...later.map((e) => e.entityId)]); // in the order written
    expect(rows.slice(1).map((r) => r.sequence)).toEqual(written);
    expect(BigInt(rows[2].sequence) - BigInt(rows[0].sequence)).toBe(2n); // consecutive: no one numbered in between
    const entry = (await writer!).adjustRebateBalance.entry!;
    expect(BigInt(entry.sequence) > BigInt(rows[2].sequence)).toBe(true); // committed after it, numbered after it
  });
  it('gives 20 two-round-trip writers (withdrawals, registrations, reviews) racing a month close contiguous sequences in the order of their commits', async () => {
    await t.advanceTo('2026-03-02T06:00:00Z');
    for (const { partner } of partners) {
      await t.app.ds.query(`UPDATE partners SET bank_bic = '044525225', bank_account_number = '40702810438000034726', bank_name = 'Bank' WHERE id = $1`, [
        partner.id,
      ]);
      await t.ok(AdjustRebateBalanceDocument, { input: { partnerId: partner.id, amount: '100.00', reason: 'to withdraw' } });
    }
    const start = await maxSequence();
    const ws = wsClient(server.url, ADMIN_TOKEN);
    clients.push(ws);
    const activity = ws.subscribe(PartnerActivityDocument, { partnerId: null, after: start });
    const accruals = ws.subscribe(RebateAccrualsDocument, { partnerId: null, after: start });

    /** One writer's mutations, one after another: the ids whose events it caused, in that order. */
    const writer = async (w: number): Promise<string[]> => {
      const { partner } = partners[w % partners.length];
      const made: string[] = [];
      for (let i = 0; i < 2; i++) {
        await sleep(Math.random() * 4);
        const key = `race-${w}-${i}-${randomUUID()}`;
        const withdrawal = await t.ok(CountedWithdrawalDocument, {
          input: { partnerId: partner.id, amount: '1.00', destination: 'BANK_ACCOUNT', idempotencyKey: key },
        });
        expect(withdrawal.withdrawRebate.userErrors).toEqual([]);
        made.push(withdrawal.withdrawRebate.withdrawal!.id);
        const registered = await t.ok(CountedRegistrationDocument, { input: dealInput(partner) });
        expect(registered.registerDeal.userErrors).toEqual([]);
        const dealId = registered.registerDeal.deal!.id;
        made.push(dealId);
        const reviewed = await t.ok(CountedReviewDocument, { input: { dealId, decision: 'APPROVE', bonusRate: '0.05' } });
        expect(reviewed.reviewDeal.userErrors).toEqual([]);
        made.push(dealId);
      }
      return made;
    };
    const [closed, ...made] = await Promise.all([closeMonth(t, '2026-02'), ...Array.from({ length: 20 }, (_, w) => writer(w))]);
    expect(closed.userErrors).toEqual([]);

    const table: { sequence: string; type: string; entity_id: string; status: string }[] = await t.app.ds.query(
      'SELECT e.sequence::text AS sequence, e.type, e.entity_id, e.status FROM events e WHERE e.sequence > $1 ORDER BY e.sequence',
      [start],
    );
    // Gap-free: every sequence after `start` is taken, once (no sequence drawn and lost, none drawn twice).
    expect(table.map((r) => BigInt(r.sequence))).toEqual(table.map((_, i) => BigInt(start) + BigInt(i + 1)));
    expect(table.filter((r) => r.type === 'WITHDRAWAL_STATUS_CHANGED')).toHaveLength(40);
    expect(table.filter((r) => r.type === 'DEAL_STATUS_CHANGED')).toHaveLength(80);
    // Commit order: each writer's mutations, one after the other, have increasing sequences in the order it made them.
    const first = new Map<string, bigint[]>();
    for (const r of table) first.set(r.entity_id, [...(first.get(r.entity_id) ?? []), BigInt(r.sequence)]);
    for (const ids of made) {
      const seen = new Map<string, number>();
      const order = ids.map((id) => {
        const k = seen.get(id) ?? 0;
        seen.set(id, k + 1);
        return first.get(id)![k];
      });
      expect(order).toEqual([...order].sort((a, b) => (a < b ? -1 : 1)));
    }
    const ledgerRows = table.filter((r) => r.type === 'LEDGER_ENTRY').map((r) => r.sequence);
    const activityRows = table.filter((r) => r.type !== 'LEDGER_ENTRY').map((r) => r.sequence);
    const [ledgerSentinel, activitySentinel] = await writeSentinels(partners[0].partner.id);
    await accruals.waitFor((c) => sequences(c).includes(ledgerSentinel), 20_000, 'the ledger sentinel');
    await activity.waitFor((c) => sequences(c).includes(activitySentinel), 20_000, 'the activity sentinel');
    expect(sequences(activity)).toEqual([...activityRows, activitySentinel]);
    expect(sequences(accruals)).toEqual([...ledgerRows, ledgerSentinel]);
    // Every withdrawal's ledger entry carries its LEDGER_ENTRY event's sequence, and the running balances chain in
    // sequence order, the close's entries and the withdrawals' interleaved.
    const [{ unmatched }] = await t.app.ds.query(
      `SELECT count(*)::int AS unmatched FROM ledger_entries l LEFT JOIN events e ON e.sequence = l.sequence AND e.type = 'LEDGER_ENTRY' AND e.entity_id = l.id::text WHERE e.sequence IS NULL`,
    );
    expect(unmatched).toBe(0);
    expect(await verifyLedger(t.app.ds.manager)).toEqual([]);
  });

  it("draws a two-round-trip writer's sequences at its commit, under the event-sequence lock: after every event of the lock's holder", async () => {
    const { partner } = partners[3];
    const event = (status: string) => ({ partnerId: partner.id, type: 'DEAL_STATUS_CHANGED' as const, entityId: randomUUID(), status, occurredAt: new Date() });
    let holder: string[] = [];
    let withdrawal: Promise<{ withdrawRebate: { withdrawal: { id: string } | null; userErrors: unknown[] } }> | null = null;
    await eventTransaction(t.app.ds, async (manager) => {
      await numberEventsFromNow(manager);
      holder = await appendEvents(manager, [event('APPROVED')]);
      withdrawal = t.ok(CountedWithdrawalDocument, {
        input: { partnerId: partner.id, amount: '1.00', destination: 'BANK_ACCOUNT', idempotencyKey: `held-${randomUUID()}` },
      });
      for (let i = 0; ; i++) {
        if (i > 500) throw new Error('the withdrawal never waited for the event-sequence lock');
        const [{ n }] = await t.app.ds.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 7262001 AND objsubid = 1 AND NOT granted`,
        );
        if (n > 0) break;
        await sleep(10);
      }
      // The withdrawal waits at its commit; sequences this transaction draws now still come before its own.
      holder = [...holder, ...(await appendEvents(manager, [event('ACTIVE')]))];
    });
    const done = await withdrawal!;
    expect(done.withdrawRebate.userErrors).toEqual([]);
    const id = done.withdrawRebate.withdrawal!.id;
    const rows: { type: string; sequence: string }[] = await t.app.ds.query(
      `SELECT e.type, e.sequence::text AS sequence FROM events e
        WHERE e.entity_id = $1 OR e.entity_id IN (SELECT id::text FROM ledger_entries WHERE withdrawal_id = $1::uuid) ORDER BY e.sequence`,
      [id],
    );
    expect(rows.map((r) => r.type)).toEqual(['WITHDRAWAL_STATUS_CHANGED', 'LEDGER_ENTRY']);
    const last = BigInt(holder[holder.length - 1]);
    expect(rows.map((r) => BigInt(r.sequence))).toEqual([last + 1n, last + 2n]);
  });
});

// Round trips and SQL statements per event-writing mutation (bench:writers' mix: BANK withdrawal, deal registration,
// deal review), through the whole request path with a warm partner token. Each is two round trips to PostgreSQL —
// BEGIN with its locks and reads, then its writes with the audit entry, its events (under the event-sequence lock,
// with their final sequences) and COMMIT — and a statement more in
// either batch (a TypeORM hydration, a second balance read, a SAVEPOINT, a read after COMMIT) makes a number grow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountedRegistrationDocument, CountedReviewDocument, CountedWithdrawalDocument } from '../generated/graphql';
import { activePartner, tokenFor, type TestPartner } from '../support/factories';
import { countStatements } from '../support/statements';
import { setupTestApp, type TestApp } from '../support/test-app';
import { createSubaccount, dealInput } from '../support/work-fixtures';

let t: TestApp;
let partner: TestPartner;
let accountant: string;
/** How the commit batch ends: PostgreSQL 17+ commits asynchronously and flushes after COMMIT (durable-commit.ts). */
let commit: string[];

beforeAll(async () => {
  t = await setupTestApp({ clock: 'system' });
  partner = await activePartner(t);
  accountant = await tokenFor(t, partner, 'PARTNER_ACCOUNTANT');
  await t.app.ds.query(`UPDATE partners SET bank_bic = '044525225', bank_account_number = '40702810438000034726', bank_name = 'Bank' WHERE id = $1`, [
    partner.id,
  ]);
  await t.ok('mutation($input: AdjustRebateBalanceInput!) { adjustRebateBalance(input: $input) { userErrors { code } } }', {
    input: { partnerId: partner.id, amount: '1000.00', reason: 'bonus' },
  });
  await t.ok('{ now }', {}, accountant); // the token is warm from here on
  await t.ok(CountedRegistrationDocument, { input: dealInput(partner) }, partner.ownerToken); // and the write path
  const [{ ok }] = await t.app.ds.query(`SELECT current_setting('server_version_num')::int >= 170000 AS ok`);
  commit = ok ? ['SET', 'COMMIT', 'SELECT'] : ['COMMIT'];
});
afterAll(() => t.close());

/** Round trips (pg queries) and SQL statements (a batch holds several) of `run`, and the texts. */
async function counted<T>(run: () => Promise<T>): Promise<{ roundTrips: number; statements: string[]; value: T }> {
  let value!: T;
  const { count, texts } = await countStatements(async () => {
    value = await run();
  });
  return { roundTrips: count, statements: texts.flatMap((text) => text.split(';\n')).map((s) => s.replace(/\s+/g, ' ').trim()), value };
}

const kinds = (statements: string[]) => statements.map((s) => /^(\w+)/.exec(s)![1]);

/**
 * The event-sequence lock is taken by the statement that inserts the events, right before COMMIT, after every other
 * statement of the transaction (which may wait for other transactions' locks); the events carry final sequences.
 */
function expectSequenceLockLast(statements: string[]): void {
  const lockedAt = statements.findIndex((s) => s.includes('pg_advisory_xact_lock(7262001)'));
  expect(lockedAt).toBe(statements.findIndex((s) => s.startsWith('WITH') && s.includes('INSERT INTO events')));
  expect(statements.slice(lockedAt + 1).map((s) => /^(\w+)/.exec(s)![1])).toEqual(commit);
  expect(statements[lockedAt]).toContain(`nextval('event_sequence')`);
  expect(statements[lockedAt]).not.toContain('event_staging_sequence');
}

describe('round trips and statements per event-writing mutation', () => {
  it('withdrawal to the bank: 2 round trips, 9 statements (11 with the flush after an asynchronous COMMIT); balance, events and audit entry written', async () => {
    const { roundTrips, statements, value } = await counted(() =>
      t.ok(CountedWithdrawalDocument, { input: { partnerId: partner.id, amount: '10.00', destination: 'BANK_ACCOUNT', idempotencyKey: 'w-1' } }, accountant),
    );
    expect(value.withdrawRebate.userErrors).toEqual([]);
    expect(roundTrips).toBe(2);
    expect(kinds(statements)).toEqual(['BEGIN', 'SELECT', 'SELECT', 'SELECT', 'SELECT', 'SELECT', 'SELECT', 'WITH', 'WITH', ...commit]);
    expectSequenceLockLast(statements);
    const id = value.withdrawRebate.withdrawal!.id;
    const [ledger] = await t.app.ds.query(`SELECT id, amount::text, balance_after::text, sequence FROM ledger_entries WHERE withdrawal_id = $1`, [id]);
    expect(ledger).toMatchObject({ amount: '-10', balance_after: '990' });
    const events = await t.app.ds.query(`SELECT type, status, sequence FROM events WHERE entity_id = ANY($1) ORDER BY sequence`, [[id, ledger.id]]);
    expect(events.map((e: { type: string; status: string }) => [e.type, e.status])).toEqual([
      ['WITHDRAWAL_STATUS_CHANGED', 'PENDING'],
      ['LEDGER_ENTRY', 'WITHDRAWAL'],
    ]);
    expect(ledger.sequence).toBe(events[1].sequence); // the entry carries its event's final sequence
    const [final] = await t.app.ds.query(`SELECT count(*)::int AS n FROM events WHERE sequence >= 4611686018427387904`);
    expect(final.n).toBe(0); // inserted with final sequences
    const [audit] = await t.app.ds.query(`SELECT operation, outcome, entity_id FROM audit_entries WHERE entity_id = $1`, [id]);
    expect(audit).toEqual({ operation: 'withdrawRebate', outcome: 'SUCCEEDED', entity_id: id });

    // A replay reads and commits nothing: one round trip and a ROLLBACK.
    const replay = await counted(() =>
      t.ok(CountedWithdrawalDocument, { input: { partnerId: partner.id, amount: '10.00', destination: 'BANK_ACCOUNT', idempotencyKey: 'w-1' } }, accountant),
    );
    expect(replay.value.withdrawRebate.withdrawal!.id).toBe(id);
    expect(replay.roundTrips).toBe(3); // the read batch, ROLLBACK, and the call's audit entry written after it
  });

  it('deal registration: 2 round trips, 8 statements (10)', async () => {
    const { roundTrips, statements, value } = await counted(() => t.ok(CountedRegistrationDocument, { input: dealInput(partner) }, partner.ownerToken));
    expect(value.registerDeal.userErrors).toEqual([]);
    expect(value.registerDeal.deal!.status).toBe('SUBMITTED');
    expect(roundTrips).toBe(2);
    expect(kinds(statements)).toEqual(['BEGIN', 'SELECT', 'SELECT', 'SELECT', 'SELECT', 'SELECT', 'WITH', 'WITH', ...commit]);
    expectSequenceLockLast(statements);
  });

  it('deal review: 2 round trips, 7 statements (9), also when the approval activates the deal at once', async () => {
    for (const linked of [false, true]) {
      const inn = linked ? (await createSubaccount(t, partner)).inn : undefined;
      const registered = await t.ok(CountedRegistrationDocument, { input: dealInput(partner, inn ? { customerInn: inn } : {}) }, partner.ownerToken);
      const dealId = registered.registerDeal.deal!.id;
      const { roundTrips, statements, value } = await counted(() => t.ok(CountedReviewDocument, { input: { dealId, decision: 'APPROVE', bonusRate: '0.05' } }));
      expect(value.reviewDeal.userErrors).toEqual([]);
      expect(value.reviewDeal.deal!.status).toBe(linked ? 'ACTIVE' : 'APPROVED');
      expect(roundTrips).toBe(2);
      expect(kinds(statements)).toEqual(['BEGIN', 'SELECT', 'SELECT', 'SELECT', 'SELECT', 'WITH', 'WITH', ...commit]);
      expectSequenceLockLast(statements);
      const events = await t.app.ds.query(`SELECT status FROM events WHERE entity_id = $1 ORDER BY sequence`, [dealId]);
      expect(events.map((e: { status: string }) => e.status)).toEqual(linked ? ['SUBMITTED', 'APPROVED', 'ACTIVE'] : ['SUBMITTED', 'APPROVED']);
    }
  });

  it("numbers a commit's events with custom plans (a generic plan scanned the whole event log under the sequence lock)", async () => {
    const [fn] = await t.app.ds.query(`SELECT proconfig FROM pg_proc WHERE proname = 'number_events' AND pronargs = 1`);
    expect(fn.proconfig).toContain('plan_cache_mode=force_custom_plan');
  });

  it('queues the deferred numbering trigger only for provisional sequences (final-sequence inserts leave COMMIT nothing to do)', async () => {
    const [trigger] = await t.app.ds.query(`SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgname = 'events_number_at_commit'`);
    expect(trigger.def).toContain('WHEN ((new.sequence >= ');
  });
});

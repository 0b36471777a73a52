import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptSubaccountInvitationDocument,
  type ConsumptionRecordInput,
  CreateSubaccountDocument,
  CustomerConsumptionDocument,
  CustomersConsumptionBatchDocument,
  DeleteSubaccountDocument,
  GiveQuitNoticeDocument,
  RecordConsumptionDocument,
  ResumeSubaccountDocument,
  ReviewPartnerApplicationDocument,
  RevokePartnerStatusDocument,
  ServicesDocument,
  SuspendSubaccountDocument,
  UpsertServiceDocument,
} from '../generated/graphql';
import { activePartner, applyPartner, tokenFor, uniqueAccount, uniqueInn, type TestPartner } from '../support/factories';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' }); // today is 2026-03-10 (Moscow)
});
afterAll(() => t.close());

function rec(overrides: Partial<ConsumptionRecordInput> = {}): ConsumptionRecordInput {
  return { billingAccountId: 'ba-feed', date: '2026-03-01', serviceId: 'compute', cloudId: 'cloud-1', folderId: 'folder-1', cost: '100.00', ...overrides };
}

function records(n: number, overrides: (i: number) => Partial<ConsumptionRecordInput> = () => ({})): ConsumptionRecordInput[] {
  return Array.from({ length: n }, (_, i) => rec({ billingAccountId: `ba-${i % 7}`, cost: `${i}.5`, ...overrides(i) }));
}

async function record(app: TestApp, batchId: string, batch: ConsumptionRecordInput[], token?: string) {
  return (await app.ok(RecordConsumptionDocument, { input: { batchId, records: batch } }, token)).recordConsumption;
}

async function storedCount(app: TestApp, batchId: string): Promise<number> {
  const [row] = await app.app.ds.query('SELECT count(*)::int AS n FROM consumption_records WHERE batch_id = $1', [batchId]);
  return row.n;
}

async function batchRows(app: TestApp, batchId: string): Promise<number> {
  const [row] = await app.app.ds.query('SELECT count(*)::int AS n FROM consumption_batches WHERE batch_id = $1', [batchId]);
  return row.n;
}

describe('recordConsumption', () => {
  it('stores a batch exactly (6 fraction digits, grant credit defaulting to 0), marked as API records of the batch', async () => {
    const batchId = randomUUID();
    const account = uniqueAccount();
    const r = await record(t, batchId, [
      rec({ billingAccountId: account, cost: '100', grantCredit: '25.5' }),
      rec({ billingAccountId: account, date: '2026-03-10', serviceId: 'object-storage', cost: '0.123456' }),
      rec({ billingAccountId: account, cost: '999999999999999999.999999', grantCredit: '999999999999999999.999999' }),
      rec({ billingAccountId: account, cost: '0' }),
    ]);
    expect(r).toEqual({ accepted: 4, duplicate: false, userErrors: [] });
    const rows = await t.app.ds.query(
      `SELECT date::text AS date, service_id, cost::text AS cost, grant_credit::text AS grant, source, batch_id FROM consumption_records WHERE billing_account_id = $1 ORDER BY id`,
      [account],
    );
    expect(rows).toEqual([
      { date: '2026-03-01', service_id: 'compute', cost: '100.000000', grant: '25.500000', source: 'API', batch_id: batchId },
      { date: '2026-03-10', service_id: 'object-storage', cost: '0.123456', grant: '0.000000', source: 'API', batch_id: batchId },
      { date: '2026-03-01', service_id: 'compute', cost: '999999999999999999.999999', grant: '999999999999999999.999999', source: 'API', batch_id: batchId },
      { date: '2026-03-01', service_id: 'compute', cost: '0.000000', grant: '0.000000', source: 'API', batch_id: batchId },
    ]);
  });

  it('accepts a zero written with a minus sign ("-0.00") as zero', async () => {
    const batchId = randomUUID();
    const r = await record(t, batchId, [rec({ cost: '-0', grantCredit: '-0.00' })]);
    expect(r).toEqual({ accepted: 1, duplicate: false, userErrors: [] });
    expect(await t.app.ds.query('SELECT cost::text AS cost, grant_credit::text AS grant FROM consumption_records WHERE batch_id = $1', [batchId])).toEqual([
      { cost: '0.000000', grant: '0.000000' },
    ]);
  });

  it('finds the service by alias and stores its id', async () => {
    const batchId = randomUUID();
    // the seeded catalogue knows each service under its display name too
    const r = await record(t, batchId, [rec({ serviceId: 'Compute Cloud' }), rec({ serviceId: 'Managed Service for MongoDB' })]);
    expect(r.userErrors).toEqual([]);
    const rows = await t.app.ds.query('SELECT service_id FROM consumption_records WHERE batch_id = $1 ORDER BY id', [batchId]);
    expect(rows).toEqual([{ service_id: 'compute' }, { service_id: 'storedoc' }]);
  });

  it('refuses an unknown service (UNKNOWN_SERVICE) with the record index in the path', async () => {
    const batchId = randomUUID();
    const r = await record(t, batchId, [rec(), rec({ serviceId: 'teleportation' }), rec({ serviceId: '' }), rec({ serviceId: 'COMPUTE' })]);
    expect(r.accepted).toBe(0);
    expect(r.userErrors.map((e) => [e.code, e.field])).toEqual([
      ['UNKNOWN_SERVICE', ['input', 'records', '1', 'serviceId']],
      ['UNKNOWN_SERVICE', ['input', 'records', '2', 'serviceId']],
      ['UNKNOWN_SERVICE', ['input', 'records', '3', 'serviceId']],
    ]);
    expect(await storedCount(t, batchId)).toBe(0);
  });

  it('refuses a date after today (FUTURE_DATE) but accepts today', async () => {
    const batchId = randomUUID();
    const r = await record(t, batchId, [rec({ date: '2026-03-10' }), rec({ date: '2026-03-11' }), rec({ date: '2027-01-01' })]);
    expect(r.userErrors.map((e) => [e.code, e.field])).toEqual([
      ['FUTURE_DATE', ['input', 'records', '1', 'date']],
      ['FUTURE_DATE', ['input', 'records', '2', 'date']],
    ]);
    expect(await storedCount(t, batchId)).toBe(0);
  });

  it('reads "today" as the Moscow date', async () => {
    const local = await setupTestApp({ now: '2026-03-10T21:30:00Z' }); // 2026-03-11 00:30 in Moscow
    try {
      const r = await record(local, randomUUID(), [rec({ date: '2026-03-11' }), rec({ date: '2026-03-12' })]);
      expect(r.userErrors).toEqual([expect.objectContaining({ code: 'FUTURE_DATE', field: ['input', 'records', '1', 'date'] })]);
      expect((await record(local, randomUUID(), [rec({ date: '2026-03-11' })])).accepted).toBe(1);
    } finally {
      await local.close();
    }
  });

  it('refuses more than 10,000 records (BATCH_TOO_LARGE) and an empty batch, storing nothing', async () => {
    const batchId = randomUUID();
    const big = await record(t, batchId, records(10_001));
    expect(big).toEqual({ accepted: 0, duplicate: false, userErrors: [expect.objectContaining({ code: 'BATCH_TOO_LARGE', field: ['input', 'records'] })] });
    expect(await storedCount(t, batchId)).toBe(0);
    expect(await batchRows(t, batchId)).toBe(0);
    const empty = await record(t, randomUUID(), []);
    expect(empty.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'records'] })]);
  });

  it('refuses a blank or over-long batchId (VALIDATION_FAILED)', async () => {
    for (const batchId of ['', '   ', 'x'.repeat(201)]) {
      const r = await record(t, batchId, [rec()]);
      expect(r.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'batchId'] })]);
    }
  });

  it('reports every problem of a batch together, each with its record index and field', async () => {
    const batchId = randomUUID();
    const batch = records(12);
    batch[3] = rec({ cost: '-1' });
    batch[5] = rec({ cost: '10', grantCredit: '10.000001' });
    batch[6] = rec({ grantCredit: '-0.5' });
    batch[7] = rec({ billingAccountId: '' });
    batch[8] = rec({ cloudId: '', folderId: '' });
    batch[9] = rec({ billingAccountId: ' ba-1' });
    batch[10] = rec({ serviceId: 'nope', date: '2026-04-01', cost: '-5' });
    batch[11] = rec({ billingAccountId: 'x'.repeat(101) });
    const r = await record(t, batchId, batch);
    expect(r.accepted).toBe(0);
    expect(r.duplicate).toBe(false);
    expect(r.userErrors.map((e) => [e.code, e.field.join('.')])).toEqual([
      ['VALIDATION_FAILED', 'input.records.3.cost'],
      ['VALIDATION_FAILED', 'input.records.5.grantCredit'],
      ['VALIDATION_FAILED', 'input.records.6.grantCredit'],
      ['VALIDATION_FAILED', 'input.records.7.billingAccountId'],
      ['VALIDATION_FAILED', 'input.records.8.cloudId'],
      ['VALIDATION_FAILED', 'input.records.8.folderId'],
      ['VALIDATION_FAILED', 'input.records.9.billingAccountId'],
      ['UNKNOWN_SERVICE', 'input.records.10.serviceId'],
      ['FUTURE_DATE', 'input.records.10.date'],
      ['VALIDATION_FAILED', 'input.records.10.cost'],
      ['VALIDATION_FAILED', 'input.records.11.billingAccountId'],
    ]);
    expect(r.userErrors.every((e) => e.message.length > 0)).toBe(true);
    expect(await storedCount(t, batchId)).toBe(0);
    expect(await batchRows(t, batchId)).toBe(0);
  });

  it('is atomic: one bad record among many stores nothing, and the batchId stays free for the corrected batch', async () => {
    const batchId = randomUUID();
    const [{ n: before }] = await t.app.ds.query('SELECT count(*)::int AS n FROM consumption_records');
    const batch = records(500);
    batch[317] = rec({ cost: '5', grantCredit: '6' });
    const r = await record(t, batchId, batch);
    expect(r.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'records', '317', 'grantCredit'] })]);
    const [{ n: after }] = await t.app.ds.query('SELECT count(*)::int AS n FROM consumption_records');
    expect(after).toBe(before);

    batch[317] = rec({ cost: '6', grantCredit: '6' });
    expect(await record(t, batchId, batch)).toEqual({ accepted: 500, duplicate: false, userErrors: [] });
    expect(await storedCount(t, batchId)).toBe(500);
  });

  describe('bad Money forms are top-level BAD_USER_INPUT', () => {
    it.each(['1e5', 'NaN', 'Infinity', ' 12', '12 ', '12,5', '', '1.1234567', '+5', '1234567890123456789'])('refuses cost %j', async (cost) => {
      const batchId = randomUUID();
      const r = await t.gql(RecordConsumptionDocument, { input: { batchId, records: [rec(), rec({ cost })] } });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.data ?? null).toBeNull();
      expect(await storedCount(t, batchId)).toBe(0);
    });

    it('refuses JSON numbers for cost and grantCredit', async () => {
      for (const bad of [{ cost: 100 }, { grantCredit: 0 }]) {
        const r = await t.gql(RecordConsumptionDocument, {
          input: { batchId: randomUUID(), records: [rec(bad as unknown as Partial<ConsumptionRecordInput>)] },
        });
        expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      }
    });

    it('refuses a number literal and a bad date literal in the document', async () => {
      for (const [cost, date] of [
        ['100', '"2026-03-01"'],
        ['"1e5"', '"2026-03-01"'],
        ['"1"', '"2026-02-30"'],
      ]) {
        const r = await t.gql(
          `mutation { recordConsumption(input: { batchId: "${randomUUID()}", records: [{ billingAccountId: "a", date: ${date}, serviceId: "compute", cloudId: "c", folderId: "f", cost: ${cost} }] }) { accepted } }`,
        );
        expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      }
    });
  });

  describe('idempotency', () => {
    it('answers a replayed batchId with the same records as a duplicate, storing nothing more', async () => {
      const batchId = randomUUID();
      const batch = records(20);
      expect(await record(t, batchId, batch)).toEqual({ accepted: 20, duplicate: false, userErrors: [] });
      expect(await record(t, batchId, batch)).toEqual({ accepted: 20, duplicate: true, userErrors: [] });
      expect(await storedCount(t, batchId)).toBe(20);
    });

    it('treats amounts written differently ("100" vs "100.00", omitted vs "0" grant) as the same records', async () => {
      const batchId = randomUUID();
      const original = [rec({ cost: '100' }), rec({ cost: '0.5', grantCredit: '0.25' }), rec({ cost: '7' })];
      await record(t, batchId, original);
      const rewritten = [rec({ cost: '100.00' }), rec({ cost: '0.500000', grantCredit: '0.250' }), rec({ cost: '7.0', grantCredit: '0' })];
      expect(await record(t, batchId, rewritten)).toEqual({ accepted: 3, duplicate: true, userErrors: [] });
      expect(await storedCount(t, batchId)).toBe(3);
    });

    it('treats a service written by alias or by id as the same record', async () => {
      const batchId = randomUUID();
      expect(await record(t, batchId, [rec({ serviceId: 'Compute Cloud' }), rec({ serviceId: 'storedoc' })])).toEqual({
        accepted: 2,
        duplicate: false,
        userErrors: [],
      });
      expect(await record(t, batchId, [rec({ serviceId: 'compute' }), rec({ serviceId: 'Managed Service for MongoDB' })])).toEqual({
        accepted: 2,
        duplicate: true,
        userErrors: [],
      });
      const other = await record(t, batchId, [rec({ serviceId: 'compute' }), rec({ serviceId: 'compute' })]);
      expect(other.userErrors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' })]);
      expect(await storedCount(t, batchId)).toBe(2);
    });

    it('replays a batch stored by an earlier version, whose fingerprint has the services as written', async () => {
      const batchId = randomUUID();
      const batch = [rec({ serviceId: 'Compute Cloud', cost: '12.5' })];
      await record(t, batchId, batch);
      const asWritten = createHash('sha256')
        .update(['ba-feed', '2026-03-01', 'Compute Cloud', 'cloud-1', 'folder-1', '12.500000', '0.000000'].join('\u0001') + '\u0002')
        .digest('hex');
      await t.app.ds.query('UPDATE consumption_batches SET fingerprint = $1 WHERE batch_id = $2', [asWritten, batchId]);
      expect(await record(t, batchId, batch)).toEqual({ accepted: 1, duplicate: true, userErrors: [] });
      expect((await record(t, batchId, [rec({ serviceId: 'Compute Cloud', cost: '12.51' })])).userErrors).toEqual([
        expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' }),
      ]);
      expect(await storedCount(t, batchId)).toBe(1);
    });

    it('refuses the same batchId with other records (IDEMPOTENCY_KEY_REUSED), storing nothing', async () => {
      const batchId = randomUUID();
      await record(t, batchId, [rec(), rec()]);
      for (const other of [
        [rec(), rec({ cost: '100.01' })],
        [rec()],
        [rec(), rec(), rec()],
        [rec(), rec({ date: '2026-03-02' })],
        [rec(), rec({ folderId: 'folder-2' })],
      ]) {
        const r = await record(t, batchId, other);
        expect(r).toEqual({
          accepted: 0,
          duplicate: false,
          userErrors: [expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'batchId'] })],
        });
      }
      expect(await storedCount(t, batchId)).toBe(2);
    });

    it('answers a replay before validating: a stored batch replays even when one of its records would now be refused', async () => {
      const local = await setupTestApp({ now: '2026-02-10T09:00:00Z' });
      try {
        const batchId = randomUUID();
        const batch = [rec({ date: '2026-01-20' }), rec({ date: '2026-02-10' })];
        expect((await record(local, batchId, batch)).accepted).toBe(2);
        await local.app.ds.query(
          `INSERT INTO billing_months (month, closed_at, invoices_finalized, rebate_entries_created) VALUES ('2026-01-01', now(), 0, 0)`,
        );
        expect(await record(local, batchId, batch)).toEqual({ accepted: 2, duplicate: true, userErrors: [] });
        expect((await record(local, randomUUID(), batch)).userErrors[0].code).toBe('MONTH_CLOSED');
      } finally {
        await local.close();
      }
    });

    it('stores exactly one of ~8 racing identical requests; the others are duplicates', async () => {
      const batchId = randomUUID();
      const batch = records(300);
      const results = await Promise.all(Array.from({ length: 8 }, () => record(t, batchId, batch)));
      expect(results.filter((r) => !r.duplicate)).toEqual([{ accepted: 300, duplicate: false, userErrors: [] }]);
      expect(results.filter((r) => r.duplicate)).toHaveLength(7);
      expect(results.every((r) => r.accepted === 300 && r.userErrors.length === 0)).toBe(true);
      expect(await storedCount(t, batchId)).toBe(300);
      expect(await batchRows(t, batchId)).toBe(1);
    });

    it('stores one of racing requests with the same batchId but different records; the others are IDEMPOTENCY_KEY_REUSED', async () => {
      const batchId = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, k) =>
          record(
            t,
            batchId,
            records(50, () => ({ cost: `${k}.25` })),
          ),
        ),
      );
      expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(1);
      expect(results.filter((r) => r.userErrors[0]?.code === 'IDEMPOTENCY_KEY_REUSED')).toHaveLength(5);
      expect(await storedCount(t, batchId)).toBe(50);
    });
  });

  it('refuses dates in a closed month — any month up to the latest closed one (MONTH_CLOSED)', async () => {
    const local = await setupTestApp({ now: '2026-02-10T09:00:00Z' });
    try {
      await local.app.ds.query(`INSERT INTO billing_months (month, closed_at, invoices_finalized, rebate_entries_created) VALUES ('2026-01-01', now(), 0, 0)`);
      const batchId = randomUUID();
      const r = await record(local, batchId, [
        rec({ date: '2026-02-01' }),
        rec({ date: '2026-01-31' }),
        rec({ date: '2025-12-15' }),
        rec({ date: '2026-01-01' }),
      ]);
      expect(r.userErrors.map((e) => [e.code, e.field.join('.')])).toEqual([
        ['MONTH_CLOSED', 'input.records.1.date'],
        ['MONTH_CLOSED', 'input.records.2.date'],
        ['MONTH_CLOSED', 'input.records.3.date'],
      ]);
      expect(await storedCount(local, batchId)).toBe(0);
      expect(await record(local, batchId, [rec({ date: '2026-02-01' }), rec({ date: '2026-02-10' })])).toEqual({
        accepted: 2,
        duplicate: false,
        userErrors: [],
      });
    } finally {
      await local.close();
    }
  });

  it('is ADMIN-only: partner tokens are FORBIDDEN, no token is UNAUTHENTICATED', async () => {
    const p = await activePartner(t);
    const batchId = randomUUID();
    for (const token of [p.ownerToken, await tokenFor(t, p, 'INTEGRATOR'), await tokenFor(t, p, 'PARTNER_ACCOUNTANT')]) {
      const r = await t.gql(RecordConsumptionDocument, { input: { batchId, records: [rec()] } }, token);
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(r.data ?? null).toBeNull();
    }
    expect((await t.gql(RecordConsumptionDocument, { input: { batchId, records: [rec()] } }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await batchRows(t, batchId)).toBe(0);
  });

  it('lets a 10,000-record batch through the HTTP body limit', async () => {
    const server = await t.startHttp();
    const batchId = randomUUID();
    const batch = records(10_000, (i) => ({
      billingAccountId: `ba-http-${i % 97}`,
      cloudId: `cloud-${i % 13}`,
      folderId: `folder-${i % 31}`,
      cost: `${i}.123456`,
      grantCredit: '0.1',
    }));
    const send = async (b: ConsumptionRecordInput[], id = batchId) => {
      const body = JSON.stringify({
        query: 'mutation Record($input: RecordConsumptionInput!) { recordConsumption(input: $input) { accepted duplicate userErrors { field code message } } }',
        variables: { input: { batchId: id, records: b } },
      });
      expect(body.length).toBeGreaterThan(1_000_000); // well above express's default 100 kB limit
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body,
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { data: { recordConsumption: { accepted: number; duplicate: boolean; userErrors: unknown[] } } };
    };
    const first = await send(batch);
    expect(first.data.recordConsumption).toEqual({ accepted: 10_000, duplicate: false, userErrors: [] });
    expect(await storedCount(t, batchId)).toBe(10_000);
    const [{ total }] = await t.app.ds.query('SELECT sum(cost)::text AS total FROM consumption_records WHERE batch_id = $1', [batchId]);
    expect(total).toBe('49996234.560000'); // Σ i for i < 10000 = 49,995,000, plus 10,000 × 0.123456
    expect((await send(batch)).data.recordConsumption).toEqual({ accepted: 10_000, duplicate: true, userErrors: [] });
    const tooBig = await send(records(10_001), randomUUID());
    expect(tooBig.data.recordConsumption.userErrors).toEqual([expect.objectContaining({ code: 'BATCH_TOO_LARGE' })]);
  });
});

describe('services', () => {
  it('lists the seeded catalogue to any token, with exclusions and aliases', async () => {
    const p = await activePartner(t);
    const r = await t.ok(ServicesDocument, {}, await tokenFor(t, p, 'PARTNER_VIEWER'));
    const byId = new Map(r.services.map((s) => [s.id, s]));
    for (const id of [
      'compute',
      'object-storage',
      'vpc',
      'managed-kubernetes',
      'managed-postgresql',
      'managed-clickhouse',
      'data-transfer',
      'kms',
      'smartwebsecurity',
      'ai-studio',
      'speechkit',
      'datasphere',
      'marketplace',
      'storedoc',
      'interconnect',
    ]) {
      expect(byId.has(id)).toBe(true);
    }
    expect(byId.get('compute')).toMatchObject({ bonusEligible: true, specialization: 'INFRA_DEVOPS', aliases: ['Compute Cloud'] });
    expect(byId.get('datasphere')).toMatchObject({ bonusEligible: true, specialization: 'ML_AI' });
    for (const id of ['marketplace', 'storedoc', 'interconnect']) expect(byId.get(id)).toMatchObject({ bonusEligible: false, specialization: null });
    expect((await t.gql(ServicesDocument, {}, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('adds a service with aliases (trimmed, without repeats), changes it, and lets consumption name it either way', async () => {
    const created = await t.ok(UpsertServiceDocument, {
      input: { id: 'quantum', name: '  Quantum Compute  ', bonusEligible: true, specialization: 'ML_AI', aliases: [' Quantum Compute ', 'qc', 'qc'] },
    });
    expect(created.upsertService).toEqual({
      service: { id: 'quantum', name: 'Quantum Compute', bonusEligible: true, specialization: 'ML_AI', aliases: ['Quantum Compute', 'qc'] },
      userErrors: [],
    });
    const changed = await t.ok(UpsertServiceDocument, {
      input: { id: 'quantum', name: 'Quantum Cloud', bonusEligible: false, aliases: ['qc', 'Quantum Cloud'] },
    });
    // specialization omitted: kept; an explicit null clears it
    expect(changed.upsertService.service).toEqual({
      id: 'quantum',
      name: 'Quantum Cloud',
      bonusEligible: false,
      specialization: 'ML_AI',
      aliases: ['qc', 'Quantum Cloud'],
    });
    const noSpecialization = await t.ok(UpsertServiceDocument, { input: { id: 'quantum', name: 'Quantum Cloud', bonusEligible: false, specialization: null } });
    expect(noSpecialization.upsertService.service).toEqual({
      id: 'quantum',
      name: 'Quantum Cloud',
      bonusEligible: false,
      specialization: null,
      aliases: ['qc', 'Quantum Cloud'],
    });
    const listed = (await t.ok(ServicesDocument)).services.filter((s) => s.id === 'quantum');
    expect(listed).toEqual([noSpecialization.upsertService.service]);

    const batchId = randomUUID();
    expect((await record(t, batchId, [rec({ serviceId: 'quantum' }), rec({ serviceId: 'qc' }), rec({ serviceId: 'Quantum Cloud' })])).accepted).toBe(3);
    expect(await t.app.ds.query(`SELECT DISTINCT service_id FROM consumption_records WHERE batch_id = $1`, [batchId])).toEqual([{ service_id: 'quantum' }]);
    // the dropped alias no longer names it
    expect((await record(t, randomUUID(), [rec({ serviceId: 'Quantum Compute' })])).userErrors[0].code).toBe('UNKNOWN_SERVICE');
  });

  it('refuses an alias that already names another service — its alias or its id (VALIDATION_FAILED)', async () => {
    await t.ok(UpsertServiceDocument, { input: { id: 'svc-a', name: 'Service A', bonusEligible: true, aliases: ['alpha'] } });
    for (const aliases of [['alpha'], ['compute'], ['ok-one', 'Compute Cloud']]) {
      const r = await t.ok(UpsertServiceDocument, { input: { id: 'svc-b', name: 'Service B', bonusEligible: true, aliases } });
      expect(r.upsertService.service).toBeNull();
      expect(r.upsertService.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'aliases'] })]);
    }
    expect((await t.ok(ServicesDocument)).services.some((s) => s.id === 'svc-b')).toBe(false);
    // a service may of course repeat its own alias when it is changed
    expect(
      (await t.ok(UpsertServiceDocument, { input: { id: 'svc-a', name: 'Service A2', bonusEligible: true, aliases: ['alpha'] } })).upsertService.userErrors,
    ).toEqual([]);
  });

  it("refuses a new service id that is already another service's alias (VALIDATION_FAILED)", async () => {
    await t.ok(UpsertServiceDocument, { input: { id: 'svc-c', name: 'Service C', bonusEligible: true, aliases: ['gamma'] } });
    const r = await t.ok(UpsertServiceDocument, { input: { id: 'gamma', name: 'Gamma', bonusEligible: true } });
    expect(r.upsertService.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'id'] })]);
    // "gamma" still names svc-c
    const batchId = randomUUID();
    await record(t, batchId, [rec({ serviceId: 'gamma' })]);
    expect(await t.app.ds.query('SELECT service_id FROM consumption_records WHERE batch_id = $1', [batchId])).toEqual([{ service_id: 'svc-c' }]);
  });

  it('keeps the aliases of an existing service when an update omits them', async () => {
    const r = await t.ok(UpsertServiceDocument, { input: { id: 'compute', name: 'Compute Cloud', bonusEligible: true, specialization: 'INFRA_DEVOPS' } });
    expect(r.upsertService.service).toMatchObject({ id: 'compute', aliases: ['Compute Cloud'] });
    const cleared = await t.ok(UpsertServiceDocument, { input: { id: 'svc-a', name: 'Service A', bonusEligible: true, aliases: [] } });
    expect(cleared.upsertService.service!.aliases).toEqual([]);
  });

  it('validates the fields together', async () => {
    const r = await t.ok(UpsertServiceDocument, { input: { id: '  ', name: '', bonusEligible: true, aliases: ['ok', '  '] } });
    expect(r.upsertService.userErrors.map((e) => e.field.join('.')).sort()).toEqual(['input.aliases.1', 'input.id', 'input.name']);
    const many = await t.ok(UpsertServiceDocument, {
      input: { id: 'svc-many', name: 'Many', bonusEligible: true, aliases: Array.from({ length: 101 }, (_, i) => `m${i}`) },
    });
    expect(many.upsertService.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'aliases'] })]);
  });

  it('is ADMIN-only', async () => {
    const p = await activePartner(t);
    const r = await t.gql(UpsertServiceDocument, { input: { id: 'partner-svc', name: 'Nope', bonusEligible: true } }, p.ownerToken);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.ok(ServicesDocument)).services.some((s) => s.id === 'partner-svc')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Attribution (SPEC §4): one app whose manual clock walks through February 2026, then consumption for every past day.
// ---------------------------------------------------------------------------------------------------------------

describe('attribution', () => {
  let a: TestApp;
  let partnerA: TestPartner; // applies 02-01, approved 02-05; subaccount C linked 02-10 … deleted 02-20
  let partnerB: TestPartner; // takes C's billing account over on 02-22
  let partnerR: TestPartner; // subaccount E linked 02-10; revoked 02-23
  let partnerQ: TestPartner; // quits with effect 2026-03-20; subaccount F linked 02-10
  let rejected: TestPartner;
  let customerC: string;
  let customerD: string;
  let customerE: string;
  let customerF: string;
  const accountC = uniqueAccount('ba-c');
  const accountE = uniqueAccount('ba-e');
  const accountF = uniqueAccount('ba-f');
  const accountDirect = uniqueAccount('ba-direct');

  const day = (d: number) => `2026-02-${String(d).padStart(2, '0')}`;
  /** A distinct cost per account and day: d + k/1000 roubles. */
  const costOf = (d: number, k: number) => `${d}.${String(k).padStart(3, '0')}`;

  async function createSub(partner: TestPartner, billingAccountId: string): Promise<string> {
    const r = await a.ok(
      CreateSubaccountDocument,
      { input: { partnerId: partner.id, name: 'Customer', inn: uniqueInn(), billingAccountId } },
      partner.ownerToken,
    );
    expect(r.createSubaccount.userErrors).toEqual([]);
    return r.createSubaccount.customer!.id;
  }
  const accept = async (id: string) =>
    expect((await a.ok(AcceptSubaccountInvitationDocument, { input: { customerId: id } })).acceptSubaccountInvitation.userErrors).toEqual([]);

  async function attributionOf(account: string): Promise<Record<string, [string, string | null, string | null]>> {
    const rows: { date: string; attribution: string; partner_id: string | null; customer_id: string | null }[] = await a.app.ds.query(
      `SELECT date::text AS date, attribution, partner_id, customer_id FROM consumption_attribution WHERE billing_account_id = $1 ORDER BY date`,
      [account],
    );
    return Object.fromEntries(rows.map((r) => [r.date, [r.attribution, r.partner_id, r.customer_id]]));
  }

  function expectDays(actual: Record<string, unknown>, from: number, to: number, expected: unknown) {
    for (let d = from; d <= to; d++) expect([day(d), actual[day(d)]]).toEqual([day(d), expected]);
  }

  beforeAll(async () => {
    a = await setupTestApp({ now: '2026-02-01T09:00:00Z' });
    partnerA = await applyPartner(a);
    partnerB = await activePartner(a);
    partnerR = await activePartner(a);
    partnerQ = await activePartner(a);
    rejected = await applyPartner(a);
    await a.ok(ReviewPartnerApplicationDocument, { input: { partnerId: rejected.id, decision: 'REJECT', reason: 'No documents' } });

    await a.advanceTo('2026-02-05T09:00:00Z');
    await a.ok(ReviewPartnerApplicationDocument, { input: { partnerId: partnerA.id, decision: 'APPROVE' } });
    customerC = await createSub(partnerA, accountC);
    customerE = await createSub(partnerR, accountE);
    customerF = await createSub(partnerQ, accountF);

    // accepted late in the evening Moscow time: still 02-10
    await a.advanceTo('2026-02-10T20:59:00Z');
    for (const id of [customerC, customerE, customerF]) await accept(id);
    expect(
      (await a.ok(GiveQuitNoticeDocument, { input: { partnerId: partnerQ.id, effectiveOn: '2026-03-20' } }, partnerQ.ownerToken)).giveQuitNotice.userErrors,
    ).toEqual([]);

    await a.advanceTo('2026-02-15T09:00:00Z');
    await a.ok(SuspendSubaccountDocument, { input: { customerId: customerC } }, partnerA.ownerToken);
    await a.advanceTo('2026-02-17T09:00:00Z');
    await a.ok(ResumeSubaccountDocument, { input: { customerId: customerC } }, partnerA.ownerToken);

    await a.advanceTo('2026-02-20T09:00:00Z');
    expect((await a.ok(DeleteSubaccountDocument, { input: { customerId: customerC } }, partnerA.ownerToken)).deleteSubaccount.userErrors).toEqual([]);

    await a.advanceTo('2026-02-22T09:00:00Z');
    customerD = await createSub(partnerB, accountC);
    await accept(customerD);

    await a.advanceTo('2026-02-23T09:00:00Z');
    expect((await a.ok(RevokePartnerStatusDocument, { input: { partnerId: partnerR.id, reason: 'Fraud' } })).revokePartnerStatus.userErrors).toEqual([]);

    await a.advanceTo('2026-02-28T09:00:00Z');
    // February consumption for every day, in two batches (records for past dates are fine up to today)
    const accounts = [
      accountC,
      accountE,
      accountF,
      accountDirect,
      partnerA.ownBillingAccountId,
      partnerR.ownBillingAccountId,
      partnerQ.ownBillingAccountId,
      rejected.ownBillingAccountId,
    ];
    const batch: ConsumptionRecordInput[] = [];
    for (let d = 1; d <= 28; d++) {
      accounts.forEach((billingAccountId, k) => batch.push(rec({ billingAccountId, date: day(d), cost: costOf(d, k + 1), grantCredit: '0.5' })));
    }
    // January consumption of C, before any link
    batch.push(rec({ billingAccountId: accountC, date: '2026-01-31', cost: '1000' }));
    expect(await record(a, randomUUID(), batch.slice(0, 100))).toMatchObject({ accepted: 100, userErrors: [] });
    expect(await record(a, randomUUID(), batch.slice(100))).toMatchObject({ accepted: batch.length - 100, userErrors: [] });
  });
  afterAll(() => a.close());

  it('attributes a subaccount directly before acceptance, to the partner during the link (also suspended), directly after deletion', async () => {
    const c = await attributionOf(accountC);
    expect(c['2026-01-31']).toEqual(['DIRECT', null, null]);
    expectDays(c, 1, 9, ['DIRECT', null, null]);
    expectDays(c, 10, 19, ['SUBACCOUNT', partnerA.id, customerC]); // includes the suspended days 15–16
    expectDays(c, 20, 21, ['DIRECT', null, null]); // the deletion day is no longer linked
    expectDays(c, 22, 28, ['SUBACCOUNT', partnerB.id, customerD]); // re-added by another partner
    expect(Object.keys(c)).toHaveLength(29); // one row per record: links never overlap
  });

  it("attributes a partner's own account as OWN from its approval day, and DIRECT before", async () => {
    const own = await attributionOf(partnerA.ownBillingAccountId);
    expectDays(own, 1, 4, ['DIRECT', null, null]);
    expectDays(own, 5, 28, ['OWN', partnerA.id, null]);
  });

  it("attributes a QUITTING partner's own account as OWN, and a rejected applicant's as DIRECT", async () => {
    expectDays(await attributionOf(partnerQ.ownBillingAccountId), 1, 28, ['OWN', partnerQ.id, null]);
    expectDays(await attributionOf(rejected.ownBillingAccountId), 1, 28, ['DIRECT', null, null]);
    expectDays(await attributionOf(accountDirect), 1, 28, ['DIRECT', null, null]);
  });

  it("unlinks a revoked partner's subaccount, and ends its own account's OWN days, from the revocation date", async () => {
    const e = await attributionOf(accountE);
    expectDays(e, 1, 9, ['DIRECT', null, null]);
    expectDays(e, 10, 22, ['SUBACCOUNT', partnerR.id, customerE]);
    expectDays(e, 23, 28, ['DIRECT', null, null]);
    const own = await attributionOf(partnerR.ownBillingAccountId);
    expectDays(own, 1, 22, ['OWN', partnerR.id, null]);
    expectDays(own, 23, 28, ['DIRECT', null, null]);
  });

  it('gives Customer.consumption(month) the cost on linked days only, rounded to kopecks', async () => {
    const sum = (from: number, to: number, k: number) => {
      let thousandths = 0;
      for (let d = from; d <= to; d++) thousandths += d * 1000 + k;
      return thousandths;
    };
    const money = (thousandths: number) => (Math.round(thousandths / 10) / 100).toFixed(2); // exact for these small sums
    const cases: [string, number][] = [
      [customerC, sum(10, 19, 1)],
      [customerD, sum(22, 28, 1)],
      [customerE, sum(10, 22, 2)],
      [customerF, sum(10, 28, 3)],
    ];
    for (const [id, thousandths] of cases) {
      const r = await a.ok(CustomerConsumptionDocument, { id, month: '2026-02' });
      expect([id, r.customer!.consumption]).toEqual([id, money(thousandths)]);
    }
    expect((await a.ok(CustomerConsumptionDocument, { id: customerC, month: '2026-02' })).customer!.consumption).toBe('145.01'); // 145 + 10 × 0.001
    // January: C was not linked yet, so its 1000 roubles are not the partner's
    expect((await a.ok(CustomerConsumptionDocument, { id: customerC, month: '2026-01' })).customer!.consumption).toBe('0.00');
    expect((await a.ok(CustomerConsumptionDocument, { id: customerC, month: '2026-03' }, partnerA.ownerToken)).customer!.consumption).toBe('0.00');
  });

  it('batches several customers and months in one request', async () => {
    const r = await a.ok(CustomersConsumptionBatchDocument, { c: customerC, d: customerD });
    expect(r).toEqual({ c: { feb: '145.01', jan: '0.00' }, d: { feb: '175.01' } });
  });

  it("refuses another partner's Customer.consumption (null + FORBIDDEN)", async () => {
    const r = await a.gql(CustomerConsumptionDocument, { id: customerD, month: '2026-02' }, partnerA.ownerToken);
    expect(r.data?.customer).toBeNull();
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it("ends a quitting partner's links and OWN days on the effective date, even when the clock passes it late", async () => {
    await a.advanceTo('2026-03-25T09:00:00Z');
    const batch = [18, 19, 20, 21].flatMap((d) => [
      rec({ billingAccountId: accountF, date: `2026-03-${d}`, cost: '1' }),
      rec({ billingAccountId: partnerQ.ownBillingAccountId, date: `2026-03-${d}`, cost: '1' }),
    ]);
    expect((await record(a, randomUUID(), batch)).userErrors).toEqual([]);
    const rows: { date: string; billing_account_id: string; attribution: string; partner_id: string | null }[] = await a.app.ds.query(
      `SELECT date::text AS date, billing_account_id, attribution, partner_id FROM consumption_attribution
        WHERE billing_account_id = ANY($1) AND date >= '2026-03-01' ORDER BY date, billing_account_id = $2`,
      [[accountF, partnerQ.ownBillingAccountId], partnerQ.ownBillingAccountId],
    );
    expect(rows.map((r) => [r.date, r.billing_account_id === accountF ? 'F' : 'own', r.attribution, r.partner_id])).toEqual([
      ['2026-03-18', 'F', 'SUBACCOUNT', partnerQ.id],
      ['2026-03-18', 'own', 'OWN', partnerQ.id],
      ['2026-03-19', 'F', 'SUBACCOUNT', partnerQ.id],
      ['2026-03-19', 'own', 'OWN', partnerQ.id],
      ['2026-03-20', 'F', 'DIRECT', null],
      ['2026-03-20', 'own', 'DIRECT', null],
      ['2026-03-21', 'F', 'DIRECT', null],
      ['2026-03-21', 'own', 'DIRECT', null],
    ]);
    expect((await a.ok(CustomerConsumptionDocument, { id: customerF, month: '2026-03' })).customer!.consumption).toBe('2.00');
  });
});

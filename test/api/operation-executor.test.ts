// src/app/operation-executor.ts: Apollo runs recordConsumption through graphql-jit (compiled variable coercion) and
// everything else through graphql-js. Every answer must be the one Apollo's own executor gives: compared here with a
// reference Apollo built on the schema alone, case by case, including every kind of refused input.
import { ApolloServer } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import { print, type GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownDocuments } from '../../src/app/known-documents';
import { localGateway, type RunBy } from '../../src/app/operation-executor';
import { apolloSecurityOptions, createContext } from '../../src/app/server';
import { buildAppSchema } from '../../src/app/build-schema';
import { edgePlugin } from '../../src/graphql/edge';
import { formatError } from '../../src/graphql/format-error';
import type { AppContext } from '../../src/graphql/context';
import { createLogger } from '../../src/shared/logger';
import { RecordConsumptionDocument } from '../generated/graphql';
import { activePartner } from '../support/factories';
import { ADMIN_TOKEN, setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
/** As the server runs operations (localGateway), noting how each ran; and Apollo on its own executor. */
let ours: ApolloServer<AppContext>;
let reference: ApolloServer<AppContext>;
const runs: RunBy[] = [];
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' });
  const schema = await buildAppSchema();
  const logger = createLogger('silent');
  const options = {
    ...apolloSecurityOptions(),
    stopOnTerminationSignals: false,
    formatError: (formatted: GraphQLFormattedError, error: unknown) => formatError(formatted, error, logger),
  };
  const known = new KnownDocuments();
  ours = new ApolloServer<AppContext>({
    gateway: localGateway(schema, known, (by) => runs.push(by)),
    ...options,
    plugins: [edgePlugin(schema), known.plugin()],
  });
  reference = new ApolloServer<AppContext>({ schema, ...options, plugins: [edgePlugin(schema)] });
  await Promise.all([ours.start(), reference.start()]);
});
afterAll(async () => {
  await Promise.all([ours.stop(), reference.stop()]);
  await t.close();
});

const QUERY = print(RecordConsumptionDocument);
const ALIASED =
  'mutation Ingest($input: RecordConsumptionInput!) { stored: recordConsumption(input: $input) { accepted duplicate userErrors { field code message } } }';

const rec = (overrides: Record<string, unknown> = {}) => ({
  billingAccountId: 'ba-executor',
  date: '2026-03-01',
  serviceId: 'compute',
  cloudId: 'cloud-1',
  folderId: 'folder-1',
  cost: '100.00',
  ...overrides,
});

async function run(apollo: ApolloServer<AppContext>, query: string, variables: Record<string, unknown>, token: string): Promise<any> {
  const contextValue = await createContext(t.app, `Bearer ${token}`);
  const response = await apollo.executeOperation({ query, variables }, { contextValue });
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  return { status: response.http.status, ...response.body.singleResult };
}

/** The same request (each with its own batch id) through localGateway and through the reference; both answers. */
async function both(query: string, input: (batchId: string) => unknown, token = ADMIN_TOKEN) {
  const batchIds = { ours: randomUUID(), theirs: randomUUID() };
  runs.length = 0;
  const app = await run(ours, query, { input: input(batchIds.ours) }, token);
  const by = runs[0];
  const ref = await run(reference, query, { input: input(batchIds.theirs) }, token);
  return { app, ref, by, ours: batchIds.ours };
}

async function stored(batchId: string): Promise<number> {
  const [row] = await t.app.ds.query('SELECT count(*)::int AS n FROM consumption_records WHERE batch_id = $1', [batchId]);
  return row.n;
}

/** The records each call of ConsumptionService.record got (as the resolver handed them on). */
function spyOnRecord(): { calls: unknown[][]; restore(): void } {
  const service = t.app.consumption;
  const calls: unknown[][] = [];
  const original = service.record.bind(service);
  service.record = (batchId, records) => {
    calls.push(records);
    return original(batchId, records);
  };
  return { calls, restore: () => delete (service as { record?: unknown }).record };
}

describe('recordConsumption through the operation executor', () => {
  it('runs it compiled by graphql-jit, giving the resolver exactly the records graphql-js gives it', async () => {
    const spy = spyOnRecord();
    try {
      const batch = (batchId: string) => ({
        batchId,
        records: [
          rec(),
          rec({ grantCredit: null }),
          rec({ grantCredit: '2.5', cost: '007.50' }),
          rec({ cost: '-0', grantCredit: '-0.00' }),
          rec({ serviceId: 'Compute Cloud', date: '2026-03-10', cost: '999999999999999999.999999' }),
        ],
      });
      const { app, ref, by } = await both(QUERY, batch);
      expect(by).toBe('graphql-jit');
      expect(app).toEqual(ref);
      expect(app.data.recordConsumption).toEqual({ accepted: 5, duplicate: false, userErrors: [] });
      // The same coerced and converted input objects (class instances, Decimal amounts), field by field.
      const [mine, theirs] = spy.calls;
      expect(mine).toEqual(theirs);
      expect(mine.map((r) => (r as object).constructor.name)).toEqual(theirs.map((r) => (r as object).constructor.name));
      // A single record where the list is expected is a list of one (GraphQL input coercion), aliases are fine.
      const single = await both(ALIASED, (batchId) => ({ batchId, records: rec() }));
      expect(single.by).toBe('graphql-jit');
      expect(single.app).toEqual(single.ref);
      expect(single.app.data.stored.accepted).toBe(1);
    } finally {
      spy.restore();
    }
  });

  const refused: [string, (batchId: string) => unknown][] = [
    ['a number for Money', (batchId) => ({ batchId, records: [rec({ cost: 12 })] })],
    ['Money with 7 fraction digits', (batchId) => ({ batchId, records: [rec({ cost: '1.1234567' })] })],
    ['an impossible date', (batchId) => ({ batchId, records: [rec({ date: '2026-02-30' })] })],
    ['a field the type does not have', (batchId) => ({ batchId, records: [rec({ extra: 1 })] })],
    ['a missing required field', (batchId) => ({ batchId, records: [{ ...rec(), date: undefined }] })],
    ['null for a required field', (batchId) => ({ batchId, records: [rec({ cloudId: null })] })],
    ['a number for a String', (batchId) => ({ batchId, records: [rec({ billingAccountId: 42 })] })],
    ['a null record', (batchId) => ({ batchId, records: [rec(), null] })],
    ['a string for a record', (batchId) => ({ batchId, records: ['ba-1,2026-03-01'] })],
    ['no batchId', () => ({ records: [rec()] })],
    ['null input', () => null],
    ['many bad records at once', (batchId) => ({ batchId, records: Array.from({ length: 60 }, (_, i) => rec({ cost: i })) })],
  ];
  for (const [name, input] of refused) {
    it(`refuses ${name} exactly as graphql-js does, storing nothing`, async () => {
      const { app, ref, by, ours } = await both(QUERY, input);
      expect(by).toBe('graphql-js');
      expect(app.errors?.length).toBeGreaterThan(0);
      expect(app).toEqual(ref);
      expect(await stored(ours)).toBe(0);
    });
  }

  it('answers refusals from the resolvers as before: the text rule, a domain error, a partner token (FORBIDDEN)', async () => {
    const text = await both(QUERY, (batchId) => ({ batchId, records: [rec({ folderId: 'f\u0000' }), rec({ serviceId: 'teleportation' })] }));
    expect(text.by).toBe('graphql-jit');
    expect(text.app).toEqual(text.ref);
    expect(text.app.data.recordConsumption.userErrors[0].code).toBe('VALIDATION_FAILED');
    const unknown = await both(QUERY, (batchId) => ({ batchId, records: [rec({ serviceId: 'teleportation' }), rec({ date: '2026-03-11' })] }));
    expect(unknown.app).toEqual(unknown.ref);
    expect(unknown.app.data.recordConsumption.userErrors.map((e: { code: string }) => e.code)).toEqual(['UNKNOWN_SERVICE', 'FUTURE_DATE']);
    const partner = await activePartner(t);
    const forbidden = await both(QUERY, (batchId) => ({ batchId, records: [rec()] }), partner.ownerToken);
    expect(forbidden.app).toEqual(forbidden.ref);
    expect(forbidden.app.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(forbidden.by).toBe('graphql-jit');
    for (const batchId of [text.ours, unknown.ours, forbidden.ours]) expect(await stored(batchId)).toBe(0);
  });

  it('runs every other operation by graphql-js, as before (a query, two root fields, a directive)', async () => {
    const query = await both('query Services { services { id } }', () => null);
    expect(query.by).toBe('graphql-js');
    expect(query.app).toEqual(query.ref);
    const two = `mutation Two($input: RecordConsumptionInput!) { a: recordConsumption(input: $input) { accepted } b: recordConsumption(input: $input) { duplicate } }`;
    const twice = await both(two, (batchId) => ({ batchId, records: [rec()] }));
    expect(twice.by).toBe('graphql-js');
    expect(twice.app).toEqual(twice.ref);
    expect(twice.app.data).toEqual({ a: { accepted: 1 }, b: { duplicate: true } });
    const skipped = `mutation Skip($input: RecordConsumptionInput!) { recordConsumption(input: $input) @include(if: true) { accepted } }`;
    const directive = await both(skipped, (batchId) => ({ batchId, records: [rec()] }));
    expect(directive.by).toBe('graphql-js');
    expect(directive.app).toEqual(directive.ref);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoaders } from '../../src/app/loaders';
import { activePartner } from '../support/factories';
import { countStatements } from '../support/statements';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp();
});
afterAll(() => t.close());

/** Counts the SQL statements sent while `run` executes. */
async function countQueries(run: () => Promise<unknown>): Promise<number> {
  return (await countStatements(run)).count;
}

describe('per-request DataLoaders', () => {
  it('batch three partner loads into one query', async () => {
    const ids = [(await activePartner(t)).id, (await activePartner(t)).id, (await activePartner(t)).id];
    const loaders = createLoaders(t.app);
    let partners: unknown[] = [];
    const queries = await countQueries(async () => {
      partners = await Promise.all(ids.map((id) => loaders.partner.load(id)));
    });
    expect(queries).toBe(1);
    expect(partners.map((p) => (p as { id: string }).id)).toEqual(ids);
  });

  it('resolve a page of partners with their specializations and tokens in a fixed number of queries', async () => {
    for (let i = 0; i < 5; i++) await activePartner(t);
    const document = '{ partners(first: 20) { edges { node { id specializations { level } apiTokens { role } } } } }';
    const few = await countQueries(() => t.ok(document.replace('first: 20', 'first: 2')));
    const many = await countQueries(() => t.ok(document));
    expect(few).toBeGreaterThan(0); // the counter sees the queries (a count of 0 would prove nothing)
    expect(many).toBe(few); // one query per relation, whatever the page size
  });
});

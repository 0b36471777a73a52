import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { printAppSchema } from '../src/app/build-schema';
import { createDataSource } from '../src/app/data-source';
import { migrate } from '../src/app/bootstrap';
import { createTestDatabase } from './support/test-app';

describe('schema pipeline', () => {
  it('keeps the committed schema.graphql equal to the schema the code emits (npm run schema:emit)', async () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8');
    expect(await printAppSchema()).toBe(committed);
  });

  it('honours the parts of the public contract built so far', () => {
    const checker = path.join(__dirname, '..', '..', 'shared', 'tools', 'contract-check.mjs');
    if (!fs.existsSync(checker)) return; // the contract checker lives beside the repository, not in it
    const args = [checker, ...(CONTRACT_PARTS.length ? ['--only', CONTRACT_PARTS.join(',')] : []), path.join(__dirname, '..', 'schema.graphql')];
    const output = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const problems = (output.stdout + output.stderr)
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('contract-check:'))
    expect(problems).toEqual([]);
  });
});

/** The contract parts to check (empty = the whole contract: all six capabilities are in). */
const CONTRACT_PARTS: string[] = [];

describe('migrations', () => {
  it('applied to an empty database, leave no pending entity change', async () => {
    const url = await createTestDatabase(null);
    const ds = createDataSource(url, { poolSize: 2 });
    await ds.initialize();
    try {
      await migrate(ds);
      expect(await ds.showMigrations()).toBe(false);
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});

// The provider's CSV usage export (SPEC §5), imported against real PostgreSQL.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../src/modules/clock/clock';
import { importConsumptionCsv, type CsvImportOptions, type CsvImportResult } from '../../src/modules/consumption/csv-import';
import { uniqueAccount } from '../support/factories';
import { RecordConsumptionAcceptedDocument } from '../generated/graphql';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' }); // today (Moscow) = 2026-03-10
  // A service known under a name with a comma and quotes, and under a legacy id.
  await t.app.services.upsert({
    id: 'csv-svc',
    name: 'CSV test service',
    bonusEligible: true,
    specialization: null,
    aliases: ['Test "Service", legacy name', 'legacy-svc-7'],
  });
});
afterAll(() => t.close());

// Columns in the export's own order, with some the import ignores.
const HEADER =
  'billing_account_id,billing_account_name,cloud_id,folder_id,folder_name,service_id,service_name,sku_name,date,currency,cost,monetary_grant_credit';

interface Row {
  account: string;
  date: string;
  cost: string;
  credit?: string;
  serviceId?: string;
  serviceName?: string;
  cloud?: string;
  folder?: string;
  /** Raw CSV text of the ignored folder_name column (may be quoted, multi-line). */
  folderName?: string;
}

const line = (r: Row) =>
  [
    r.account,
    'Acme',
    r.cloud ?? 'cloud-1',
    r.folder ?? 'folder-1',
    r.folderName ?? 'default',
    r.serviceId ?? 'compute',
    r.serviceName ?? 'Compute Cloud',
    'sku',
    r.date,
    'RUB',
    r.cost,
    r.credit ?? '0',
  ].join(',');

const csv = (rows: (Row | string)[], header = HEADER) => [header, ...rows.map((r) => (typeof r === 'string' ? r : line(r)))].join('\n') + '\n';

/** Feeds the text in small chunks, so quoted fields and rows straddle chunk boundaries. */
const stream = (text: string, chunk = 7) => Readable.from(text.match(new RegExp(`[\\s\\S]{1,${chunk}}`, 'g')) ?? [], { objectMode: false });

const importCsv = (text: string, options: CsvImportOptions = {}): Promise<CsvImportResult> =>
  importConsumptionCsv(t.app.ds, t.app.clock, t.app.services, stream(text), options);

type Imported = Extract<CsvImportResult, { ok: true }>;
type Refused = Extract<CsvImportResult, { ok: false }>;

async function imported(text: string): Promise<Imported> {
  const result = await importCsv(text);
  if (!result.ok) throw new Error('import failed: ' + JSON.stringify((result as Refused).errors));
  return result as Imported;
}

async function failed(text: string): Promise<Refused> {
  const result = await importCsv(text);
  if (result.ok) throw new Error('import unexpectedly succeeded');
  return result as Refused;
}

interface Stored {
  billing_account_id: string;
  date: string;
  service_id: string;
  cloud_id: string;
  folder_id: string;
  cost: string;
  grant_credit: string;
  source: string;
}

const stored = (...accounts: string[]): Promise<Stored[]> =>
  t.app.ds.query(
    `SELECT billing_account_id, to_char(date, 'YYYY-MM-DD') AS date, service_id, cloud_id, folder_id, cost::text AS cost, grant_credit::text AS grant_credit, source
       FROM consumption_records WHERE billing_account_id = ANY($1) ORDER BY billing_account_id, date, source, cost, service_id`,
    [accounts],
  );

describe('reading the export', () => {
  it('reads columns by name, quoted fields, aliases, negative credits and rounds amounts half up to 6 digits', async () => {
    const a = uniqueAccount();
    const text = csv([
      { account: a, date: '2026-03-01', cost: '100', credit: '-25.5' },
      // Unknown service_id, found by service_name (quoted, with a comma and escaped quotes) through an alias.
      { account: a, date: '2026-03-02', cost: '1.2345675', credit: '-0.0000005', serviceId: 'old-id', serviceName: '"Test ""Service"", legacy name"' },
      // An alias used as service_id; the ignored folder_name spans lines and holds commas and quotes.
      {
        account: a,
        date: '2026-03-03',
        cost: '0.0000005',
        credit: '',
        serviceId: 'legacy-svc-7',
        serviceName: 'whatever',
        folderName: '"line one,\nline ""two""\r\nline three"',
      },
      { account: a, date: '2026-03-04', cost: '2.0000004999', credit: '-0', cloud: '"cloud, with comma"', folder: '"f""1"' },
      { account: a, date: '2026-03-05', cost: '7.9999995', credit: '-7.9999995', serviceId: '', serviceName: 'Managed Service for MongoDB' },
    ]);
    const result = await imported(text);
    expect(result).toEqual({ ok: true, rows: 5, pairs: 5, replacedPairs: 0, replacedRecords: 0, inserted: 5 });
    expect(await stored(a)).toEqual([
      {
        billing_account_id: a,
        date: '2026-03-01',
        service_id: 'compute',
        cloud_id: 'cloud-1',
        folder_id: 'folder-1',
        cost: '100.000000',
        grant_credit: '25.500000',
        source: 'CSV',
      },
      {
        billing_account_id: a,
        date: '2026-03-02',
        service_id: 'csv-svc',
        cloud_id: 'cloud-1',
        folder_id: 'folder-1',
        cost: '1.234568',
        grant_credit: '0.000001',
        source: 'CSV',
      },
      {
        billing_account_id: a,
        date: '2026-03-03',
        service_id: 'csv-svc',
        cloud_id: 'cloud-1',
        folder_id: 'folder-1',
        cost: '0.000001',
        grant_credit: '0.000000',
        source: 'CSV',
      },
      {
        billing_account_id: a,
        date: '2026-03-04',
        service_id: 'compute',
        cloud_id: 'cloud, with comma',
        folder_id: 'f"1',
        cost: '2.000000',
        grant_credit: '0.000000',
        source: 'CSV',
      },
      {
        billing_account_id: a,
        date: '2026-03-05',
        service_id: 'storedoc',
        cloud_id: 'cloud-1',
        folder_id: 'folder-1',
        cost: '8.000000',
        grant_credit: '8.000000',
        source: 'CSV',
      },
    ]);
  });

  it('accepts CRLF line ends, a byte-order mark and several rows of one pair', async () => {
    const a = uniqueAccount();
    const text =
      '\ufeff' +
      csv([
        { account: a, date: '2026-02-27', cost: '1', serviceId: 'vpc' },
        { account: a, date: '2026-02-27', cost: '1', serviceId: 'vpc' },
        { account: a, date: '2026-02-27', cost: '2.5', serviceId: 'kms' },
      ]).replace(/\n/g, '\r\n');
    expect(await imported(text)).toMatchObject({ rows: 3, pairs: 1, inserted: 3 });
    expect((await stored(a)).map((r) => [r.service_id, r.cost])).toEqual([
      ['vpc', '1.000000'],
      ['vpc', '1.000000'],
      ['kms', '2.500000'],
    ]);
  });

  it('stores every row of a file larger than one sorted COPY window (10,000 rows), and none when a later row is bad', async () => {
    const accounts = [uniqueAccount(), uniqueAccount(), uniqueAccount()];
    const rows = Array.from({ length: 10_003 }, (_, i) => ({
      account: accounts[(i * 7) % 3],
      date: `2026-02-${String(1 + ((i * 13) % 28)).padStart(2, '0')}`,
      cost: `${i}.25`,
    }));
    const text = csv(rows);
    const run = (body: string) => importConsumptionCsv(t.app.ds, t.app.clock, t.app.services, stream(body, 4096));
    const totals = async () =>
      (
        await t.app.ds.query(
          `SELECT count(*)::int AS n, coalesce(sum(cost), 0)::text AS cost, count(DISTINCT (billing_account_id, date))::int AS pairs FROM consumption_records WHERE billing_account_id = ANY($1)`,
          [accounts],
        )
      )[0];
    // A bad last row: the first window was already sent to COPY, and is rolled back with the rest.
    const refused = await run(csv([...rows, { account: accounts[0], date: '2026-02-01', cost: 'x' }]));
    expect(refused).toMatchObject({ ok: false, errorCount: 1, errors: [{ line: 10_005, field: 'cost' }] });
    expect(await totals()).toEqual({ n: 0, cost: '0', pairs: 0 });
    const result = await run(text);
    expect(result).toMatchObject({ ok: true, rows: 10_003, inserted: 10_003, pairs: 84 });
    // Σ (i + 0.25) for i < 10,003
    expect(await totals()).toEqual({ n: 10_003, cost: '50027503.750000', pairs: 84 });
  });

  it('reports progress with rows, a rate and the share of bytes read', async () => {
    const a = uniqueAccount();
    const text = csv(Array.from({ length: 3000 }, (_, i) => ({ account: a, date: '2026-02-10', cost: `${i}.5` })));
    const seen: { rows: number; percent: number | null }[] = [];
    const result = await importCsv(text, {
      totalBytes: Buffer.byteLength(text),
      progressIntervalMs: 0,
      onProgress: (p) => seen.push({ rows: p.rows, percent: p.percent }),
    });
    expect(result).toMatchObject({ ok: true, inserted: 3000 });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual({ rows: 3000, percent: 100 });
    expect(seen[0].percent!).toBeGreaterThan(0);
    expect(seen[0].percent!).toBeLessThan(100);
  });

  it('imports a file with a header and no rows as nothing', async () => {
    expect(await imported(HEADER + '\n')).toEqual({ ok: true, rows: 0, pairs: 0, replacedPairs: 0, replacedRecords: 0, inserted: 0 });
  });
});

describe('bad files store nothing and name each bad row by line', () => {
  it('one bad row: its line (counted past multi-line quoted fields) is reported and the good rows are not stored', async () => {
    const a = uniqueAccount();
    const b = uniqueAccount();
    const text = csv([
      { account: a, date: '2026-03-01', cost: '10' }, // line 2
      { account: a, date: '2026-03-02', cost: '10', folderName: '"two\nlines"' }, // lines 3–4
      { account: b, date: '2026-03-02', cost: '-1' }, // line 5
      { account: b, date: '2026-03-03', cost: '10' }, // line 6
    ]);
    const result = await failed(text);
    expect(result.errorCount).toBe(1);
    expect(result.errors).toEqual([{ line: 5, field: 'cost', code: 'VALIDATION_FAILED', message: 'cost must not be negative' }]);
    expect(await stored(a, b)).toEqual([]);
  });

  it('reports every kind of problem with its code and column', async () => {
    const a = uniqueAccount();
    await t.app.ds.query(
      `INSERT INTO billing_months (month, closed_at, invoices_finalized, rebate_entries_created) VALUES ('2026-01-01', now(), 0, 0) ON CONFLICT DO NOTHING`,
    );
    const text = csv([
      { account: a, date: '2026-03-01', cost: '10' }, // 2 good
      { account: a, date: '2026-03-11', cost: '10' }, // 3 future (today is 2026-03-10)
      { account: a, date: '2026-01-31', cost: '10' }, // 4 closed month
      { account: a, date: '2026-03-01', cost: '10', serviceId: 'nope', serviceName: 'Nope Cloud' }, // 5 unknown service
      { account: a, date: '2026-03-01', cost: '10', credit: '5' }, // 6 positive credit
      { account: a, date: '2026-03-01', cost: '10', credit: '-10.0000005' }, // 7 grant > cost (rounds to 10.000001)
      { account: a, date: '2026-03-01', cost: '1e5' }, // 8 not a plain number
      { account: '', date: '2026-03-01', cost: '10' }, // 9 empty id
      { account: a, date: '2026-02-30', cost: '10', folder: '' }, // 10 bad date + empty folder
      `${a},Acme,cloud-1,folder-1`, // 11 too few fields
      { account: a, date: '2026-03-01', cost: '10', credit: '-10.00000049' }, // 12 good: rounds to 10 = cost
    ]);
    const result = await failed(text);
    expect(result.errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [3, 'date', 'FUTURE_DATE'],
      [4, 'date', 'MONTH_CLOSED'],
      [5, 'service_id', 'UNKNOWN_SERVICE'],
      [6, 'monetary_grant_credit', 'VALIDATION_FAILED'],
      [7, 'monetary_grant_credit', 'VALIDATION_FAILED'],
      [8, 'cost', 'VALIDATION_FAILED'],
      [9, 'billing_account_id', 'VALIDATION_FAILED'],
      [10, 'folder_id', 'VALIDATION_FAILED'],
      [10, 'date', 'VALIDATION_FAILED'],
      [11, '', 'INVALID_CSV'],
    ]);
    expect(result.errorCount).toBe(10);
    expect(result.errors[2].message).toContain('Nope Cloud');
    expect(await stored(a)).toEqual([]);
  });

  it('reports the first 100 problems and counts them all', async () => {
    const a = uniqueAccount();
    const text = csv(Array.from({ length: 250 }, (_, i) => ({ account: a, date: '2026-03-01', cost: i % 2 ? '1' : '-1' })));
    const result = await failed(text);
    expect(result.errorCount).toBe(125);
    expect(result.errors).toHaveLength(100);
    expect(result.errors[0].line).toBe(2);
    expect(result.errors[99].line).toBe(200);
  });

  it('refuses a header without a required column, and an empty file', async () => {
    const missing = await failed(csv([], HEADER.replace(',monetary_grant_credit', '').replace('cloud_id', 'cloud')));
    expect(missing.errors.map((e) => [e.line, e.field])).toEqual([
      [1, 'cloud_id'],
      [1, 'monetary_grant_credit'],
    ]);
    const empty = await failed('');
    expect(empty.errors).toEqual([expect.objectContaining({ line: 1, code: 'VALIDATION_FAILED' })]);
  });
});

describe('the file is authoritative for its (billing account, date) pairs', () => {
  it('importing the same file again leaves each record once', async () => {
    const a = uniqueAccount();
    const text = csv([
      { account: a, date: '2026-02-01', cost: '1.5' },
      { account: a, date: '2026-02-01', cost: '2.5', serviceId: 'vpc' },
      { account: a, date: '2026-02-02', cost: '3' },
    ]);
    await imported(text);
    const first = await stored(a);
    const again = await imported(text);
    expect(again).toEqual({ ok: true, rows: 3, pairs: 2, replacedPairs: 2, replacedRecords: 3, inserted: 3 });
    expect(await stored(a)).toEqual(first);
  });

  it('after a crash half-way nothing is stored, and importing again stores each record once', async () => {
    const a = uniqueAccount();
    const text = csv(Array.from({ length: 2000 }, (_, i) => ({ account: a, date: '2026-02-03', cost: `${i}` })));
    const half = text.slice(0, text.length / 2);
    const crashing = new Readable({
      read() {
        this.push(half);
        this.destroy(new Error('disk went away'));
      },
    });
    await expect(importConsumptionCsv(t.app.ds, t.app.clock, t.app.services, crashing)).rejects.toThrow(/disk went away/);
    expect(await stored(a)).toEqual([]);
    await imported(text);
    await imported(text);
    const [{ count }] = await t.app.ds.query('SELECT count(*)::int AS count FROM consumption_records WHERE billing_account_id = $1', [a]);
    expect(count).toBe(2000);
  });

  it('a corrected file replaces the CSV records of its pairs only; API records and absent pairs are kept', async () => {
    const a = uniqueAccount();
    const b = uniqueAccount();
    const api = await t.ok(RecordConsumptionAcceptedDocument, {
      input: {
        batchId: `api-${a}`,
        records: [{ billingAccountId: a, date: '2026-02-10', serviceId: 'compute', cloudId: 'cloud-1', folderId: 'folder-1', cost: '50', grantCredit: '5' }],
      },
    });
    expect(api.recordConsumption).toEqual({ accepted: 1, userErrors: [] });

    await imported(
      csv([
        { account: a, date: '2026-02-10', cost: '10' },
        { account: a, date: '2026-02-10', cost: '20', serviceId: 'vpc' },
        { account: a, date: '2026-02-11', cost: '30' },
        { account: b, date: '2026-02-10', cost: '40' },
      ]),
    );
    // The day was re-exported: (a, 02-10) now has one corrected row, (b, 02-10) a new figure; (a, 02-11) is not in it.
    const corrected = await imported(
      csv([
        { account: a, date: '2026-02-10', cost: '12.25', credit: '-1' },
        { account: b, date: '2026-02-10', cost: '41' },
      ]),
    );
    expect(corrected).toEqual({ ok: true, rows: 2, pairs: 2, replacedPairs: 2, replacedRecords: 3, inserted: 2 });
    expect((await stored(a, b)).map((r) => [r.billing_account_id === a ? 'a' : 'b', r.date, r.service_id, r.cost, r.grant_credit, r.source])).toEqual([
      ['a', '2026-02-10', 'compute', '50.000000', '5.000000', 'API'],
      ['a', '2026-02-10', 'compute', '12.250000', '1.000000', 'CSV'],
      ['a', '2026-02-11', 'compute', '30.000000', '0.000000', 'CSV'],
      ['b', '2026-02-10', 'compute', '41.000000', '0.000000', 'CSV'],
    ]);
  });

  it('a bad corrected file keeps the earlier figures', async () => {
    const a = uniqueAccount();
    await imported(csv([{ account: a, date: '2026-02-12', cost: '10' }]));
    await failed(
      csv([
        { account: a, date: '2026-02-12', cost: '11' },
        { account: a, date: '2026-02-12', cost: 'x' },
      ]),
    );
    expect((await stored(a)).map((r) => r.cost)).toEqual(['10.000000']);
  });
});

describe('recordConsumption after the hot-path changes', () => {
  it('stores ids with quotes, backslashes, braces and commas exactly (array literal escaping; tabs are refused, SPEC §18)', async () => {
    const odd = ['a"b', 'c\\d', '{e,f}', 'g h', 'NULL', 'ü "\\" ,{}'];
    const records = odd.map((text, i) => ({
      billingAccountId: `${uniqueAccount()}-${text}`,
      date: '2026-02-20',
      serviceId: 'compute',
      cloudId: text,
      folderId: `f${i}${text}`,
      cost: `${i}.5`,
    }));
    const r = await t.ok(RecordConsumptionAcceptedDocument, {
      input: { batchId: `odd-${uniqueAccount()}`, records },
    });
    expect(r.recordConsumption).toEqual({ accepted: odd.length, userErrors: [] });
    const rows = await t.app.ds.query(
      `SELECT billing_account_id, cloud_id, folder_id, cost::text AS cost FROM consumption_records WHERE billing_account_id = ANY($1) ORDER BY id`,
      [records.map((x) => x.billingAccountId)],
    );
    expect(rows).toEqual(records.map((x, i) => ({ billing_account_id: x.billingAccountId, cloud_id: x.cloudId, folder_id: x.folderId, cost: `${i}.500000` })));
  });
});

describe('currency and control characters (SPEC §22, §18)', () => {
  it('refuses rows in another currency than RUB with their line numbers and stores nothing of the file', async () => {
    const a = uniqueAccount();
    const rub = line({ account: a, date: '2026-03-01', cost: '10' });
    const usd = rub.replace(',RUB,', ',USD,');
    const result = await failed(csv([rub, usd, rub.replace(',RUB,', ',,'), rub]));
    expect(result.errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [3, 'currency', 'CURRENCY_NOT_SUPPORTED'],
      [4, 'currency', 'CURRENCY_NOT_SUPPORTED'],
    ]);
    expect(result.errors[0].message).toContain('USD');
    expect(await stored(a)).toEqual([]);
    // Without a currency column every row is roubles.
    const header = HEADER.replace(',currency', '');
    const noCurrency = [header, rub.replace(',RUB,', ',')].join('\n') + '\n';
    expect((await imported(noCurrency)).inserted).toBe(1);
  });

  it('refuses NUL, control characters and tabs in the id and service columns, storing nothing', async () => {
    const a = uniqueAccount();
    const result = await failed(
      csv([
        { account: a, date: '2026-03-01', cost: '10', cloud: 'cloud\u0000' },
        { account: a, date: '2026-03-01', cost: '10', folder: '"f\tx"' },
        { account: `${a}\u001b`, date: '2026-03-01', cost: '10' },
        { account: a, date: '2026-03-01', cost: '10', serviceName: 'Compute\u007f' },
        { account: a, date: '2026-03-01', cost: '10' },
      ]),
    );
    expect(result.errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [2, 'cloud_id', 'VALIDATION_FAILED'],
      [3, 'folder_id', 'VALIDATION_FAILED'],
      [4, 'billing_account_id', 'VALIDATION_FAILED'],
      [5, 'service_name', 'VALIDATION_FAILED'],
    ]);
    expect(await stored(a)).toEqual([]);
  });
});

describe('the import CLI and the manual clock', () => {
  it('follows the manual instant a server keeps in the database when CLOCK is not set', async () => {
    await t.app.ds.query(`UPDATE clock_state SET now = '2027-06-15T09:00:00Z' WHERE id = 1`);
    try {
      const clock = new Clock('system');
      expect(await clock.followDatabase(t.app.ds)).toBe(true);
      expect(clock.mode).toBe('manual');
      expect(clock.today()).toBe('2027-06-15');
      // A row dated by the server's clock (in the future of the real one) is accepted.
      const a = uniqueAccount();
      const result = await importConsumptionCsv(t.app.ds, clock, t.app.services, stream(csv([{ account: a, date: '2027-06-14', cost: '5' }])));
      expect(result.ok).toBe(true);
      expect((await stored(a)).map((r) => r.date)).toEqual(['2027-06-14']);
      // Against the real date the same row would be refused.
      const real = await importConsumptionCsv(
        t.app.ds,
        new Clock('system'),
        t.app.services,
        stream(csv([{ account: uniqueAccount(), date: '2027-06-14', cost: '5' }])),
      );
      expect(real.ok).toBe(false);
    } finally {
      await t.app.ds.query(`UPDATE clock_state SET now = '2026-03-10T09:00:00Z' WHERE id = 1`);
      await t.app.clock.sync(t.app.ds);
    }
  });
});

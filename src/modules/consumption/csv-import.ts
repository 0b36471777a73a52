// CSV import of the provider's usage export (SPEC §5).
//
// One transaction, streamed end to end so memory stays flat for a file of any size:
//   file → csv-parse → row validation (the API's field checks) → COPY straight into consumption_records, in windows
// of 10,000 rows sorted by (billing account, date) (parsing in the API overlaps PostgreSQL's inserting, as a plain
// COPY of the file would; sorted rows cost PostgreSQL's index maintenance less) and, only when every row
// is good, in the same transaction: delete earlier CSV records of every (billing account, date) pair in the file.
// The import's own rows are told from earlier ones by id: it takes the id sequence's next value before its COPY,
// under the CSV import lock, so every earlier CSV record has a smaller id and every row of this import a larger one.
// Any bad row rolls everything back and is reported with its line number. Because the file replaces the CSV records
// of its pairs atomically, importing it again (or after a crash half-way) leaves each record stored exactly once.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Parser } from 'csv-parse';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { parseExportAmount, ZERO, type Dec } from '../../shared/money';
import type { Clock } from '../clock/clock';
import type { ServicesService } from '../services/services.service';
import { textProblem } from '../../shared/validation';
import { copyChunks, copyText } from '../../shared/copy';
import { openFrom } from './consumption.service';
import { checkRecordFields, grantCreditOfExport } from './domain/record-rules';
import { lock, lockShared, LockSpace } from '../../shared/locks';
import type { UserErrorCode } from '../../shared/domain-error';

/** Bad rows reported in detail (all are counted). */
export const MAX_REPORTED_ERRORS = 100;
const DEFAULT_PROGRESS_INTERVAL_MS = 500;
/**
 * Good rows go to COPY in windows of this many, each sorted by (billing account, date): PostgreSQL maintains the
 * indexes in key order, which costs it about a sixth less than the file's order.
 */
const SORT_WINDOW_ROWS = 10_000;

/** The export's columns this import reads, by header name; any other column is ignored. */
export const CSV_COLUMNS = ['billing_account_id', 'cloud_id', 'folder_id', 'service_id', 'service_name', 'date', 'cost', 'monetary_grant_credit'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

export interface CsvImportError {
  /** Physical line of the file where the row starts (1 = the header). */
  line: number;
  /** The CSV column at fault ('' for a row that is not valid CSV). */
  field: string;
  /** A userError code of the record checks, or INVALID_CSV for a row that is not valid CSV. */
  code: UserErrorCode | 'INVALID_CSV';
  message: string;
}

export interface CsvImportProgress {
  rows: number;
  rowsPerSecond: number;
  /** Share of `totalBytes` read, 0–100; null when the size is unknown. */
  percent: number | null;
}

export interface CsvImportOptions {
  /** Size of the input in bytes, for the progress percentage. */
  totalBytes?: number;
  /** Called at most every `progressIntervalMs` (default 500 ms) while reading, and once at the end of the file. */
  onProgress?(progress: CsvImportProgress): void;
  progressIntervalMs?: number;
}

export type CsvImportResult =
  | {
      ok: true;
      /** Data rows in the file (= records inserted). */
      rows: number;
      /** Distinct (billing account, date) pairs in the file. */
      pairs: number;
      /** Pairs of the file that already had CSV records (now replaced). */
      replacedPairs: number;
      /** Earlier CSV records deleted for those pairs. */
      replacedRecords: number;
      inserted: number;
    }
  | { ok: false; errors: CsvImportError[]; errorCount: number };

/** API field names of checkRecordFields → the export's column names. */
const COLUMN_OF_FIELD: Record<string, CsvColumn> = {
  billingAccountId: 'billing_account_id',
  cloudId: 'cloud_id',
  folderId: 'folder_id',
  serviceId: 'service_id',
  date: 'date',
  cost: 'cost',
  grantCredit: 'monetary_grant_credit',
};

const RECORD_COLUMNS = 'billing_account_id, date, service_id, cloud_id, folder_id, cost, grant_credit, source';

/** Keeps the first MAX_REPORTED_ERRORS errors by line (they may arrive slightly out of order) and counts all. */
class ErrorCollector {
  readonly errors: CsvImportError[] = [];
  count = 0;
  private maxLine = -Infinity;

  add(error: CsvImportError): void {
    this.count++;
    if (this.errors.length < MAX_REPORTED_ERRORS) {
      this.errors.push(error);
      if (error.line > this.maxLine) this.maxLine = error.line;
      return;
    }
    if (error.line >= this.maxLine) return;
    // A row parsed ahead of its predecessors: evict the last error of the highest line.
    let worst = 0;
    for (let i = 1; i < this.errors.length; i++) if (this.errors[i].line >= this.errors[worst].line) worst = i;
    this.errors.splice(worst, 1);
    this.errors.push(error);
    this.maxLine = Math.max(...this.errors.map((e) => e.line));
  }

  sorted(): CsvImportError[] {
    return this.errors
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.line - b.e.line || a.i - b.i)
      .map(({ e }) => e);
  }
}

/** Stops the stream when the header row cannot be read. */
class HeaderError extends Error {}

/** A record as emitted by csv-parse, tagged with its line and byte counters at that moment. */
interface ParsedRow {
  record: string[];
  lines: number;
  bytes: number;
}

interface RowContext {
  services: Map<string, string>;
  today: string;
  openFrom: string | null;
}

/** Line breaks inside a field as a reader sees them (CRLF = one), and how many of them are CRLF. */
function lineBreaks(value: string): { breaks: number; crlf: number } {
  let breaks = 0;
  let crlf = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 13) {
      breaks++;
      if (value.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      }
    } else if (c === 10) breaks++;
  }
  return { breaks, crlf };
}

/**
 * Validates parsed rows and turns the good ones into COPY text. After the first bad row it only validates (to report
 * every problem) and writes nothing more: the transaction is rolled back anyway.
 */
class RowValidator extends Transform {
  rows = 0;
  /** Column indexes; `currency` is optional (checked when the file has it). */
  private columns: (Record<CsvColumn, number> & { currency?: number }) | null = null;
  /** Good rows not yet sent, as COPY text starting with their sort key (billing account, date). */
  private window: string[] = [];
  private failed = false;
  /** csv-parse's line counter after the previous row, and how far it ran ahead (it counts a quoted CRLF twice). */
  private previousLines = 0;
  private extraLines = 0;
  private readonly startedAt = Date.now();
  private lastProgressAt = 0;
  private bytes = 0;

  constructor(
    private readonly context: RowContext,
    private readonly errors: ErrorCollector,
    private readonly options: CsvImportOptions,
  ) {
    super({ writableObjectMode: true, readableObjectMode: false, writableHighWaterMark: 256 });
  }

  /** The physical line where a record starts, from csv-parse's count at its end. */
  lineOf(record: string[] | undefined, parserLines: number, exact: boolean): number {
    let breaks = 0;
    if (record && (!exact || parserLines - this.previousLines !== 1)) {
      for (const field of record) {
        if (field.indexOf('\n') === -1 && field.indexOf('\r') === -1) continue;
        const counted = lineBreaks(field);
        breaks += counted.breaks;
        this.extraLines += counted.crlf;
      }
    }
    if (exact) this.previousLines = parserLines;
    return parserLines - this.extraLines - breaks;
  }

  /** A row csv-parse could not read (wrong number of fields, bad quoting). */
  malformed(error: CsvError & { lines?: number; record?: string[] }): void {
    if (this.columns) this.rows++;
    this.fail({ line: this.lineOf(error.record, error.lines ?? 0, false), field: '', code: 'INVALID_CSV', message: error.message });
  }

  private fail(error: CsvImportError): void {
    this.errors.add(error);
    this.failed = true;
    this.window = [];
  }

  private header(record: string[]): void {
    const found = new Map<string, number>();
    const duplicated = new Set<string>();
    record.forEach((name, index) => {
      const key = name.trim().toLowerCase();
      if (found.has(key)) duplicated.add(key);
      else found.set(key, index);
    });
    const problems: CsvImportError[] = [];
    for (const column of CSV_COLUMNS) {
      if (!found.has(column)) problems.push({ line: 1, field: column, code: 'VALIDATION_FAILED', message: `The header has no ${column} column` });
      else if (duplicated.has(column))
        problems.push({ line: 1, field: column, code: 'VALIDATION_FAILED', message: `The header names ${column} more than once` });
    }
    if (problems.length) {
      for (const problem of problems) this.errors.add(problem);
      throw new HeaderError('bad header');
    }
    this.columns = { ...(Object.fromEntries(CSV_COLUMNS.map((c) => [c, found.get(c)!])) as Record<CsvColumn, number>), currency: found.get('currency') };
  }

  /** The service columns (the ids are checked by checkRecordFields) under the text rule, and the currency (SPEC §18, §22). */
  private checkTextAndCurrency(record: string[], fail: (field: string, code: UserErrorCode, message: string) => void): void {
    const c = this.columns!;
    for (const column of ['service_id', 'service_name'] as const) {
      const problem = textProblem(record[c[column]], false);
      if (problem) fail(column, 'VALIDATION_FAILED', `${column} ${problem}`);
    }
    // The program bills in roubles: a row in another currency is refused, and with it the file.
    if (c.currency === undefined) return;
    const currency = record[c.currency];
    if (currency !== 'RUB') fail('currency', 'CURRENCY_NOT_SUPPORTED', `Only RUB is billed; this row is in ${JSON.stringify(currency.slice(0, 20))}`);
  }

  private row(record: string[], line: number): void {
    const c = this.columns!;
    const billingAccountId = record[c.billing_account_id];
    const cloudId = record[c.cloud_id];
    const folderId = record[c.folder_id];
    const serviceIdText = record[c.service_id];
    const serviceName = record[c.service_name];
    const date = record[c.date];
    const costText = record[c.cost];
    const creditText = record[c.monetary_grant_credit];
    const errorsBefore = this.errors.count;
    const fail = (field: string, code: UserErrorCode, message: string) => this.fail({ line, field, code, message });

    // The service by its id, else by its name, through the catalogue's ids and aliases.
    const serviceKey = this.context.services.has(serviceIdText) || !this.context.services.has(serviceName) ? serviceIdText : serviceName;
    const cost = parseExportAmount(costText);
    if (cost === null) fail('cost', 'VALIDATION_FAILED', `cost must be a plain decimal number such as 12.345678, got ${JSON.stringify(costText)}`);
    const credit = creditText === '' ? ZERO : parseExportAmount(creditText);
    let grantCredit: Dec | null = null;
    if (credit === null)
      fail(
        'monetary_grant_credit',
        'VALIDATION_FAILED',
        `monetary_grant_credit must be a plain decimal number such as -1.5, got ${JSON.stringify(creditText)}`,
      );
    else if ((grantCredit = grantCreditOfExport(credit)) === null)
      fail(
        'monetary_grant_credit',
        'VALIDATION_FAILED',
        `monetary_grant_credit must be zero or negative (the export writes credits as negative amounts), got ${JSON.stringify(creditText)}`,
      );

    const checked = checkRecordFields(
      { billingAccountId, date, serviceId: serviceKey, cloudId, folderId, cost: cost ?? ZERO, grantCredit: grantCredit ?? ZERO },
      [],
      this.context,
    );
    for (const error of checked.errors) {
      const field = error.field[0];
      // An amount that did not parse was checked as a 0 placeholder: its comparisons mean nothing.
      // Nor is "grant exceeds cost" news when the cost itself is refused.
      if ((field === 'cost' && cost === null) || (field === 'grantCredit' && (cost === null || grantCredit === null || cost.isNegative()))) continue;
      let message = error.message;
      if (error.code === 'UNKNOWN_SERVICE')
        message =
          `Unknown service: neither service_id ${JSON.stringify(serviceIdText)} ` + `nor service_name ${JSON.stringify(serviceName)} names a service or alias`;
      else if (field === 'grantCredit')
        message = `the grant credit (−monetary_grant_credit = ${grantCredit!.toFixed()}) must not exceed cost (${cost!.toFixed()})`;
      else if (field in COLUMN_OF_FIELD && field !== 'date') message = message.replace(field, COLUMN_OF_FIELD[field]);
      fail(COLUMN_OF_FIELD[field] ?? field, error.code, message);
    }
    this.checkTextAndCurrency(record, fail);
    if (this.errors.count !== errorsBefore || this.failed) return;

    this.window.push(
      copyText(billingAccountId) +
        '\t' +
        date +
        '\t' +
        copyText(checked.serviceId!) +
        '\t' +
        copyText(cloudId) +
        '\t' +
        copyText(folderId) +
        '\t' +
        cost!.toFixed(6) +
        '\t' +
        grantCredit!.toFixed(6) +
        '\tCSV\n',
    );
    if (this.window.length >= SORT_WINDOW_ROWS) this.sendWindow();
  }

  /** The good rows so far, sorted as text (by their leading billing account and date), to COPY. */
  private sendWindow(): void {
    for (const chunk of copyChunks(this.window.sort())) this.push(chunk);
    this.window = [];
  }

  private progress(final: boolean): void {
    if (!this.options.onProgress) return;
    const now = Date.now();
    if (!final && now - this.lastProgressAt < (this.options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS)) return;
    this.lastProgressAt = now;
    const seconds = (now - this.startedAt) / 1000;
    const total = this.options.totalBytes;
    this.options.onProgress({
      rows: this.rows,
      rowsPerSecond: seconds > 0 ? Math.round(this.rows / seconds) : 0,
      percent: total ? (final ? 100 : Math.min(100, (this.bytes / total) * 100)) : null,
    });
  }

  override _transform(item: ParsedRow, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const line = this.lineOf(item.record, item.lines, true);
      this.bytes = item.bytes;
      if (!this.columns) {
        this.header(item.record);
      } else {
        this.rows++;
        this.row(item.record, line);
        if ((this.rows & 1023) === 0) this.progress(false);
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (!this.columns) {
      this.errors.add({ line: 1, field: '', code: 'VALIDATION_FAILED', message: 'The file is empty: a header row is required' });
      return callback(new HeaderError('empty file'));
    }
    if (!this.failed) this.sendWindow();
    this.progress(true);
    callback();
  }
}

/** The dates a record may have, as bounds the planner prunes partitions by: $n is today, $n+1 the first open day. */
const openDays = (openFrom: string | null, n: number) => `date <= $${n}::date${openFrom ? ` AND date >= $${n + 1}::date` : ''}`;

/**
 * Deletes the earlier CSV records of every (billing account, date) pair this import wrote (its rows have ids from
 * `firstId` on) and counts the pairs. Every pair lies in [openFrom, today] (the row checks refuse other dates), so
 * when no CSV record was stored there before the import (`hadCsv`), there is nothing to replace.
 */
async function replaceEarlierPairs(
  client: PoolClient,
  firstId: string,
  range: { openFrom: string | null; today: string },
  hadCsv: boolean,
): Promise<{ pairs: number; replacedPairs: number; replacedRecords: number }> {
  const params = [firstId, range.today, ...(range.openFrom ? [range.openFrom] : [])];
  const pairs = `SELECT DISTINCT billing_account_id, date FROM consumption_records
                  WHERE id >= $1::bigint AND source = 'CSV' AND ${openDays(range.openFrom, 2)}`;
  if (!hadCsv) {
    const { rows } = await client.query<{ pairs: string }>(`SELECT count(*) AS pairs FROM (${pairs}) p`, params);
    return { pairs: Number(rows[0].pairs), replacedPairs: 0, replacedRecords: 0 };
  }
  const { rows } = await client.query<{ pairs: string; replaced_pairs: string; replaced_records: string }>(
    `WITH pairs AS MATERIALIZED (${pairs}),
          deleted AS (
            DELETE FROM consumption_records r USING pairs p
             WHERE r.source = 'CSV' AND r.id < $1::bigint AND r.billing_account_id = p.billing_account_id AND r.date = p.date
             RETURNING r.billing_account_id, r.date)
     SELECT (SELECT count(*) FROM pairs) AS pairs,
            (SELECT count(*) FROM deleted) AS replaced_records,
            (SELECT count(*) FROM (SELECT DISTINCT billing_account_id, date FROM deleted) d) AS replaced_pairs`,
    params,
  );
  const counts = rows[0];
  return { pairs: Number(counts.pairs), replacedPairs: Number(counts.replaced_pairs), replacedRecords: Number(counts.replaced_records) };
}

/** csv-parse set up for the export, each record tagged with its line and byte counters (see ParsedRow). */
function exportParser(validator: RowValidator): Parser {
  const parser = parse({ bom: true, relax_column_count: false, skip_empty_lines: true, skip_records_with_error: true });
  // Tag each record with csv-parse's live line and byte counters as it is emitted: the same figures `info: true`
  // gives, without copying every counter into a new object per row (a fifth of the parsing time).
  const counters = parser.info;
  const emit = parser.push.bind(parser);
  parser.push = (record: unknown, encoding?: BufferEncoding) =>
    record === null ? emit(null) : emit({ record: record as string[], lines: counters.lines, bytes: counters.bytes } satisfies ParsedRow, encoding);
  parser.on('skip', (error: CsvError) => validator.malformed(error));
  return parser;
}

/**
 * Imports the provider's usage export (SPEC §5). Streams `input` through validation into PostgreSQL COPY; stores
 * nothing unless every row is valid; replaces earlier CSV records of every (billing account, date) pair in the file.
 */
export async function importConsumptionCsv(
  ds: DataSource,
  clock: Clock,
  services: ServicesService,
  input: Readable,
  options: CsvImportOptions = {},
): Promise<CsvImportResult> {
  const queryRunner = ds.createQueryRunner();
  const client = (await queryRunner.connect()) as PoolClient;
  try {
    await queryRunner.startTransaction();
    await lock(client, LockSpace.CsvImport);
    // Held shared like every ingestion: a month cannot be closed while its records are still arriving.
    await lockShared(client, LockSpace.MonthClose);
    await clock.sync(queryRunner.manager);
    const context: RowContext = { services: await services.resolver(queryRunner.manager), today: clock.today(), openFrom: await openFrom(queryRunner.manager) };
    // Under the CSV import lock: earlier imports' ids are all below firstId, this one's all from it on.
    const { rows: before } = await client.query<{ first_id: string; had_csv: boolean }>(
      `SELECT nextval('consumption_records_id_seq')::text AS first_id,
              EXISTS (SELECT 1 FROM consumption_records WHERE source = 'CSV' AND ${openDays(context.openFrom, 1)}) AS had_csv`,
      [context.today, ...(context.openFrom ? [context.openFrom] : [])],
    );
    await client.query(`SET LOCAL work_mem = '64MB'`); // the file's pairs, counted by a hash

    const errors = new ErrorCollector();
    const validator = new RowValidator(context, errors, options);
    const parser = exportParser(validator);
    const copy = client.query(copyFrom(`COPY consumption_records (${RECORD_COLUMNS}) FROM STDIN`));
    try {
      await pipeline(input, parser, validator, copy);
    } catch (error) {
      if (!(error instanceof HeaderError) && !(error instanceof CsvError)) throw error;
      if (error instanceof CsvError) validator.malformed(error);
    }

    if (errors.count > 0) {
      await queryRunner.rollbackTransaction();
      return { ok: false, errors: errors.sorted(), errorCount: errors.count };
    }
    const counts = await replaceEarlierPairs(client, before[0].first_id, context, before[0].had_csv);
    await queryRunner.commitTransaction();
    return { ok: true, rows: validator.rows, ...counts, inserted: copy.rowCount };
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch((): void => undefined);
    throw error;
  } finally {
    await queryRunner.release();
  }
}

// npm run import:consumption -- usage.csv
// Imports the provider's CSV usage export (SPEC §5) into the database the server uses: DATABASE_URL, or the embedded
// PostgreSQL in DATA_DIR (./.data) — shared with a running server, started (and stopped again) otherwise.
// Progress goes to stderr, the summary to stdout. Exit codes: 0 imported, 1 bad file (nothing stored) or failure,
// 2 usage or configuration error.
import 'reflect-metadata';
import fs from 'node:fs';
import pino from 'pino';
import { createApp } from '../src/app/create-app';
import { openDatabase } from '../src/app/database';
import { seedDemo } from '../src/demo/demo';
import { loadConfigOrExit } from '../src/config';
import { importConsumptionCsv, type CsvImportProgress } from '../src/modules/consumption/csv-import';

const USAGE = 'Usage: npm run import:consumption -- <usage.csv | ->';

const number = (n: number) => n.toLocaleString('en-US');

function progressLine(p: CsvImportProgress): string {
  return `${number(p.rows)} rows · ${number(p.rowsPerSecond)} rows/s` + (p.percent === null ? '' : ` · ${p.percent.toFixed(1)}%`);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') {
    console.error(USAGE);
    return 2;
  }
  const file = args[0];
  let totalBytes: number | undefined;
  if (file !== '-') {
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile()) throw new Error('not a regular file');
      totalBytes = stat.size;
    } catch (error) {
      console.error(`Cannot read ${file}: ${(error as Error).message}`);
      return 2;
    }
  }

  const config = loadConfigOrExit();
  // Logs go to stderr with the progress; stdout carries only the summary.
  const logger = pino({ level: process.env.LOG_LEVEL?.trim() || 'warn', base: { service: 'import-consumption' } }, pino.destination(2));
  const database = await openDatabase(config, { shareRunning: true, log: (line) => logger.debug({ postgres: line }) });
  let app: Awaited<ReturnType<typeof createApp>>['app'] | null = null;
  const input = file === '-' ? process.stdin : fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    input.destroy(new Error('interrupted'));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    // The same bootstrap as the server (migrations, seeds), so a first run on a new database leaves it as the
    // server would.
    const created = await createApp(config, database.url, logger);
    app = created.app;
    // Without CLOCK, "today" is the server's: the manual instant a CLOCK=manual server keeps in this database.
    if (!process.env.CLOCK?.trim() && (await app.clock.followDatabase(app.ds)))
      logger.info({ now: app.clock.now() }, 'using the manual clock stored in the database');
    if (created.fresh && config.demo) await seedDemo(app);
    if (created.createdAdminToken) console.error(`Admin token (shown once, keep it): ${created.createdAdminToken}`);

    const tty = process.stderr.isTTY;
    let shown = false;
    const started = Date.now();
    const result = await importConsumptionCsv(app.ds, app.clock, app.services, input, {
      totalBytes,
      onProgress: (p) => {
        shown = true;
        if (tty) process.stderr.write(`\r${progressLine(p)}\x1b[K`);
        else process.stderr.write(`${progressLine(p)}\n`);
      },
    });
    if (tty && shown) process.stderr.write('\n');
    const seconds = (Date.now() - started) / 1000;

    if (!result.ok) {
      console.error(`${file}: ${number(result.errorCount)} problem(s); nothing was imported.`);
      for (const e of result.errors) console.error(`  line ${e.line}${e.field ? `, ${e.field}` : ''}: ${e.code} — ${e.message}`);
      if (result.errorCount > result.errors.length) console.error(`  … and ${number(result.errorCount - result.errors.length)} more`);
      return 1;
    }
    console.log(
      `Imported ${number(result.inserted)} records from ${file} in ${seconds.toFixed(seconds < 10 ? 2 : 1)} s (${number(Math.round(result.inserted / Math.max(seconds, 0.001)))} records/s): ` +
        `${number(result.pairs)} billing account-days, of which ${number(result.replacedPairs)} replaced ${number(result.replacedRecords)} earlier CSV records.`,
    );
    return 0;
  } catch (error) {
    if (interrupted) {
      console.error('\nInterrupted: nothing was imported.');
      return 130;
    }
    console.error(`Import failed, nothing was imported: ${(error as Error).message}`);
    logger.debug({ err: error }, 'import failed');
    return 1;
  } finally {
    if (app) {
      await app.eventBus.stop().catch(() => undefined);
      await app.ds.destroy().catch(() => undefined);
    }
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

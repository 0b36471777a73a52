// npm run consumption:archive -- YYYY-MM
// Detaches a closed month's consumption partition (src/modules/consumption/partitions.ts) in the database the server
// uses (DATABASE_URL, or the embedded PostgreSQL in DATA_DIR). The table stays, detached, for you to dump and drop:
//   pg_dump --table=consumption_records_YYYY_MM "$DATABASE_URL" > consumption-YYYY-MM.sql && psql -c 'DROP TABLE …'
// Exit codes: 0 archived, 1 refused (not closed, no partition, bad month) or failure, 2 configuration error.
import 'reflect-metadata';
import pino from 'pino';
import { createApp } from '../src/app/create-app';
import { openDatabase } from '../src/app/database';
import { loadConfigOrExit } from '../src/config';
import { ArchiveError, archiveMonth } from '../src/modules/consumption/partitions';

async function main(): Promise<number> {
  const month = process.argv[2] ?? '';
  const config = loadConfigOrExit();
  const logger = pino({ level: process.env.LOG_LEVEL?.trim() || 'warn', base: { service: 'consumption-archive' } }, pino.destination(2));
  const database = await openDatabase(config, { shareRunning: true, log: (line) => logger.debug({ postgres: line }) });
  let app: Awaited<ReturnType<typeof createApp>>['app'] | null = null;
  try {
    app = (await createApp(config, database.url, logger)).app;
    const archived = await archiveMonth(app.ds, month);
    console.log(`Detached ${archived.table} (${archived.records} records of ${archived.month}); its invoices stay readable.`);
    console.log(`Dump it, then drop it: pg_dump --table=${archived.table} <database> > ${archived.table}.sql && psql <database> -c 'DROP TABLE ${archived.table}'`);
    return 0;
  } catch (error) {
    if (error instanceof ArchiveError) {
      console.error(error.message);
      return 1;
    }
    logger.error({ err: error }, 'archiving failed');
    console.error(`Archiving failed: ${(error as Error).message}`);
    return 1;
  } finally {
    app?.scheduler.stop();
    await app?.eventBus.stop().catch(() => undefined);
    await app?.ds.destroy().catch(() => undefined);
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

// npm run consumption:archive -- YYYY-MM
// Detaches a closed month's consumption partition (src/modules/consumption/partitions.ts) in the database the server
// uses (DATABASE_URL, or the embedded PostgreSQL in DATA_DIR). The table stays, detached, for you to dump and drop:
//   pg_dump --table=consumption_records_YYYY_MM "$DATABASE_URL" > consumption-YYYY-MM.sql && psql -c 'DROP TABLE …'
// Exit codes: 0 archived, 1 refused (not closed, no partition, bad month) or failure, 2 configuration error.
import { ArchiveError, archiveMonth } from '../src/modules/consumption/partitions';
import { runCli } from './cli';

void runCli('consumption-archive', 'Archiving', async ({ created: { app } }) => {
  try {
    const archived = await archiveMonth(app.ds, process.argv[2] ?? '');
    console.log(`Detached ${archived.table} (${archived.records} records of ${archived.month}); its invoices stay readable.`);
    console.log(
      `Dump it, then drop it: pg_dump --table=${archived.table} <database> > ${archived.table}.sql && psql <database> -c 'DROP TABLE ${archived.table}'`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    console.error(error.message);
    return 1;
  }
});

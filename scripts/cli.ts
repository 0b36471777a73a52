// One runner for the command-line scripts that work on the server's database (DATABASE_URL, or the embedded
// PostgreSQL in DATA_DIR, shared with a running server or started and stopped again): configuration, a pino logger
// on stderr, the app, and a tidy stop whatever happens. The script's body returns its exit code.
import 'reflect-metadata';
import pino, { type Logger } from 'pino';
import { createApp } from '../src/app/create-app';
import { openDatabase } from '../src/app/database';
import { loadConfigOrExit, type Config } from '../src/config';

export type CliContext = { config: Config; logger: Logger; created: Awaited<ReturnType<typeof createApp>> };

export async function runCli(service: string, failure: string, body: (ctx: CliContext) => Promise<number>): Promise<never> {
  const code = await run(service, failure, body).catch((error: unknown) => {
    console.error(error);
    return 1;
  });
  process.exit(code);
}

async function run(service: string, failure: string, body: (ctx: CliContext) => Promise<number>): Promise<number> {
  const config = loadConfigOrExit();
  const logger = pino({ level: process.env.LOG_LEVEL?.trim() || 'warn', base: { service } }, pino.destination(2));
  const database = await openDatabase(config, { shareRunning: true, log: (line) => logger.debug({ postgres: line }) });
  let created: CliContext['created'] | null = null;
  try {
    created = await createApp(config, database.url, logger);
    return await body({ config, logger, created });
  } catch (error) {
    logger.error({ err: error }, `${failure.toLowerCase()} failed`);
    console.error(`${failure} failed: ${(error as Error).message}`);
    return 1;
  } finally {
    const app = created?.app;
    app?.scheduler.stop();
    await app?.eventBus.stop().catch(() => undefined);
    await app?.ds.destroy().catch(() => undefined);
    await database.stop();
  }
}

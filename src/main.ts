// Start-up only: config → database → schema → HTTP + WebSocket server.
import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { createApp } from './app/create-app';
import { seedDemo } from './app/demo';
import { startEmbeddedPostgres, type RunningPostgres } from './app/embedded-postgres';
import { createLogger } from './app/logger';
import { startServer } from './app/server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let embedded: RunningPostgres | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log: (line) => logger.debug({ postgres: line }) });
    databaseUrl = embedded.url('postgres');
    logger.info({ dataDir: embedded.dataDir, port: embedded.port }, 'embedded PostgreSQL started');
  }

  let stopping = false;
  const stopEmbedded = async () => {
    if (embedded) await embedded.stop();
  };
  try {
    const { app, schema, fresh, createdAdminToken } = await createApp(config, databaseUrl, logger);
    if (fresh) {
      await seedDemo(app);
      logger.info('demo data added to the new database');
    }
    await app.scheduler.runDue();
    app.scheduler.start();
    const server = await startServer(app, schema, config.port);

    console.log(`Partner program API ready at ${server.url} (WebSocket subscriptions on the same URL)`);
    if (createdAdminToken) console.log(`Admin token (shown once, keep it): ${createdAdminToken}`);

    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      app.scheduler.stop();
      await server.close().catch((error) => logger.error({ err: error }, 'server close failed'));
      logger.debug('server closed');
      await app.ds.destroy().catch(() => undefined);
      logger.debug('database pool closed');
      await stopEmbedded();
      logger.debug('embedded PostgreSQL stopped');
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    await stopEmbedded();
    process.exit(1);
  }
}

void main();

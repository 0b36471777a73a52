// Start-up only: config → database → schema → HTTP + WebSocket server.
import 'reflect-metadata';
import { loadConfigOrExit } from './config';
import { createApp } from './app/create-app';
import { openDatabase } from './app/database';
import { seedDemo, type DemoLogin } from './demo/demo';
import { createLogger } from './shared/logger';
import { startServer } from './app/server';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  let database;
  try {
    database = await openDatabase(config, { log: (line) => logger.debug({ postgres: line }) });
  } catch (error) {
    console.error(`Could not start the database: ${(error as Error).message}`);
    process.exit(1);
  }
  const databaseUrl = database.url;
  if (database.embedded) logger.info({ dataDir: database.embedded.dataDir, port: database.embedded.port }, 'embedded PostgreSQL started');

  let stopping = false;
  const stopEmbedded = () => database.stop();
  try {
    const { app, schema, fresh, createdAdminToken } = await createApp(config, databaseUrl, logger);
    let demo: DemoLogin[] = [];
    if (fresh && config.demo) {
      demo = await seedDemo(app);
      logger.info('demo data added to the new database');
    }
    await app.scheduler.runDue();
    app.scheduler.start();
    const server = await startServer(app, schema, config.port, {
      host: config.host,
      corsOrigins: config.corsOrigins,
      rateBudgets: config.rateBudgets,
      metricsOperations: config.metricsOperations,
    });

    console.log(`Partner program API ready at ${server.url} (WebSocket subscriptions on the same URL)`);
    if (createdAdminToken) console.log(`Admin token (shown once, keep it): ${createdAdminToken}`);
    for (const login of demo) console.log(`Demo partner ${login.partnerName}, owner token (shown once): ${login.ownerToken}`);
    console.log(`IDE: open ${server.url} in a browser; put {"Authorization": "Bearer <token>"} in its Headers tab`);

    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      app.scheduler.stop();
      await server.close().catch((error) => logger.error({ err: error }, 'server close failed'));
      logger.debug('server closed');
      await app.webhookWorker.stop().catch((error) => logger.error({ err: error }, 'webhook worker stop failed'));
      await app.eventBus.stop().catch((error) => logger.error({ err: error }, 'event bus stop failed'));
      logger.debug('event bus stopped');
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

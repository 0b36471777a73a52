// Builds a running App (database ready, schema built, scheduler wired) from a config — used by main and by tests.
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import { Clock } from '../modules/clock/clock';
import { App } from './app';
import { ensureAdminToken, migrate, seedProgram } from './bootstrap';
import { buildAppSchema } from './build-schema';
import { ensurePartitions, monthsAround } from '../modules/consumption/partitions';
import { createDataSource } from './data-source';
import { createLogger, type Logger } from '../shared/logger';

export interface CreatedApp {
  app: App;
  schema: GraphQLSchema;
  /** True when the database had just been created (seeded now). */
  fresh: boolean;
  createdAdminToken: string | null;
}

export async function createApp(config: Config, databaseUrl: string, logger: Logger = createLogger(config.logLevel)): Promise<CreatedApp> {
  const ds = createDataSource(databaseUrl);
  await ds.initialize();
  await migrate(ds);
  const fresh = await seedProgram(ds);
  const clock = config.clock.mode === 'manual' ? new Clock('manual', config.clock.start) : new Clock('system');
  await clock.sync(ds);
  // Consumption partitions around today exist before the first record arrives (the scheduler keeps them made).
  await ensurePartitions(ds, monthsAround(clock.today()));
  const admin = await ensureAdminToken(ds, config.adminToken, clock.now());
  const app = new App({
    ds,
    clock,
    logger,
    adminTokenHash: admin.hash,
    listenDatabaseUrl: config.listenDatabaseUrl,
    webhooks: config.webhooks,
    namedStatements: config.namedStatements,
    closeParallelWorkers: config.closeParallelWorkers,
  });
  const schema = await buildAppSchema();
  // Subscriptions need it; whoever creates an App stops it (app.eventBus.stop()) before destroying the pool.
  await app.eventBus.start();
  // Stopped (app.webhookWorker.stop()) before the event bus.
  if (config.webhooks?.worker !== false) app.webhookWorker.start();
  return { app, schema, fresh, createdAdminToken: admin.created };
}

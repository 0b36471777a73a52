// A real App on its own database (cloned from the migrated template), with a manual clock and helpers to run
// GraphQL operations as a given token — through Apollo's full request pipeline, without HTTP.
import { ApolloServer } from '@apollo/server';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';
import type { App } from '../../src/app/app';
import type { AppContext } from '../../src/graphql/context';
import { createApp } from '../../src/app/create-app';
import { formatError } from '../../src/graphql/format-error';
import { createLogger, type Logger } from '../../src/shared/logger';
import { edgePlugin } from '../../src/graphql/edge';
import { KnownDocuments } from '../../src/app/known-documents';
import { localGateway } from '../../src/app/operation-executor';
import { apolloSecurityOptions, createContext, startServer, type RunningServer, type ServerOptions } from '../../src/app/server';
import type { Config } from '../../src/config';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../../src/modules/webhooks/webhook-settings';
import { TEMPLATE_DB, withDatabase } from './global-setup';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface GqlResult<T> {
  data: T | null | undefined;
  errors?: readonly GraphQLFormattedError[];
}

export interface TestApp {
  app: App;
  databaseUrl: string;
  /** Runs an operation; `token` null = no Authorization header. Defaults to the admin token. */
  gql<T = any, V extends Record<string, unknown> = Record<string, unknown>>(
    document: TypedDocumentNode<T, V> | DocumentNode | string,
    variables?: V,
    token?: string | null,
  ): Promise<GqlResult<T>>;
  /** Like gql, but fails the test on any top-level error. */
  ok<T = any, V extends Record<string, unknown> = Record<string, unknown>>(
    document: TypedDocumentNode<T, V> | DocumentNode | string,
    variables?: V,
    token?: string | null,
  ): Promise<T>;
  advanceTo(iso: string): Promise<void>;
  /** A real HTTP + WebSocket server for this App on a free port (closed by close()). */
  startHttp(options?: ServerOptions): Promise<RunningServer>;
  close(): Promise<void>;
}

/** A new database cloned from the migrated template (or an empty one with `template: null`). */
export async function createTestDatabase(template: string | null = TEMPLATE_DB): Promise<string> {
  const serverUrl = inject('serverUrl');
  const name = inject('databasePrefix') + randomBytes(6).toString('hex');
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  await client.end();
  return withDatabase(serverUrl, name);
}

export interface TestAppOptions {
  now?: string;
  clock?: 'manual' | 'system';
  /** The App's logger (default: silent, or TEST_LOG_LEVEL). */
  logger?: Logger;
  /** Webhook settings (allowed hosts, a short retry schedule, worker on/off); without them no delivery worker runs. */
  webhooks?: Partial<WebhookSettings>;
}

export async function setupTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  return attachTestApp(await createTestDatabase(), options);
}

/** Another App (another "server instance") on an existing test database, e.g. the databaseUrl of a setupTestApp. */
/**
 * TEST_POOLER_URL (e.g. pgbouncer in transaction mode, in front of the TEST_DATABASE_URL server): the App's pool then
 * goes through the pooler, to the same database, while the event bus LISTENs directly (LISTEN_DATABASE_URL), as in
 * production behind a pooler. Databases are still created and cloned directly.
 */
function pooled(databaseUrl: string): string {
  const pooler = process.env.TEST_POOLER_URL;
  return pooler ? withDatabase(pooler, new URL(databaseUrl).pathname.slice(1)) : databaseUrl;
}

export async function attachTestApp(databaseUrl: string, options: TestAppOptions = {}): Promise<TestApp> {
  const config: Config = {
    databaseUrl: pooled(databaseUrl),
    listenDatabaseUrl: databaseUrl,
    // Debian's pgbouncer (1.18) keeps no prepared statements across transactions: through a pooler, statements go unnamed.
    namedStatements: !process.env.TEST_POOLER_URL,
    port: 0,
    adminToken: ADMIN_TOKEN,
    clock: options.clock === 'system' ? { mode: 'system' } : { mode: 'manual', start: new Date(options.now ?? '2026-01-15T09:00:00Z') },
    logLevel: 'silent',
    dataDir: '',
    demo: false,
    // The delivery worker runs only where a test asks for webhook settings (it would otherwise add queries to counts).
    webhooks: { ...DEFAULT_WEBHOOK_SETTINGS, worker: options.webhooks !== undefined, ...options.webhooks },
  };
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const { app, schema } = await createApp(config, pooled(databaseUrl), logger);
  const known = new KnownDocuments();
  const apollo = new ApolloServer<AppContext>({
    gateway: localGateway(schema, known), // as the server runs operations (src/app/operation-executor.ts)
    ...apolloSecurityOptions(),
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => formatError(formatted, error, logger),
    plugins: [edgePlugin(schema), known.plugin()],
  });
  await apollo.start();
  const servers: RunningServer[] = [];

  const gql: TestApp['gql'] = async (document, variables, token = ADMIN_TOKEN) => {
    const query = typeof document === 'string' ? document : print(document);
    let contextValue: AppContext;
    try {
      contextValue = await createContext(app, token === null ? null : `Bearer ${token}`);
    } catch (error) {
      const e = error as { message: string; extensions?: Record<string, unknown> };
      return { data: null, errors: [{ message: e.message, extensions: e.extensions }] };
    }
    const response = await apollo.executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
    return response.body.singleResult as GqlResult<any>;
  };

  const testApp: TestApp = {
    app,
    databaseUrl,
    gql,
    async ok(document, variables, token) {
      const result = await gql(document, variables, token);
      if (result.errors?.length) throw new Error('GraphQL errors: ' + JSON.stringify(result.errors));
      return result.data as any;
    },
    async advanceTo(iso) {
      const result = await gql('mutation($to: DateTime!) { advanceClock(input: { to: $to }) { now userErrors { code message } } }', { to: iso });
      const payload = (result.data as any)?.advanceClock;
      if (result.errors?.length || payload?.userErrors?.length) throw new Error('advanceClock failed: ' + JSON.stringify(result.errors ?? payload.userErrors));
    },
    async startHttp(serverOptions) {
      const server = await startServer(app, schema, 0, serverOptions);
      servers.push(server);
      return server;
    },
    async close() {
      for (const server of servers) await server.close();
      await apollo.stop();
      app.scheduler.stop();
      await app.webhookWorker.stop();
      await app.eventBus.stop();
      await app.ds.destroy();
    },
  };
  return testApp;
}

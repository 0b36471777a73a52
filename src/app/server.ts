// HTTP + WebSocket GraphQL on one port: Apollo Server 5 over express on /graphql, graphql-ws on the same path,
// /healthz and /metrics.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import express from 'express';
import { GraphQLError, validate, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import client from 'prom-client';
import type { App } from './app';
import type { AppContext } from '../graphql/context';
import { formatError } from '../graphql/format-error';
import { createLoaders } from './loaders';
import { subscribeSharingResults } from '../modules/events/shared-execution';
import { securityPlugins, subscriptionValidationRules } from './security';
import type { Viewer } from '../modules/access/viewer';
import { auditRefusedRequest } from '../modules/audit/audit-refused-request';
import { documentsRouter } from '../modules/billing/documents/documents.router';
import { unauthenticated } from '../shared/errors';

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  apollo: ApolloServer<AppContext>;
  close(): Promise<void>;
}

const BEARER = /^Bearer\s+(\S+)$/i;

/** Resolves an Authorization header value; undefined header → null viewer, a bad token → UNAUTHENTICATED. */
export async function viewerFromAuthorization(app: App, header: string | undefined | null): Promise<Viewer | null> {
  if (!header) return null;
  const match = BEARER.exec(header.trim());
  if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
  const viewer = await app.access.authenticate(match[1]);
  if (!viewer) throw unauthenticated('Unknown or revoked API token');
  return viewer;
}

export async function createContext(app: App, authorization: string | undefined | null, requestId: string = randomUUID()): Promise<AppContext> {
  await app.clock.sync(app.ds);
  const viewer = await viewerFromAuthorization(app, authorization);
  // Time-driven transitions due today are applied before anything is read or changed on a new day (SPEC §15).
  await app.scheduler.catchUp();
  return { requestId, viewer, app, loaders: createLoaders(app) };
}

function metricsPlugin(registry: client.Registry): ApolloServerPlugin<AppContext> {
  const duration = new client.Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operation duration',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [registry],
  });
  return {
    async requestDidStart() {
      const end = duration.startTimer();
      return {
        async willSendResponse(ctx) {
          end({ operation: ctx.operationName ?? 'anonymous', type: ctx.operation?.operation ?? 'unknown', outcome: ctx.errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
}

function eventBusMetrics(app: App, registry: client.Registry): void {
  const bus = app.eventBus;
  const gauge = (name: string, help: string, value: () => number) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  gauge('event_bus_subscriptions', 'Live subscriptions on this instance', () => bus.subscriberCount);
  gauge('event_bus_connected', '1 while the LISTEN connection is up', () => (bus.connected ? 1 : 0));
  gauge('event_bus_reads', 'Reads of the event table by this instance since start', () => bus.stats.reads);
  gauge('event_bus_events', 'Events read since start', () => bus.stats.events);
  gauge('event_bus_deliveries', 'Events handed to subscriptions since start', () => bus.stats.deliveries);
  gauge('event_bus_reconnects', 'LISTEN connections made after the first', () => Math.max(0, bus.stats.connections - 1));
}

/** graphql-ws errors get the same masking as HTTP ones; a document refused by validation is GRAPHQL_VALIDATION_FAILED. */
function formatWsErrors(app: App, errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => {
    const formatted = error.toJSON();
    const code = formatted.extensions?.code;
    if (code === 'SUBSCRIBER_TOO_SLOW') return formatted;
    if (!code && !error.originalError)
      return formatError({ ...formatted, extensions: { ...formatted.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }, error, app.logger);
    return formatError(formatted, error, app.logger);
  });
}

export interface ServerOptions {
  /** graphql-ws keep-alive: a WebSocket ping every this many ms; a socket that has not answered by the next is terminated. */
  keepAliveMs?: number;
  /** How often open WebSockets are checked for revoked tokens. */
  tokenSweepMs?: number;
}

/** A client's x-request-id when it is a sane token, else a new one (it ends up in logs and responses). */
function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._:-]{1,100}$/.test(value) ? value : randomUUID();
}

type TokenSockets = Map<{ close(code: number, reason: string): void }, string>;

/** Closes every open socket whose token has been revoked (checked every `everyMs`). */
function startTokenSweep(app: App, socketTokens: TokenSockets, everyMs: number): NodeJS.Timeout {
  const sweep = setInterval(() => {
    const tokenIds = [...new Set(socketTokens.values())];
    if (tokenIds.length === 0) return;
    app.access
      .revokedAmong(tokenIds)
      .then((revoked) => {
        for (const [socket, tokenId] of socketTokens) if (revoked.has(tokenId)) socket.close(4403, 'API token revoked');
      })
      .catch((error) => app.logger.warn({ err: error }, 'token sweep failed'));
  }, everyMs);
  sweep.unref();
  return sweep;
}

/** graphql-ws on the HTTP server's /graphql: subscriptions only, authenticated in connection_init. */
function startWebSocketServer(app: App, schema: GraphQLSchema, httpServer: http.Server, socketTokens: TokenSockets, options: ServerOptions) {
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  return useServer<Record<string, unknown>, { ctx?: AppContext }>(
    {
      schema,
      // Apollo's validation plugins never see graphql-ws documents: apply the same limits here.
      validate: (schema, document) => validate(schema, document, subscriptionValidationRules),
      // One execution per event for all subscriptions with the same document, variables and viewer scope.
      subscribe: subscribeSharingResults,
      onConnect: async (ctx) => {
        const authorization = (ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization) as string | undefined;
        try {
          ctx.extra.ctx = await createContext(app, authorization ?? null);
          // A missing token is refused like a bad one: every WebSocket operation is a subscription to a stream.
          const tokenId = ctx.extra.ctx.viewer?.tokenId;
          // Only a socket still open is tracked (one closed during the await has had its onClose already).
          if (tokenId && ctx.extra.socket.readyState === ctx.extra.socket.OPEN) socketTokens.set(ctx.extra.socket, tokenId);
          return ctx.extra.ctx.viewer !== null;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx) => {
        const tokenId = ctx.extra.ctx?.viewer?.tokenId;
        if (tokenId && (await app.access.revokedAmong([tokenId])).size > 0) {
          ctx.extra.socket.close(4403, 'API token revoked');
          return [new GraphQLError('The API token was revoked', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
      },
      onClose: (ctx) => {
        socketTokens.delete(ctx.extra.socket);
      },
      onError: (_ctx, _id, _payload, errors) => formatWsErrors(app, errors),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.length ? { ...result, errors: formatWsErrors(app, result.errors) } : undefined),
      context: (ctx) => ({
        ...ctx.extra.ctx!,
        loaders: createLoaders(app),
        requestId: randomUUID(),
        closeConnection: (code: number, reason: string) => ctx.extra.socket.close(code, reason),
      }),
    },
    wsServer,
    // Pings every keepAliveMs; a socket without a pong by then is terminated (dead peers free their subscriptions).
    options.keepAliveMs ?? 12_000,
  );
}

/** Puts the request id on responses (and on masked errors) and logs unexpected errors with it. */
function requestIdPlugin(app: App): ApolloServerPlugin<AppContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          // A masked error carries the request id that its log line has (SPEC §9).
          if (rc.response.body.kind !== 'single') return;
          for (const error of rc.response.body.singleResult.errors ?? []) {
            if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') (error.extensions as Record<string, unknown>).requestId = rc.contextValue.requestId;
          }
          rc.response.http.headers.set('x-request-id', rc.contextValue.requestId);
        },
        async didEncounterErrors(rc) {
          for (const error of rc.errors) {
            if (!error.extensions?.code || error.extensions.code === 'INTERNAL_SERVER_ERROR') {
              app.logger.error({ err: error.originalError ?? error, requestId: rc.contextValue?.requestId, operation: rc.operationName }, 'operation failed');
            }
          }
        },
      };
    },
  };
}

/** /healthz, /metrics and /graphql (HTTP). */
function mountRoutes(expressApp: express.Express, app: App, apollo: ApolloServer<AppContext>, registry: client.Registry, schema: GraphQLSchema): void {
  expressApp.get('/healthz', async (_req, res) => {
    try {
      await app.ds.query('SELECT 1');
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });
  expressApp.get('/metrics', async (_req, res) => {
    res.set('content-type', registry.contentType);
    res.send(await registry.metrics());
  });
  expressApp.use('/documents', documentsRouter(app)); // invoice CSV and PDF (SPEC §21)
  expressApp.use(
    '/graphql',
    // 10,000-record consumption batches are a few MB of JSON.
    express.json({ limit: '32mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = requestIdOf(req.headers['x-request-id']);
        // A mutation refused for its token still leaves its audit entry (SPEC §20).
        const refused = (error: unknown) => auditRefusedRequest(app, schema, req.body, requestId, error);
        return createContext(app, req.headers.authorization ?? null, requestId).catch(refused);
      },
    }),
  );
}

export async function startServer(app: App, schema: GraphQLSchema, port: number, options: ServerOptions = {}): Promise<RunningServer> {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  eventBusMetrics(app, registry);
  const expressApp = express();
  expressApp.set('etag', false); // no body hashing per response; clients do not revalidate GraphQL POSTs
  const httpServer = http.createServer(expressApp);
  // The token of each open socket: a revoked token loses its streams (checked on subscribe and every few seconds).
  const socketTokens: TokenSockets = new Map();
  const sweep = startTokenSweep(app, socketTokens, options.tokenSweepMs ?? 5_000);
  const wsCleanup = startWebSocketServer(app, schema, httpServer, socketTokens, options);

  const apollo = new ApolloServer<AppContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // Kept on in production too (NODE_ENV=production turns Apollo's default off): the schema is public (docs, codegen).
    introspection: true,
    stopOnTerminationSignals: false, // main.ts owns shutdown: server, pool, then the embedded PostgreSQL
    formatError: (formatted, error) => formatError(formatted, error, app.logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No cache hints are used: without this Apollo wraps every field resolver to compute them.
      ApolloServerPluginCacheControlDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      metricsPlugin(registry),
      ...securityPlugins(),
      requestIdPlugin(app),
    ],
  });
  await apollo.start();
  mountRoutes(expressApp, app, apollo, registry, schema);

  await new Promise<void>((resolve) => httpServer.listen(port, resolve));
  const actualPort = (httpServer.address() as { port: number }).port;
  return {
    url: `http://localhost:${actualPort}/graphql`,
    port: actualPort,
    httpServer,
    apollo,
    async close() {
      clearInterval(sweep);
      await apollo.stop();
    },
  };
}

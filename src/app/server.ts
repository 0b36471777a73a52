// HTTP + WebSocket GraphQL on one port: Apollo Server 5 over express on /graphql (plain JSON POSTs straight from
// node:http, graphql-post.ts), graphql-ws and graphql-sse on the same path, the offline IDE (GET /graphql from a
// browser, assets under /ide/), /healthz (straight from node:http, health.ts) and /metrics.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import express from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import client from 'prom-client';
import type { App } from './app';
import type { AppContext } from '../graphql/context';
import { formatError } from '../graphql/format-error';
import { createLoaders } from './loaders';
import { subscribeSharingResults } from '../modules/events/shared-execution';
import { auditRefusedRequest } from '../modules/audit/audit-refused-request';
import { documentsRouter } from '../modules/billing/documents/documents.router';
import { parseOptions } from '../graphql/limits';
import { edgePlugin, prepareWsOperation } from '../graphql/edge';
import { chargeIp, clientIp, corsFor, graphqlBody, jsonErrors, notFound, requestIds, type HttpEdge } from './http-edge';
import { appMetrics, httpResponsesCounter, knownOperationNames, operationMetrics, operationsPlugin, responseTracker, type ResponseTracker } from './metrics';
import { localGateway } from './operation-executor';
import { KnownDocuments } from './known-documents';
import { graphqlPost, type HttpContext } from './graphql-post';
import { mountIde } from './ide';
import { sseHandler } from './sse';
import { HealthProbe, healthz } from './health';
import { DEFAULT_RATE_BUDGETS, RateLimiter, type RateBudgets } from '../graphql/rate-limit';
import { guardMessageSizes, serializedSender, SocketTokens, WS_MESSAGE_LIMIT, WS_SUBSCRIPTION_LIMIT } from './ws-edge';
import type { Viewer } from '../modules/access/viewer';
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
  /** Safety net behind the revocation broadcast: how often open WebSockets are checked for revoked tokens. */
  tokenSweepMs?: number;
  /** Listen address (HOST, default 0.0.0.0). */
  host?: string;
  /** Origins answered for CORS (CORS_ORIGINS; none by default). */
  corsOrigins?: string[];
  /** Rate-limit budgets per hour (RATE_LIMIT_*). */
  rateBudgets?: RateBudgets;
  /** Operation names counted under their own metrics label besides the root field names (METRICS_OPERATIONS). */
  metricsOperations?: string[];
}

/** The context of one graphql-ws operation: the socket's viewer, its loaders (made on first use), request id and rate state. */
function wsOperationContext(app: App, socketCtx: AppContext, limiter: RateLimiter, ip: string, socket: WebSocket, id: string): AppContext {
  return {
    ...socketCtx,
    loaders: createLoaders(app),
    requestId: randomUUID(),
    closeConnection: (code, reason) => socket.close(code, reason),
    sendSerialized: serializedSender(socket, id),
    edge: { ip, limiter },
  };
}

/** graphql-ws on the HTTP server's /graphql: message and subscription limits, revocation, the shared limits. */
function startWebSockets(app: App, schema: GraphQLSchema, httpServer: http.Server, limiter: RateLimiter, options: ServerOptions) {
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: WS_MESSAGE_LIMIT, perMessageDeflate: false });
  guardMessageSizes(wsServer, app);
  const socketTokens = new SocketTokens(app, options.tokenSweepMs ?? 5_000);
  const cleanup = useServer<Record<string, unknown>, { ctx?: AppContext; ip?: string }>(
    {
      schema,
      // One execution per event for all subscriptions with the same document, variables and viewer scope.
      subscribe: subscribeSharingResults,
      onConnect: async (ctx) => {
        const authorization = (ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization) as string | undefined;
        ctx.extra.ip = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        try {
          ctx.extra.ctx = await createContext(app, typeof authorization === 'string' ? authorization : null);
          // A missing token is refused like a bad one: every WebSocket operation is a subscription to a stream.
          const tokenId = ctx.extra.ctx.viewer?.tokenId;
          // Only a socket still open is tracked (one closed during the await has had its onClose already).
          if (tokenId && ctx.extra.socket.readyState === ctx.extra.socket.OPEN) socketTokens.track(ctx.extra.socket, tokenId);
          return ctx.extra.ctx.viewer !== null;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      // Parse (token limit), validate, check the limits and the rate budget: the same as HTTP (graphql/edge.ts).
      onSubscribe: async (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > WS_SUBSCRIPTION_LIMIT) {
          return [new GraphQLError(`At most ${WS_SUBSCRIPTION_LIMIT} subscriptions per socket`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })];
        }
        const socketCtx = ctx.extra.ctx!;
        const tokenId = socketCtx.viewer?.tokenId;
        if (tokenId && (await app.access.revokedAmong([tokenId])).size > 0) {
          ctx.extra.socket.close(4403, 'API token revoked');
          return [new GraphQLError('The API token was revoked', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        const context = wsOperationContext(app, socketCtx, limiter, ctx.extra.ip ?? 'unknown', ctx.extra.socket, id);
        return prepareWsOperation(schema, payload, context);
      },
      onClose: (ctx) => {
        socketTokens.forget(ctx.extra.socket);
      },
      onError: (_ctx, _id, _payload, errors) => formatWsErrors(app, errors),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.length ? { ...result, errors: formatWsErrors(app, result.errors) } : undefined),
    },
    wsServer,
    // Pings every keepAliveMs; a socket without a pong by then is terminated (dead peers free their subscriptions).
    options.keepAliveMs ?? 12_000,
  );
  return {
    async dispose() {
      socketTokens.stop();
      await cleanup.dispose();
    },
  };
}

/** The GraphQL context of an HTTP request (both the fast path and express's): viewer, loaders, client IP and budget. */
function httpContext(app: App, schema: GraphQLSchema, edge: HttpEdge): HttpContext {
  return async (req, res, requestId, body) => {
    try {
      return { ...(await createContext(app, req.headers.authorization ?? null, requestId)), edge: { ip: clientIp(req), limiter: edge.limiter } };
    } catch (error) {
      // A bad token never reaches the plugins: its answer still carries the (client IP's) rate headers.
      chargeIp(edge.limiter, clientIp(req), res);
      // A mutation refused for its token still leaves its audit entry (SPEC §20); rethrows.
      return auditRefusedRequest(app, schema, body, requestId, error);
    }
  };
}

/**
 * /metrics, the IDE, then /graphql behind the HTTP edge (CORS, method, media type, body limit, JSON errors):
 * Server-Sent Events subscriptions first, everything else to Apollo.
 */
function mountHttp(expressApp: express.Express, apollo: ApolloServer<AppContext>, registry: client.Registry, routes: HttpRoutes): void {
  const { edge, context } = routes;
  expressApp.disable('x-powered-by');
  expressApp.use(httpResponsesCounter(routes.track), requestIds());
  expressApp.get('/metrics', async (_req, res) => {
    res.set('content-type', registry.contentType);
    res.send(await registry.metrics());
  });
  mountIde(expressApp);
  expressApp.use(
    '/graphql',
    corsFor(edge.corsOrigins),
    ...graphqlBody(edge),
    routes.sse, // subscriptions over Server-Sent Events (Accept: text/event-stream)
    expressMiddleware(apollo, { context: ({ req, res }) => context(req, res, String(res.locals.requestId), req.body) }),
  );
  expressApp.use('/documents', documentsRouter(routes.app)); // invoice CSV and PDF (SPEC §21)
  expressApp.use(notFound(edge));
  expressApp.use(jsonErrors(edge));
}

interface HttpRoutes {
  app: App;
  edge: HttpEdge;
  context: HttpContext;
  track: ResponseTracker;
  health: HealthProbe;
  sse: ReturnType<typeof sseHandler>;
}

export async function startServer(app: App, schema: GraphQLSchema, port: number, options: ServerOptions = {}): Promise<RunningServer> {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  appMetrics(app, registry);
  const limiter = new RateLimiter(options.rateBudgets ?? DEFAULT_RATE_BUDGETS);
  const expressApp = express();
  expressApp.set('etag', false); // no body hashing per response; clients do not revalidate GraphQL POSTs
  // Plain JSON POSTs to /graphql take the fast path (graphql-post.ts) once Apollo has started; the rest is express's.
  let fastPost: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | null = null;
  let healthFirst: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | null = null;
  const httpServer = http.createServer((req, res) => {
    if (!healthFirst?.(req, res) && !fastPost?.(req, res)) expressApp(req, res);
  });
  const ws = startWebSockets(app, schema, httpServer, limiter, options);
  const sse = sseHandler(app, schema, {
    createContext: (authorization, requestId) => createContext(app, authorization, requestId),
    formatErrors: (errors) => formatWsErrors(app, errors),
    limiter,
    tokenSweepMs: options.tokenSweepMs,
  });
  const metrics = operationMetrics(registry, knownOperationNames(schema, options.metricsOperations));
  const known = new KnownDocuments();
  const apollo = new ApolloServer<AppContext>({
    gateway: localGateway(schema, known), // our schema, run by operation-executor.ts
    ...apolloSecurityOptions(),
    // Kept on in production too (NODE_ENV=production turns Apollo's default off): the schema is public (docs, codegen).
    introspection: true,
    stopOnTerminationSignals: false, // main.ts owns shutdown: server, pool, then the embedded PostgreSQL
    formatError: (formatted, error) => formatError(formatted, error, app.logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(), // the IDE is ours, served offline (./ide.ts)
      // No cache hints are used: without this Apollo wraps every field resolver to compute them.
      ApolloServerPluginCacheControlDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              sse.close();
              await ws.dispose();
            },
          };
        },
      },
      operationsPlugin(metrics),
      requestIdPlugin(app),
      edgePlugin(schema),
      known.plugin(),
    ],
  });
  await apollo.start();
  const edge: HttpEdge = { logger: app.logger, limiter, corsOrigins: options.corsOrigins ?? [] };
  const health = HealthProbe.of(app.ds).start();
  const routes: HttpRoutes = { app, edge, context: httpContext(app, schema, edge), track: responseTracker(registry), health, sse };
  mountHttp(expressApp, apollo, registry, routes);
  // /healthz first on the request path (health.ts): its own connection, checked every second, answered at once.
  healthFirst = healthz(health, routes.track);
  const knownAnswers = new client.Counter({
    name: 'graphql_known_document_answers_total',
    help: 'Queries of known documents answered without Apollo',
    registers: [registry],
  });
  fastPost = graphqlPost({ ...routes, apollo, known, schema, metrics, answered: () => knownAnswers.inc() });

  await new Promise<void>((resolve) => httpServer.listen(port, options.host ?? '0.0.0.0', resolve));
  const actualPort = (httpServer.address() as { port: number }).port;
  const shownHost =
    !options.host || options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${actualPort}/graphql`,
    port: actualPort,
    httpServer,
    apollo,
    close: async () => {
      await apollo.stop();
      await routes.health.stop();
    },
  };
}

/** Apollo options shared by the server and the in-process test pipeline (which adds edgePlugin too). */
export function apolloSecurityOptions() {
  return { parseOptions, includeStacktraceInErrorResponses: false };
}

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
            const status = (error.extensions?.http as { status?: number } | undefined)?.status;
            if ((!error.extensions?.code && !(status && status < 500)) || error.extensions?.code === 'INTERNAL_SERVER_ERROR') {
              app.logger.error({ err: error.originalError ?? error, requestId: rc.contextValue?.requestId, operation: rc.operationName }, 'operation failed');
            }
          }
        },
      };
    },
  };
}

// Subscriptions over Server-Sent Events (the graphql-sse protocol, "distinct connections" mode) on the same /graphql
// path, for integrators whose proxies refuse WebSocket. A request is one when it asks for `text/event-stream`.
// The same rules as graphql-ws: a bearer token in the Authorization header (missing, malformed or revoked → 401
// before any data), the same validation limits, the same replay (`after`) and the shared per-event execution;
// only subscriptions (queries and mutations stay on plain HTTP, behind Apollo's limits).
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { getOperationAST, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import type { AppContext } from '../graphql/context';
import { subscribeSharingResults } from '../modules/events/shared-execution';
import type { App } from './app';
import { createLoaders } from './loaders';
import { subscriptionValidationRules } from './security';

type SseResponse = readonly [string, { status: number; statusText: string; headers: Record<string, string> }];

function refuse(status: number, statusText: string, message: string, code: string): SseResponse {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  return [body, { status, statusText, headers: { 'content-type': 'application/json; charset=utf-8' } }];
}

/** True for requests speaking graphql-sse: they accept an event stream. */
export function isEventStreamRequest(req: Request): boolean {
  return /\btext\/event-stream\b/.test(req.headers.accept ?? '');
}

export interface SseOptions {
  createContext(authorization: string | null): Promise<AppContext>;
  formatErrors(errors: readonly GraphQLError[]): unknown[];
  /** How often open streams are checked for revoked tokens. */
  tokenSweepMs?: number;
}

const contexts = new WeakMap<Request, AppContext>();
/** graphql-sse wants an open record as its context type. */
type SseContext = AppContext & Record<PropertyKey, unknown>;

/** An express handler for /graphql that serves graphql-sse requests and passes every other request on. */
export function sseHandler(app: App, schema: GraphQLSchema, options: SseOptions) {
  const open = new Map<Response, string>(); // stream → token id, for revocation
  const sweep = setInterval(() => {
    const tokenIds = [...new Set(open.values())];
    if (tokenIds.length === 0) return;
    app.access
      .revokedAmong(tokenIds)
      .then((revoked) => {
        for (const [res, tokenId] of open) if (revoked.has(tokenId)) res.end();
      })
      .catch((error) => app.logger.warn({ err: error }, 'SSE token sweep failed'));
  }, options.tokenSweepMs ?? 5_000);
  sweep.unref();

  const handler = createHandler<SseContext>({
    schema,
    authenticate: () => null, // distinct connections mode only: one stream per subscription, no reservations
    validate: (s, document) => validate(s, document, subscriptionValidationRules),
    subscribe: subscribeSharingResults,
    onConnect: async (req) => {
      let ctx: AppContext;
      try {
        ctx = await options.createContext(req.raw.headers.authorization ?? null);
      } catch (error) {
        return refuse(401, 'Unauthorized', error instanceof GraphQLError ? error.message : 'Unknown or revoked API token', 'UNAUTHENTICATED');
      }
      if (!ctx.viewer) return refuse(401, 'Unauthorized', 'A valid API token is required (Authorization: Bearer <token>)', 'UNAUTHENTICATED');
      contexts.set(req.raw, ctx);
      const res = req.context.res;
      if (ctx.viewer.tokenId) open.set(res, ctx.viewer.tokenId);
      res.on('close', () => open.delete(res));
    },
    onSubscribe: (_req, params) => {
      let document: DocumentNode;
      try {
        document = parse(params.query as string);
      } catch {
        return; // graphql-sse answers the syntax error itself
      }
      if (getOperationAST(document, params.operationName)?.operation !== 'subscription') {
        return refuse(400, 'Bad Request', 'Only subscriptions are served as event streams; send queries and mutations as plain POST', 'BAD_REQUEST');
      }
    },
    context: (req): SseContext => ({
      ...contexts.get(req.raw)!,
      loaders: createLoaders(app),
      requestId: randomUUID(),
      // A subscriber too slow to keep up loses its stream (over WebSocket: close code 4008).
      closeConnection: () => req.context.res.end(),
    }),
    onNext: (_ctx, _req, result) => {
      if (!('errors' in result) || !result.errors?.length) return undefined;
      return { ...result, errors: options.formatErrors(result.errors) as GraphQLError[] };
    },
  });

  const middleware = (req: Request, res: Response, next: NextFunction) => {
    if (!isEventStreamRequest(req)) return next();
    handler(req, res).catch((error) => {
      app.logger.error({ err: error }, 'SSE request failed');
      if (!res.headersSent) res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  };
  return Object.assign(middleware, { close: () => { clearInterval(sweep); for (const res of open.keys()) res.end(); } });
}

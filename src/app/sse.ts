// Subscriptions over Server-Sent Events (the graphql-sse protocol, "distinct connections" mode) on the same /graphql
// path, for integrators whose proxies refuse WebSocket. A request is one when it asks for `text/event-stream`.
// The same edge as graphql-ws (SPEC §18): a bearer token in the Authorization header (missing, malformed or revoked
// → 401 before any data, charged to the client IP), the same parse/validate/limits/rate budget (`prepareWsOperation`
// of graphql/edge.ts), the same replay (`after`) and shared per-event execution, and a revoked token's streams end at
// once (`SocketTokens`, on the revocation broadcast). Only subscriptions: queries and mutations stay on plain HTTP.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { getOperationAST, GraphQLError, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { createHandler, type RequestContext } from 'graphql-sse/lib/use/express';
import type { Request as SseRequest } from 'graphql-sse';
import type { AppContext } from '../graphql/context';
import { prepareWsOperation } from '../graphql/edge';
import { rateLimitHeaders, type RateLimiter } from '../graphql/rate-limit';
import { subscribeSharingResults } from '../modules/events/shared-execution';
import type { App } from './app';
import { chargeIp, clientIp } from './http-edge';
import { createLoaders } from './loaders';
import { SocketTokens } from './ws-edge';

type SseResponse = readonly [string, { status: number; statusText: string; headers: Record<string, string> }];
type SseReq = SseRequest<Request, RequestContext>;
/** graphql-sse wants an open record as its context type. */
type SseContext = AppContext & Record<PropertyKey, unknown>;

function refuse(status: number, statusText: string, errors: { message: string; extensions: Record<string, unknown> }[], headers = {}): SseResponse {
  return [JSON.stringify({ errors }), { status, statusText, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } }];
}

const unauthorized = (message: string) => refuse(401, 'Unauthorized', [{ message, extensions: { code: 'UNAUTHENTICATED' } }]);

/** True for requests speaking graphql-sse: they accept an event stream. */
export function isEventStreamRequest(req: Request): boolean {
  return /\btext\/event-stream\b/.test(req.headers.accept ?? '');
}

export interface SseOptions {
  createContext(authorization: string | null, requestId: string): Promise<AppContext>;
  formatErrors(errors: readonly GraphQLError[]): unknown[];
  limiter: RateLimiter;
  /** Safety net behind the revocation broadcast: how often open streams are checked for revoked tokens. */
  tokenSweepMs?: number;
}

/** onConnect: authenticates (401 before any data, charged to the IP) and tracks the stream under its token. */
function connect(options: SseOptions, contexts: WeakMap<Request, AppContext>, streams: SocketTokens, open: Set<Response>) {
  return async (req: SseReq): Promise<SseResponse | undefined> => {
    const res = req.context.res;
    let ctx: AppContext;
    try {
      ctx = await options.createContext(req.raw.headers.authorization ?? null, String(res.locals.requestId ?? randomUUID()));
    } catch (error) {
      chargeIp(options.limiter, clientIp(req.raw), res);
      return unauthorized(error instanceof GraphQLError ? error.message : 'Unknown or revoked API token');
    }
    if (!ctx.viewer) {
      chargeIp(options.limiter, clientIp(req.raw), res);
      return unauthorized('A valid API token is required (Authorization: Bearer <token>)');
    }
    contexts.set(req.raw, { ...ctx, edge: { ip: clientIp(req.raw), limiter: options.limiter } });
    open.add(res);
    res.on('close', () => open.delete(res));
    const tokenId = ctx.viewer.tokenId;
    if (tokenId) {
      const stream = { close: () => res.end() };
      streams.track(stream, tokenId);
      res.on('close', () => streams.forget(stream));
    }
    return undefined;
  };
}

/**
 * onSubscribe: the document goes through the same edge function as a graphql-ws subscribe message. Refusals of the
 * document (syntax, validation, limits) are streamed as GraphQL errors like graphql-sse's own; an exhausted rate
 * budget is 429 with Retry-After; a query or mutation is 400.
 */
function subscribe(app: App, schema: GraphQLSchema, contexts: WeakMap<Request, AppContext>) {
  return async (req: SseReq, params: { query: unknown; operationName?: string | null; variables?: Record<string, unknown> | null }) => {
    const res = req.context.res;
    const base = contexts.get(req.raw)!;
    const tokenId = base.viewer?.tokenId;
    if (tokenId && (await app.access.revokedAmong([tokenId])).size > 0) return unauthorized('The API token was revoked');
    const context: AppContext = {
      ...base,
      loaders: createLoaders(app),
      edge: { ...base.edge! },
      // A subscriber too slow to keep up loses its stream (over WebSocket: close code 4008).
      closeConnection: () => res.end(),
    };
    const prepared = prepareWsOperation(schema, { ...params, query: String(params.query ?? '') }, context);
    if (context.edge?.rateLimit) for (const [name, value] of rateLimitHeaders(context.edge.rateLimit)) res.setHeader(name, value);
    if (Array.isArray(prepared)) {
      const limited = prepared.find((e) => e.extensions.code === 'RATE_LIMITED');
      if (!limited) return { data: null, errors: prepared };
      const retryAfter = String(limited.extensions.retryAfter);
      return refuse(429, 'Too Many Requests', [{ message: limited.message, extensions: { code: 'RATE_LIMITED', retryAfter } }], { 'retry-after': retryAfter });
    }
    if (getOperationAST(prepared.document, prepared.operationName)?.operation !== 'subscription') {
      const message = 'Only subscriptions are served as event streams; send queries and mutations as plain POST';
      return refuse(400, 'Bad Request', [{ message, extensions: { code: 'BAD_REQUEST' } }]);
    }
    return prepared as ExecutionArgs & { contextValue: SseContext };
  };
}

/** An express handler for /graphql that serves graphql-sse requests and passes every other request on. */
export function sseHandler(app: App, schema: GraphQLSchema, options: SseOptions) {
  const contexts = new WeakMap<Request, AppContext>();
  // The token of each open stream: a revocation heard on the event bus ends that token's streams on this instance.
  const streams = new SocketTokens(app, options.tokenSweepMs ?? 5_000);
  const open = new Set<Response>();
  const handler = createHandler<SseContext>({
    schema,
    authenticate: () => null, // distinct connections mode only: one stream per subscription, no reservations
    // onSubscribe always returns prepared (already validated) arguments or a refusal: nothing is left to validate.
    validate: () => [],
    subscribe: subscribeSharingResults,
    onConnect: connect(options, contexts, streams, open),
    onSubscribe: subscribe(app, schema, contexts),
    onNext: (_ctx, _req, result) => {
      if (!('errors' in result) || !result.errors?.length) return undefined;
      return { ...result, errors: options.formatErrors(result.errors) as GraphQLError[] };
    },
  });

  const middleware = (req: Request, res: Response, next: NextFunction) => {
    if (!isEventStreamRequest(req)) return next();
    handler(req, res).catch((error) => {
      app.logger.error({ err: error, requestId: res.locals.requestId }, 'SSE request failed');
      if (!res.headersSent) next(error);
      else res.end();
    });
  };
  const close = () => {
    streams.stop();
    for (const res of open) res.end();
  };
  return Object.assign(middleware, { close });
}

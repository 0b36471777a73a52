// The HTTP layer in front of Apollo (SPEC §18): every failure before GraphQL — wrong method, media type, malformed
// or oversized JSON, unknown path, anything unexpected — is a JSON answer {"errors":[{"message","extensions":{"code"}}]}
// with no stack and no file path, logged as one structured line with the request id.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../shared/logger';
import { rateLimitHeaders, type RateLimiter } from '../graphql/rate-limit';

/** The request body limit: a 10,000-record consumption batch is a few MB of JSON. */
export const BODY_LIMIT_BYTES = 32 * 1024 * 1024;
const BODY_LIMIT_TEXT = '32 MB';

/** A client's x-request-id when it is a sane token, else a new one (it ends up in logs and responses). */
export function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._:-]{1,100}$/.test(value) ? value : randomUUID();
}

export function clientIp(req: Pick<IncomingMessage, 'socket'>): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export interface HttpEdge {
  logger: Logger;
  limiter: RateLimiter;
  corsOrigins: string[];
}

/** Charges a request refused before GraphQL (1 point, to its client IP) and puts the rate headers on its answer. */
export function chargeIp(limiter: RateLimiter, ip: string, res: Pick<ServerResponse, 'setHeader'>): void {
  const who = limiter.keyOf(null, ip);
  const state = limiter.charge(who, 1);
  for (const [name, value] of rateLimitHeaders(state.allowed ? state : limiter.peek(who))) res.setHeader(name, value);
}

/** Sends a JSON error answer; HTTP-layer refusals cost the client IP one rate-limit point. */
function refuse(edge: HttpEdge, req: Request, res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  refuseRaw(edge, req, res, String(res.locals.requestId ?? requestIdOf(undefined)), { status, code, message, headers, path: req.path });
}

export interface Refusal {
  status: number;
  code: string;
  message: string;
  path: string;
  headers?: Record<string, string>;
}

/** refuse() on node:http's request and response (the JSON POST fast path, src/app/graphql-post.ts). */
export function refuseRaw(edge: HttpEdge, req: IncomingMessage, res: ServerResponse, requestId: string, refusal: Refusal): void {
  const { status, code, message, path } = refusal;
  chargeIp(edge.limiter, clientIp(req), res);
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  const extensions: Record<string, unknown> = { code };
  if (status >= 500) extensions.requestId = requestId;
  const level = status >= 500 ? 'error' : 'info';
  edge.logger[level]({ requestId, method: req.method, path, status, code }, 'http request refused');
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions }] }));
}

/** Request id on every answer (and in res.locals for the GraphQL context and the logs). */
export function requestIds(): RequestHandler {
  return (req, res, next) => {
    res.locals.requestId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('x-request-id', res.locals.requestId);
    next();
  };
}

/** CORS for the configured origins only (none by default: no CORS headers at all, so browsers refuse). */
export function corsFor(origins: string[]): RequestHandler {
  if (origins.length === 0) return (_req, _res, next) => next();
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'apollo-require-preflight', 'x-apollo-operation-name'],
    exposedHeaders: ['x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-used', 'x-ratelimit-reset', 'retry-after'],
    maxAge: 600,
  });
}

export const JSON_MEDIA = /^application\/(json|graphql-response\+json)\s*(;|$)/i;

/** /graphql: GET and POST only; a POST body must be JSON; the body is parsed up to the limit. */
export function graphqlBody(edge: HttpEdge): RequestHandler[] {
  const checkMethod: RequestHandler = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'POST') return next();
    refuse(edge, req, res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on /graphql; use GET (queries) or POST`, { allow: 'GET, POST' });
  };
  const checkMediaType: RequestHandler = (req, res, next) => {
    if (req.method !== 'POST' || JSON_MEDIA.test(req.headers['content-type'] ?? '')) return next();
    refuse(edge, req, res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'A POST body must be JSON (content-type: application/json)');
  };
  const json = express.json({ limit: BODY_LIMIT_BYTES, type: (req) => JSON_MEDIA.test(req.headers['content-type'] ?? '') });
  // Express 5 leaves req.body undefined for a GET; Apollo reads the query string then.
  const bodyForGet: RequestHandler = (req, _res, next) => {
    if (req.body === undefined) req.body = {};
    next();
  };
  return [checkMethod, checkMediaType, json, bodyForGet];
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** The express error handler: body-parser failures and anything unexpected become JSON. */
export function jsonErrors(edge: HttpEdge): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const type = (error as BodyParserError)?.type;
    if (type === 'entity.parse.failed') return refuse(edge, req, res, 400, 'BAD_REQUEST', 'The request body is not valid JSON');
    if (type === 'entity.too.large') return refuse(edge, req, res, 413, 'PAYLOAD_TOO_LARGE', `The request body exceeds the limit of ${BODY_LIMIT_TEXT}`);
    if (type === 'encoding.unsupported' || type === 'charset.unsupported')
      return refuse(edge, req, res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 JSON');
    if (type === 'request.aborted' || type === 'request.size.invalid' || type === 'stream.encoding.set') {
      return refuse(edge, req, res, 400, 'BAD_REQUEST', 'The request body could not be read');
    }
    edge.logger.error({ err: error, requestId: res.locals.requestId, path: req.path }, 'unexpected http error');
    refuse(edge, req, res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  };
}

/** Unknown paths answer JSON 404 as well. */
export function notFound(edge: HttpEdge): RequestHandler {
  return (req, res) => refuse(edge, req, res, 404, 'NOT_FOUND', 'Not found: the API is served on /graphql (also /healthz, /metrics)');
}

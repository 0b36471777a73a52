// The JSON POST /graphql fast path: the common request (POST, plain UTF-8 JSON with a length, no CORS origin, no
// event stream asked for) goes straight from node:http to Apollo's executeHTTPGraphQLRequest, without express's
// router, body parser and per-request middleware chain. Everything else (GET, CORS, SSE, odd media types, chunked
// or compressed bodies, other paths) falls through to express, which answers exactly as before. Both paths give
// the same answers: the same request id, response metrics, JSON refusals (http-edge.ts) and GraphQL context. A query
// whose document Apollo has already validated is answered without Apollo's pipeline (known-documents.ts).
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { AppContext } from '../graphql/context';
import { answerKnown, knownOperation, type KnownDocuments } from './known-documents';
import { BODY_LIMIT_BYTES, refuseRaw, requestIdOf, type HttpEdge } from './http-edge';
import type { OperationMetrics, ResponseTracker } from './metrics';

const PATH = '/graphql';
/** application/json, optionally with charset=utf-8 (anything else goes through express's body parser). */
const PLAIN_JSON = /^application\/(json|graphql-response\+json)\s*(;\s*charset="?utf-8"?\s*)?$/i;

export type HttpContext = (req: IncomingMessage, res: ServerResponse, requestId: string, body: unknown) => Promise<AppContext>;

/** Whether the fast path takes this request; false leaves it (untouched) to express. */
function takes(req: IncomingMessage): boolean {
  const { headers } = req;
  if (req.method !== 'POST' || req.url !== PATH || headers.origin !== undefined || headers['content-encoding'] !== undefined) return false;
  if (!PLAIN_JSON.test(headers['content-type'] ?? '') || (headers.accept ?? '').includes('text/event-stream')) return false;
  const length = Number(headers['content-length']);
  return headers['content-length'] !== undefined && Number.isSafeInteger(length) && length <= BODY_LIMIT_BYTES;
}

/** body-parser's strict JSON: an object or an array; an empty body is {}. */
function parseBody(text: string): { ok: true; body: unknown } | { ok: false } {
  const start = /\S/.exec(text);
  if (!start) return { ok: true, body: {} };
  if (start[0] !== '{' && start[0] !== '[') return { ok: false };
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function headerMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

async function execute(apollo: ApolloServer<AppContext>, context: () => Promise<AppContext>, req: IncomingMessage, res: ServerResponse, body: unknown) {
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers: headerMap(req), search: '', body },
    context,
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

export interface PostRoutes {
  apollo: ApolloServer<AppContext>;
  context: HttpContext;
  edge: HttpEdge;
  track: ResponseTracker;
  /** Queries Apollo has already validated, answered without its pipeline (known-documents.ts). */
  known: KnownDocuments;
  schema: GraphQLSchema;
  metrics: OperationMetrics;
  /** Counts an answer of the known-documents path. */
  answered(): void;
}

/** The known-documents path when it takes the request, else Apollo's full pipeline. */
function answer(routes: PostRoutes, req: IncomingMessage, res: ServerResponse, requestId: string, body: unknown): Promise<void> {
  const context = () => routes.context(req, res, requestId, body);
  const apollo = (ctx: () => Promise<AppContext>) => execute(routes.apollo, ctx, req, res, body);
  const op = knownOperation(routes.known, body, req.headers.accept);
  if (!op) return apollo(context);
  return answerKnown({ schema: routes.schema, metrics: routes.metrics, context, apollo, answered: routes.answered }, req, res, op);
}

/** A request handler answering the fast path's requests; returns false for the others (hand them to express). */
export function graphqlPost(routes: PostRoutes) {
  const { edge, track } = routes;
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!takes(req)) return false;
    const requestId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    track(PATH, res);
    const refuse = (status: number, code: string, message: string) => refuseRaw(edge, req, res, requestId, { status, code, message, path: PATH });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => refuse(400, 'BAD_REQUEST', 'The request body could not be read'));
    req.on('end', () => {
      const parsed = parseBody(Buffer.concat(chunks).toString('utf8'));
      if (!parsed.ok) return refuse(400, 'BAD_REQUEST', 'The request body is not valid JSON');
      answer(routes, req, res, requestId, parsed.body).catch((error: unknown) => {
        edge.logger.error({ err: error, requestId, path: PATH }, 'unexpected http error');
        if (res.headersSent) res.end();
        else refuse(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      });
    });
    return true;
  };
}

// Known documents: the JSON POST fast path (graphql-post.ts) answers a query whose document Apollo has already
// parsed (with the token limit) and validated, without Apollo's request pipeline — no per-request hashing, content
// negotiation, plugin hooks or result re-ordering — by graphql-js `execute` with the same context, the same
// admission (limits and rate budget: admitOperation) and the same metrics. It answers only the plain successful
// case; everything else is handed to Apollo, which answers exactly as it always does:
//   - a document not seen yet, a mutation or subscription, APQ extensions, an unusual Accept header: Apollo from
//     the start (and Apollo's plugin below remembers the document once it has validated it);
//   - a context that fails (unknown or revoked token): Apollo gets the same failure to report;
//   - an operation refused by its limits or rate budget: Apollo reports the refusal already decided (and charged);
//   - an execution with any error: Apollo executes the query again (a read) with fresh loaders and formats it.
// Each known operation is compiled once by graphql-jit (a function per document that calls the same resolvers,
// with the same info, and serializes the same scalars) instead of being interpreted field by field per request;
// an operation graphql-jit does not compile is executed by graphql-js `execute`.
import type { ApolloServerPlugin } from '@apollo/server';
import { execute, getOperationAST, parse, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../graphql/context';
import { admitOperation } from '../graphql/edge';
import { rateLimitHeaders } from '../graphql/rate-limit';
import type { OperationMetrics } from './metrics';

/** Documents kept (least recently used goes first) and the longest query text kept. */
const MAX_DOCUMENTS = 1_000;
const MAX_QUERY_LENGTH = 64 * 1024;
/** Accept headers answered with Apollo's default media type, application/json; charset=utf-8. */
const PLAIN_ACCEPT = new Set(['*/*', 'application/json', 'application/json, */*']);

/** A document Apollo validated, and its operations compiled by graphql-jit (null: not compiled, use `execute`). */
export class KnownDocument {
  private readonly compiled = new Map<string | undefined, CompiledQuery | null>();

  constructor(
    readonly query: string,
    readonly document: DocumentNode,
  ) {}

  /** The operation compiled once (on its own copy of the document: graphql-jit annotates the nodes it compiles). */
  compiledFor(schema: GraphQLSchema, operationName: string | undefined): CompiledQuery | null {
    let compiled = this.compiled.get(operationName);
    if (compiled === undefined) {
      try {
        const result = compileQuery(schema, parse(this.query), operationName, { useExperimentalPathBasedSkipInclude: true });
        compiled = isCompiledQuery(result) ? result : null;
      } catch {
        compiled = null;
      }
      this.compiled.set(operationName, compiled);
    }
    return compiled;
  }
}

export class KnownDocuments {
  private readonly documents = new Map<string, KnownDocument>();

  constructor(private readonly max = MAX_DOCUMENTS) {}

  get(query: string): KnownDocument | undefined {
    const known = this.documents.get(query);
    if (known) {
      this.documents.delete(query);
      this.documents.set(query, known);
    }
    return known;
  }

  remember(query: string, document: DocumentNode): void {
    if (query.length > MAX_QUERY_LENGTH || this.documents.has(query)) return;
    if (this.documents.size >= this.max) this.documents.delete(this.documents.keys().next().value!);
    this.documents.set(query, new KnownDocument(query, document));
  }

  /** Apollo plugin: remembers each document that passed parsing and validation (didResolveOperation comes after both). */
  plugin(): ApolloServerPlugin<AppContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async (rc) => {
          const query = rc.request.query;
          if (typeof query === 'string' && query === rc.source && !rc.request.extensions) this.remember(query, rc.document);
        },
      }),
    };
  }
}

export interface KnownOperation {
  known: KnownDocument;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The request's query when the known-documents path may answer it (see the top of this file), else null. */
export function knownOperation(known: KnownDocuments, body: unknown, accept: string | undefined): KnownOperation | null {
  if ((accept !== undefined && !PLAIN_ACCEPT.has(accept)) || !isRecord(body) || 'extensions' in body) return null;
  const { query, variables, operationName } = body;
  if (typeof query !== 'string' || (variables != null && !isRecord(variables))) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  const entry = known.get(query);
  const document = entry?.document;
  const operation = document && getOperationAST(document, operationName as string | undefined);
  if (!entry || !document || operation?.operation !== 'query') return null;
  return {
    known: entry,
    document,
    operation,
    operationName: (operationName as string | null) ?? undefined,
    variables: (variables as Record<string, unknown> | null) ?? undefined,
  };
}

export interface KnownPath {
  schema: GraphQLSchema;
  metrics: OperationMetrics;
  /** The GraphQL context of an HTTP request (server.ts httpContext). */
  context(req: IncomingMessage, res: ServerResponse): Promise<AppContext>;
  /** Hands the request to Apollo with this context (or context failure). */
  apollo(context: () => Promise<AppContext>): Promise<void>;
  /** Counts an answer given without Apollo. */
  answered(): void;
}

/** The operation's result: its compiled function, else graphql-js. */
function run(schema: GraphQLSchema, op: KnownOperation, ctx: AppContext): Promise<ExecutionResult> | ExecutionResult {
  const compiled = op.known.compiledFor(schema, op.operationName);
  if (compiled) return compiled.query(undefined, ctx, op.variables ?? {});
  return execute({ schema, document: op.document, operationName: op.operationName, variableValues: op.variables, contextValue: ctx });
}

/** Answers a known query (or hands it to Apollo, see the top of this file). */
export async function answerKnown(path: KnownPath, req: IncomingMessage, res: ServerResponse, op: KnownOperation): Promise<void> {
  const end = path.metrics.start();
  let ctx: AppContext;
  try {
    ctx = await path.context(req, res);
  } catch (error) {
    return path.apollo(() => Promise.reject(error));
  }
  const edge = ctx.edge;
  if (!edge) return path.apollo(async () => ctx);
  try {
    admitOperation(path.schema, op.document, op.operation, op.variables, ctx);
    edge.admission = {};
  } catch (refusal) {
    edge.admission = { refusal };
    return path.apollo(async () => ctx);
  }
  const result = await run(path.schema, op, ctx);
  if (result.errors?.length) return path.apollo(async () => ({ ...ctx, loaders: ctx.app.createLoaders() }));
  end(op.operation.name?.value, 'query', false);
  path.answered();
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  for (const [name, value] of rateLimitHeaders(edge.rateLimit!)) res.setHeader(name, value);
  res.end(JSON.stringify({ data: result.data }) + '\n');
}

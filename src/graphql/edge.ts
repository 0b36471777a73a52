// The one place where SPEC §18's document limits and rate limit are applied, for both transports:
// - HTTP: `edgePlugin` (Apollo) checks the resolved operation in didResolveOperation, before execution;
// - graphql-ws: `prepareWsOperation` parses, validates and checks a subscribe message the same way.
// Both call `admitOperation`, which measures the operation, refuses it (QUERY_TOO_COMPLEX / RATE_LIMITED) or charges
// its points and leaves the rate state in the context for the x-ratelimit-* headers and Query.rateLimit.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getOperationAST,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { AppContext, EdgeState } from './context';
import { rateLimitHeaders, type RateState } from './rate-limit';
import { limitErrors, measureOperation, parseLimited, pointsOf } from './limits';

export function rateLimited(state: RateState): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil((state.resetAt.getTime() - Date.now()) / 1000));
  return new GraphQLError(`Rate limit of ${state.limit} points per hour exceeded; it resets at ${state.resetAt.toISOString()}`, {
    extensions: { code: 'RATE_LIMITED', retryAfter, http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) } },
  });
}

/** Charges a request that never reached execution (a refused document): 1 point, never refused itself. */
function chargeRefused(edge: EdgeState, context: AppContext): RateState {
  const who = edge.limiter.keyOf(context.viewer, edge.ip);
  const state = edge.limiter.charge(who, 1);
  return state.allowed ? state : edge.limiter.peek(who);
}

/** Limits, then the rate budget: throws the refusal, or charges the operation's points. */
export function admitOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  context: AppContext,
): void {
  const edge = context.edge;
  const measure = measureOperation(schema, document, operation, variables);
  const errors = limitErrors(measure);
  if (errors.length) {
    if (edge) edge.rateLimit = chargeRefused(edge, context);
    throw errors[0];
  }
  if (!edge) return;
  const state = edge.limiter.charge(edge.limiter.keyOf(context.viewer, edge.ip), pointsOf(measure.cost));
  edge.rateLimit = state;
  if (!state.allowed) throw rateLimited(state);
}

/** Apollo plugin: admits each operation before it executes and puts the rate headers on every answer. */
export function edgePlugin(schema: GraphQLSchema): ApolloServerPlugin<AppContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) return;
          const admission = rc.contextValue.edge?.admission;
          if (admission) {
            // Measured and charged once, by the path that handed this request over: its verdict stands.
            if (admission.refusal) throw admission.refusal;
            return;
          }
          admitOperation(schema, rc.document, rc.operation, rc.request.variables, rc.contextValue);
        },
        async willSendResponse(rc) {
          const edge = rc.contextValue.edge;
          if (!edge) return;
          // A document refused before it was resolved (syntax, validation) still costs a point.
          edge.rateLimit ??= chargeRefused(edge, rc.contextValue);
          for (const [name, value] of rateLimitHeaders(edge.rateLimit)) rc.response.http.headers.set(name, value);
        },
      };
    },
  };
}

const wsError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

/** Documents that parsed and validated, by text: thousands of subscribers of one client share one (bounded). */
const validDocuments = new WeakMap<GraphQLSchema, Map<string, DocumentNode>>();
const VALID_DOCUMENTS_KEPT = 500;

/** The document of `query`, parsed with the token limit and validated against `schema` (once per text), or why not. */
function validDocument(schema: GraphQLSchema, query: string): DocumentNode | GraphQLError[] {
  let cache = validDocuments.get(schema);
  if (!cache) validDocuments.set(schema, (cache = new Map()));
  const known = cache.get(query);
  if (known) return known;
  let document: DocumentNode;
  try {
    document = parseLimited(query);
  } catch (error) {
    return [error instanceof GraphQLError ? error : wsError('Could not parse the document', 'GRAPHQL_PARSE_FAILED')];
  }
  const invalid = validate(schema, document, specifiedRules);
  if (invalid.length) return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
  if (cache.size >= VALID_DOCUMENTS_KEPT) cache.delete(cache.keys().next().value!);
  cache.set(query, document);
  return document;
}

/**
 * graphql-ws onSubscribe: the document is parsed with the token limit, validated, then admitted like an HTTP one.
 * Returns the execution arguments, or the errors to send to the client.
 */
export function prepareWsOperation(
  schema: GraphQLSchema,
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  context: AppContext,
): ExecutionArgs | GraphQLError[] {
  const document = validDocument(schema, payload.query);
  if (Array.isArray(document)) return document;
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return [wsError('Unable to identify the operation to run', 'BAD_REQUEST')];
  try {
    admitOperation(schema, document, operation, payload.variables ?? undefined, context);
  } catch (error) {
    return [error as GraphQLError];
  }
  return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: context };
}

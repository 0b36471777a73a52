// Top-level errors: known codes pass through; anything unexpected is masked (no stack, no SQL) and logged with
// the request id (SPEC §9).
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../shared/logger';

const PASS_THROUGH = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** A scalar refusing a literal surfaces as a validation error; the contract calls that BAD_USER_INPUT. */
const SCALAR_LITERAL = /^(Invalid (Money|Rate|Date|DateTime|Month):|Expected value of type "(Money|Rate|Date|DateTime|Month)!?")/;

export function formatError(formatted: GraphQLFormattedError, error: unknown, logger: Logger, requestId?: string): GraphQLFormattedError {
  const code = formatted.extensions?.code as string | undefined;
  if (code === 'GRAPHQL_VALIDATION_FAILED' && SCALAR_LITERAL.test(formatted.message)) {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } };
  }
  if (code && PASS_THROUGH.has(code)) {
    const { stacktrace: _stack, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return { ...formatted, extensions };
  }
  logger.error({ err: (error as { originalError?: unknown })?.originalError ?? error, requestId, path: formatted.path }, 'unexpected error');
  return {
    message: 'Internal server error',
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  };
}

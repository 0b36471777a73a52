// Top-level errors: known codes pass through; anything unexpected is masked (no stack, no SQL) and logged with
// the request id (SPEC §9).
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../shared/logger';
import { tokenLimitMessage } from './limits';

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
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'VALIDATION_FAILED',
  'TOO_MANY_SUBSCRIPTIONS',
]);

/** A scalar refusing a literal surfaces as a validation error; the contract calls that BAD_USER_INPUT. */
const SCALAR_LITERAL = /^(Invalid (Money|Rate|Date|DateTime|Month):|Expected value of type "(Money|Rate|Date|DateTime|Month)!?")/;

export function formatError(formatted: GraphQLFormattedError, error: unknown, logger: Logger, requestId?: string): GraphQLFormattedError {
  let code = formatted.extensions?.code as string | undefined;
  // Apollo's own request errors without a code but with a 4xx status (a persisted-query hash that does not match the
  // query, an unsupported persisted-query version) are the client's fault: BAD_REQUEST, not a masked 500.
  const original = (error as { extensions?: { code?: unknown; http?: { status?: number } } })?.extensions;
  const status = original?.http?.status;
  if (!original?.code && status && status >= 400 && status < 500) {
    code = 'BAD_REQUEST';
    formatted = { ...formatted, extensions: { ...formatted.extensions, code } };
  }
  if (code === 'GRAPHQL_PARSE_FAILED') {
    const message = tokenLimitMessage(formatted.message);
    if (message) formatted = { ...formatted, message };
  }
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

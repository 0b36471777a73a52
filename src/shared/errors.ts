// Top-level GraphQL errors (authentication, authorization, malformed arguments). Business-rule failures are
// DomainErrors that become payload userErrors instead (see payload.ts).
import { GraphQLError } from 'graphql';

export function unauthenticated(message = 'A valid API token is required (Authorization: Bearer <token>)'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function forbidden(message = 'This token has no right to do that'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

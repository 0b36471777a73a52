// Every mutation call leaves an audit entry (SPEC §20), applied once for the whole schema: each Mutation field's
// resolver runs inside an AuditScope (AsyncLocalStorage), whatever resolver class defines it.
import { defaultFieldResolver, GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { AppContext } from '../../graphql/context';
import { actingAs, actorOfViewer } from '../../shared/acting';
import type { AuditOutcome } from './audit-entry.entity';
import { AuditScope } from './audit-scope';

/** Top-level error codes that are refusals (the caller's fault), not failures of the server. */
const REFUSAL_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'RATE_LIMITED', 'VALIDATION_FAILED']);

export function errorOutcome(error: unknown): { outcome: AuditOutcome; codes: string[] } {
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  if (typeof code === 'string' && REFUSAL_CODES.has(code)) return { outcome: 'REFUSED', codes: [code] };
  return { outcome: 'FAILED', codes: [typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR'] };
}

function payloadOutcome(payload: unknown): { outcome: AuditOutcome; codes: string[] } {
  const userErrors = (payload as { userErrors?: { code: string }[] } | null)?.userErrors ?? [];
  return userErrors.length ? { outcome: 'REFUSED', codes: [...new Set(userErrors.map((e) => e.code))] } : { outcome: 'SUCCEEDED', codes: [] };
}

export function auditScope(ctx: AppContext, operation: string, args: unknown): AuditScope {
  return new AuditScope(ctx.app.ds, ctx.app.logger, {
    operation,
    actor: actorOfViewer(ctx.viewer),
    actorPartnerId: ctx.viewer?.partnerId ?? null,
    requestId: ctx.requestId ?? null,
    args,
    occurredAt: ctx.app.clock.now(),
  });
}

async function audited(ctx: AppContext, operation: string, args: unknown, run: () => unknown): Promise<unknown> {
  const scope = auditScope(ctx, operation, args);
  let payload: unknown;
  try {
    payload = await actingAs(scope.call.actor, scope, run);
  } catch (error) {
    const { outcome, codes } = errorOutcome(error);
    await scope.finish(outcome, codes, null);
    throw error;
  }
  const { outcome, codes } = payloadOutcome(payload);
  await scope.finish(outcome, codes, payload);
  return payload;
}

/** Wraps every Mutation field of the schema (in place) so that its calls are audited. */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve: GraphQLFieldResolver<unknown, AppContext> = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, ctx: AppContext, info) => audited(ctx, field.name, args, () => resolve(source, args, ctx, info));
  }
  return schema;
}

// A mutation refused before it could run — its bearer token unknown or revoked, so no context was created — is a
// mutation call too (SPEC §20): each of the document's root mutation fields gets its REFUSED entry, actor ANONYMOUS.
import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { AppServices as App } from '../../graphql/context';
import { ANONYMOUS } from '../../shared/acting';
import { errorOutcome } from './audit-mutations';
import { AuditScope } from './audit-scope';

/** The same token limit as the HTTP edge (SPEC §18): a huge document costs no more here than there. */
const MAX_TOKENS = 10_000;

function rootFields(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...rootFields(document, selection.selectionSet, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) fields.push(...rootFields(document, fragment.selectionSet, seen));
    }
  }
  return fields;
}

/** The calls a request body would have made: [mutation name, arguments] per root field; none for other operations. */
export function mutationCallsOf(schema: GraphQLSchema, body: unknown): [string, unknown][] {
  const request = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  const mutationType = schema.getMutationType();
  if (typeof request.query !== 'string' || !mutationType) return [];
  let document: DocumentNode;
  try {
    document = parse(request.query, { maxTokens: MAX_TOKENS });
  } catch {
    return [];
  }
  const operation = getOperationAST(document, typeof request.operationName === 'string' ? request.operationName : undefined);
  if (operation?.operation !== 'mutation') return [];
  const inputs = (request.variables && typeof request.variables === 'object' ? request.variables : {}) as Record<string, unknown>;
  const variables = getVariableValues(schema, operation.variableDefinitions ?? [], inputs);
  const calls: [string, unknown][] = [];
  for (const node of rootFields(document, operation.selectionSet)) {
    const field = mutationType.getFields()[node.name.value];
    if (!field) continue;
    let args: unknown = { variables: inputs };
    try {
      if (variables.coerced) args = getArgumentValues(field, node, variables.coerced);
    } catch {
      // arguments that do not coerce are kept as the variables sent
    }
    calls.push([field.name, args]);
  }
  return calls;
}

/** Records the refused calls of a request whose context could not be created, then rethrows its error. */
export async function auditRefusedRequest(app: App, schema: GraphQLSchema, body: unknown, requestId: string, error: unknown): Promise<never> {
  const { outcome, codes } = errorOutcome(error);
  for (const [operation, args] of mutationCallsOf(schema, body)) {
    const scope = new AuditScope(app.ds, app.logger, { operation, actor: ANONYMOUS, actorPartnerId: null, requestId, args, occurredAt: app.clock.now() });
    await scope.finish(outcome, codes, null);
  }
  throw error;
}

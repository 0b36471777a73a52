// How Apollo executes an operation once it has parsed, validated and admitted it (server.ts, and the in-process test
// pipeline). Apollo's `gateway` option is its one way to run operations with another executor while keeping the rest
// of its pipeline (plugins, error formatting, status codes); the "gateway" here loads nothing: it hands Apollo our
// schema and this executor.
//   - Every operation is run by graphql-js `execute`, with the same arguments Apollo's own executor passes.
//   - The consumption ingest mutation (`recordConsumption`, up to 10,000 input objects a request) is run by its
//     graphql-jit compilation instead: graphql-js coerces such a variable value at about 10 µs a record, which was
//     most of the API's cost of ingesting; the compiled coercion takes about a third of that. Same resolvers, same
//     context, same errors from them (graphql-jit locates them as graphql-js does; Apollo formats them as always).
//     If graphql-jit refuses the variables (its messages differ), nothing has run yet: graphql-js runs the operation
//     and refuses them with its usual messages. Test: test/api/operation-executor.test.ts.
import type { ApolloServerOptions } from '@apollo/server';
import { execute, Kind, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { AppContext } from '../graphql/context';
import type { KnownDocuments } from './known-documents';

type Gateway = NonNullable<ApolloServerOptions<AppContext>['gateway']>;
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/** Root fields whose operations graphql-jit runs: each takes a large input list. */
const COMPILED_FIELDS = new Set(['recordConsumption']);

/** A mutation of exactly one compiled root field, without directives. */
export function isCompiledOperation(operation: OperationDefinitionNode | undefined | null): boolean {
  if (operation?.operation !== 'mutation' || operation.directives?.length) return false;
  const [only, ...more] = operation.selectionSet.selections;
  return more.length === 0 && only.kind === Kind.FIELD && !only.directives?.length && COMPILED_FIELDS.has(only.name.value);
}

/** How an operation was run (for tests: `observe`). */
export type RunBy = 'graphql-jit' | 'graphql-js';

/**
 * The executor. Compilations are the known documents' (known-documents.ts: Apollo's plugin there remembers each
 * validated document before it executes; a document it does not keep, such as an APQ request, runs by graphql-js).
 */
export function operationExecutor(schema: GraphQLSchema, known: KnownDocuments, observe?: (by: RunBy) => void): Executor {
  return async (rc): Promise<ExecutionResult> => {
    const { document, request, context } = rc;
    const compiled = isCompiledOperation(rc.operation) ? (known.get(rc.source)?.compiledFor(schema, request.operationName) ?? null) : null;
    if (compiled) {
      const result = await compiled.query(undefined, context, request.variables ?? {});
      if ('data' in result) {
        observe?.('graphql-jit');
        return result; // it ran (errors included)
      }
      // Refused variables (no data): nothing ran; graphql-js refuses them below with its own messages.
    }
    observe?.('graphql-js');
    return execute({ schema, document, contextValue: context, variableValues: request.variables, operationName: request.operationName });
  };
}

/** Apollo's `gateway` option: our schema, executed by operationExecutor. */
export function localGateway(schema: GraphQLSchema, known: KnownDocuments, observe?: (by: RunBy) => void): Gateway {
  return {
    load: async () => ({ executor: operationExecutor(schema, known, observe) }),
    onSchemaLoadOrUpdate: (callback) => {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    stop: async () => undefined,
  };
}

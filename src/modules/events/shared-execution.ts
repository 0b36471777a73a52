// graphql-ws / graphql-sse `subscribe` that executes and serializes each event once per (document, variables the
// selection reads, viewer scope) instead of once per subscriber: integrators of one partner typically run the same
// subscription, and a month close fans thousands of events out to thousands of sockets. The event objects are shared
// by every subscription of the instance (the bus reads each row once), so a result is memoised on the event itself;
// it lives as long as the event does. Over graphql-ws the context may carry `sendSerialized`: the subscription then
// writes the shared JSON to its socket itself (one string concatenation per subscriber, no per-subscriber
// JSON.stringify, no promise round-trip through graphql-ws per message); a result with errors still goes through
// graphql-ws, whose onNext formats them.
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  print,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type OperationDefinitionNode,
} from 'graphql';
import type { AppContext } from '../../graphql/context';

type MaybePromise<T> = T | Promise<T>;

/** An event's result for one key, and its JSON once a direct sender has asked for it. */
interface Shared {
  result: MaybePromise<ExecutionResult>;
  json?: string;
}

const resultsByEvent = new WeakMap<object, Map<string, Shared>>();
const documentKeys = new WeakMap<DocumentNode, Map<string, { text: string; variables: string[] }>>();

/**
 * The variables that can change an event's result: every one the document reads except in the arguments of the
 * subscription's root field — those choose the events (partnerId, after), and the root resolvers return the event
 * as it is (events.resolver.ts), so subscribers resuming from different `after`s still share one result.
 */
function resultVariables(operation: OperationDefinitionNode, document: DocumentNode): string[] {
  const names = new Set<string>();
  const rootArguments = new Set(operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? (s.arguments ?? []) : [])));
  visit(document, {
    Argument: (node) => (rootArguments.has(node) ? false : undefined),
    Variable: (node) => {
      names.add(node.name.value);
    },
    VariableDefinition: () => false,
  });
  return [...names].sort();
}

function documentKey(document: DocumentNode, operationName: string): { text: string; variables: string[] } {
  let byName = documentKeys.get(document);
  if (!byName) documentKeys.set(document, (byName = new Map()));
  let key = byName.get(operationName);
  if (!key) {
    const operation = getOperationAST(document, operationName || undefined);
    key = { text: print(document), variables: operation ? resultVariables(operation, document) : [] };
    byName.set(operationName, key);
  }
  return key;
}

/** Everything an event's result can depend on besides the event: the operation, the variables its selection reads
 * and what the viewer may see — the role and the partner, never the token itself (no resolver reads it). */
export function resultKey(args: ExecutionArgs): string {
  const viewer = (args.contextValue as AppContext | undefined)?.viewer;
  const operationName = args.operationName ?? '';
  const { text, variables } = documentKey(args.document, operationName);
  const values = args.variableValues ?? {};
  const read = variables.map((name) => JSON.stringify(values[name] ?? null));
  return [text, operationName, ...read, viewer?.role ?? '', viewer?.partnerId ?? ''].join('\u0000');
}

function sharedFor(event: unknown, key: string, args: ExecutionArgs): Shared {
  if (typeof event !== 'object' || event === null) return { result: execute({ ...args, rootValue: event }) };
  let byKey = resultsByEvent.get(event);
  if (!byKey) resultsByEvent.set(event, (byKey = new Map()));
  let shared = byKey.get(key);
  if (shared === undefined) {
    shared = { result: execute({ ...args, rootValue: event }) };
    byKey.set(key, shared);
  }
  return shared;
}

export async function subscribeSharingResults(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in Object(source))) return source as ExecutionResult;
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const key = resultKey(args);
  const sendSerialized = (args.contextValue as AppContext | undefined)?.sendSerialized;
  let closed = false;

  const generator = {
    async next(): Promise<IteratorResult<ExecutionResult>> {
      for (;;) {
        const item = await iterator.next();
        if (item.done || closed) return { done: true, value: undefined };
        const shared = sharedFor(item.value, key, args);
        const result = shared.result instanceof Promise ? await shared.result : shared.result;
        if (closed) return { done: true, value: undefined };
        if (!sendSerialized || result.errors?.length) return { done: false, value: result };
        shared.json ??= JSON.stringify(result);
        const backlog = sendSerialized(shared.json);
        if (backlog) await backlog;
      }
    },
    async return(): Promise<IteratorResult<ExecutionResult>> {
      closed = true;
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
      closed = true;
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return generator;
    },
  };
  return generator as AsyncGenerator<ExecutionResult>;
}

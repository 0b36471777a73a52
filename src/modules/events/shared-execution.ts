// graphql-ws `subscribe` that executes each event once per (document, variables, viewer scope) instead of once per
// subscriber: integrators of one partner typically run the same subscription, and a month close fans thousands of
// events out to thousands of sockets. The event objects are shared by every subscription of the instance (the bus
// reads each row once), so a result can be memoised on the event itself; it lives as long as the event does.
import { createSourceEventStream, execute, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { AppContext } from '../../graphql/context';

type MaybePromise<T> = T | Promise<T>;

const resultsByEvent = new WeakMap<object, Map<string, MaybePromise<ExecutionResult>>>();
const printedDocuments = new WeakMap<DocumentNode, string>();

function documentText(document: DocumentNode): string {
  let text = printedDocuments.get(document);
  if (text === undefined) printedDocuments.set(document, (text = print(document)));
  return text;
}

/**
 * Everything an event's result can depend on besides the event: the operation, its variables and what the viewer
 * may see — the role and the partner, never the token itself (no resolver reads it).
 */
function resultKey(args: ExecutionArgs): string {
  const viewer = (args.contextValue as AppContext | undefined)?.viewer;
  return [documentText(args.document), args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), viewer?.role ?? '', viewer?.partnerId ?? ''].join(
    '\u0000',
  );
}

export async function subscribeSharingResults(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in Object(source))) return source as ExecutionResult;
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const key = resultKey(args);

  const run = (event: unknown): MaybePromise<ExecutionResult> => {
    if (typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
    let byKey = resultsByEvent.get(event);
    if (!byKey) resultsByEvent.set(event, (byKey = new Map()));
    let result = byKey.get(key);
    if (result === undefined) {
      result = execute({ ...args, rootValue: event });
      byKey.set(key, result);
    }
    return result;
  };

  const generator = {
    async next(): Promise<IteratorResult<ExecutionResult>> {
      const item = await iterator.next();
      if (item.done) return { done: true, value: undefined };
      const result = run(item.value);
      return { done: false, value: result instanceof Promise ? await result : result };
    },
    async return(): Promise<IteratorResult<ExecutionResult>> {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return generator;
    },
  };
  return generator as AsyncGenerator<ExecutionResult>;
}

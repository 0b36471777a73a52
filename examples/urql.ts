// urql: the subscription exchange forwards to the same resumable graphql-ws subscribe; queries go over fetch.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import type { Client as WsClient } from 'graphql-ws';
import { ACCRUALS, asError, createResumableWsClient, subscribeResumable, type Accrual, type FollowOptions, type Following } from './resumable';

export function createUrqlClient(options: { url: string; token: string; maxRetryWaitMs?: number }): { client: Client; ws: WsClient } {
  const ws = createResumableWsClient(options);
  const client = new Client({
    url: options.url,
    fetchOptions: { headers: { authorization: `Bearer ${options.token}` } },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: subscribeResumable(
              ws,
              { query: request.query ?? '', variables: request.variables },
              {
                next: (result) => sink.next(result as never),
                error: (error) => sink.error(asError(error)),
                complete: () => sink.complete(),
              },
            ),
          }),
        }),
      }),
    ],
  });
  return { client, ws };
}

export function followWithUrql(options: FollowOptions): Following {
  const { client, ws } = createUrqlClient(options);
  const { unsubscribe } = client
    .subscription<{ rebateAccruals: Accrual }>(ACCRUALS, { partnerId: options.partnerId, after: options.after })
    .subscribe((result) => (result.error ? options.onError?.(result.error) : result.data && options.onEntry(result.data.rebateAccruals)));
  return {
    async stop() {
      unsubscribe();
      await ws.dispose();
    },
  };
}

// Apollo Client 4: a normalized cache that keeps every object (type policies), HTTP for queries and mutations, and
// a resumable subscription link over graphql-ws that keeps `after` current (GraphQLWsLink would re-send the first
// `after` on every reconnect and replay everything again).
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache, type FetchResult } from '@apollo/client';
import { getMainDefinition, relayStylePagination } from '@apollo/client/utilities';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { Observable } from 'rxjs';
import { ACCRUALS, asError, createResumableWsClient, subscribeResumable, type Accrual, type FollowOptions, type Following } from './resumable';

/** Subscriptions over graphql-ws, resumed after the last delivered event. */
export class ResumableSubscriptionLink extends ApolloLink {
  constructor(private readonly client: Client) {
    super();
  }

  override request(operation: ApolloLink.Operation): Observable<FetchResult> {
    return new Observable<FetchResult>((observer) =>
      subscribeResumable(
        this.client,
        { query: print(operation.query), variables: operation.variables, operationName: operation.operationName },
        {
          next: (result) => observer.next(result as FetchResult),
          error: (error) => observer.error(asError(error)),
          complete: () => observer.complete(),
        },
      ),
    );
  }
}

/** Every object with an id is normalized by it (SPEC §23); lists are Relay connections merged by cursor. */
export const typePolicies = {
  Query: {
    fields: {
      deals: relayStylePagination(['status', 'partnerId']),
      projects: relayStylePagination(['status', 'partnerId']),
      presaleRequests: relayStylePagination(['status', 'partnerId']),
      withdrawals: relayStylePagination(['status', 'partnerId']),
      partners: relayStylePagination(['status']),
    },
  },
  Partner: {
    fields: {
      customers: relayStylePagination(['status']),
      deals: relayStylePagination(['status']),
      projects: relayStylePagination(['status']),
      presaleRequests: relayStylePagination(['status']),
      withdrawals: relayStylePagination(['status']),
      rebateLedger: relayStylePagination(),
    },
  },
  // Objects whose fields are the rules of the data they sit on: merge, never replace, when a query selects others.
  RebateBalance: { merge: true },
  PartnerBonus: { merge: true },
  Viewer: { merge: true },
};

/** Which types implement Node, so fragments on `node(id:)` match (npm run codegen can emit this too). */
export const possibleTypes = {
  Node: ['ApiToken', 'Customer', 'Deal', 'Invoice', 'Partner', 'PresaleRequest', 'Project', 'RebateLedgerEntry', 'Service', 'Withdrawal'],
};

export function createApolloClient(options: { url: string; token: string; maxRetryWaitMs?: number }): { client: ApolloClient; ws: Client } {
  const ws = createResumableWsClient(options);
  const http = new HttpLink({ uri: options.url, headers: { authorization: `Bearer ${options.token}` } });
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new ResumableSubscriptionLink(ws),
    http,
  );
  return { client: new ApolloClient({ link, cache: new InMemoryCache({ typePolicies, possibleTypes }) }), ws };
}

export function followWithApollo(options: FollowOptions): Following {
  const { client, ws } = createApolloClient(options);
  const subscription = client
    .subscribe<{ rebateAccruals: Accrual }>({ query: gql(ACCRUALS), variables: { partnerId: options.partnerId, after: options.after } })
    .subscribe({
      next: ({ data, error }) => (error ? options.onError?.(error) : data && options.onEntry(data.rebateAccruals)),
      error: (error) => options.onError?.(error),
    });
  return {
    async stop() {
      subscription.unsubscribe();
      client.stop();
      await ws.dispose();
    },
  };
}

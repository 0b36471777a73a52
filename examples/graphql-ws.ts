// Plain graphql-ws: follows a partner's rebate ledger (rebateAccruals), resuming after every disconnect.
import { ACCRUALS, createResumableWsClient, subscribeResumable, type Accrual, type FollowOptions, type Following } from './resumable';

export function followWithGraphqlWs(options: FollowOptions): Following {
  const client = createResumableWsClient(options);
  const unsubscribe = subscribeResumable<{ rebateAccruals: Accrual }>(
    client,
    { query: ACCRUALS, variables: { partnerId: options.partnerId, after: options.after } },
    {
      next: ({ data, errors }) => (errors?.length ? options.onError?.(errors) : data && options.onEntry(data.rebateAccruals)),
      error: (error) => options.onError?.(error),
      complete: () => {},
    },
  );
  return {
    async stop() {
      unsubscribe();
      await client.dispose();
    },
  };
}

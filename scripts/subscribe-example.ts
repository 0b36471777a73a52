// An integrator's client: subscribes to rebateAccruals over graphql-ws and resumes where it left off.
//   npm run example:subscribe -- <token> [after]
// Environment: API_URL (default http://localhost:4000/graphql), PARTNER_ID (ADMIN tokens: one partner; omitted = all),
// CURSOR_FILE (default .subscribe-example.cursor): the last sequence seen is written there after every entry, and a
// restart without [after] resumes from it — nothing is skipped and nothing is printed twice.
import fs from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const SUBSCRIPTION = /* GraphQL */ `
  subscription Accruals($partnerId: ID, $after: String) {
    rebateAccruals(partnerId: $partnerId, after: $after) {
      sequence
      id
      kind
      amount
      balanceAfter
      period
      description
      createdAt
      partner { id name }
    }
  }
`;

interface Accrual {
  sequence: string;
  id: string;
  kind: string;
  amount: string;
  balanceAfter: string;
  period: string | null;
  description: string;
  createdAt: string;
  partner: { id: string; name: string };
}

function main(): void {
  const [token, afterArg] = process.argv.slice(2);
  if (!token) {
    console.error(
      'usage: npm run example:subscribe -- <token> [after]\n  after: a sequence ("0" = from the beginning); omitted = resume from CURSOR_FILE, else only new entries',
    );
    process.exit(2);
  }
  const url = (process.env.API_URL ?? 'http://localhost:4000/graphql').replace(/^http/, 'ws');
  const cursorFile = process.env.CURSOR_FILE ?? '.subscribe-example.cursor';
  // The cursor: the argument, else what the last run saved, else none (only entries from now on).
  let after: string | null = afterArg ?? (fs.existsSync(cursorFile) ? fs.readFileSync(cursorFile, 'utf8').trim() || null : null);

  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    // Reconnect on network trouble; not when the server refuses the token (4403) or the subscriber was too slow
    // (4008: resubscribing from the cursor catches up from the table).
    retryAttempts: Infinity,
    shouldRetry: (event) => (event as { code?: number }).code !== 4403,
    on: {
      connected: () => console.error(`connected to ${url}${after !== null ? `, resuming after ${after}` : ', new entries only'}`),
      closed: (event) => console.error(`connection closed (${(event as { code?: number }).code ?? '?'} ${(event as { reason?: string }).reason ?? ''})`),
    },
  });

  // graphql-ws re-sends this same payload object on every reconnect, so keeping its `after` at the last entry seen
  // makes a reconnect resume exactly there.
  const variables: { partnerId?: string; after: string | null } = { partnerId: process.env.PARTNER_ID || undefined, after };
  const subscribe = () =>
    client.subscribe<{ rebateAccruals: Accrual }>(
      { query: SUBSCRIPTION, variables },
      {
        next: ({ data, errors }) => {
          if (errors?.length) {
            console.error('error:', errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; '));
            return;
          }
          const e = data!.rebateAccruals;
          console.log(
            `${e.sequence}\t${e.createdAt}\t${e.partner.name}\t${e.kind}\t${e.amount}\tbalance ${e.balanceAfter}\t${e.period ?? ''}\t${e.description}`,
          );
          after = variables.after = e.sequence;
          fs.writeFileSync(cursorFile, after); // persist only after the entry was handled
        },
        error: (error) => {
          console.error('subscription ended with an error:', (error as Error).message ?? error);
          process.exitCode = 1;
          void client.dispose();
        },
        complete: () => {
          console.error('subscription completed');
          void client.dispose();
        },
      },
    );

  const unsubscribe = subscribe();
  const stop = () => {
    unsubscribe();
    void client.dispose();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();

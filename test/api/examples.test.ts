// The example clients (examples/: plain graphql-ws, Apollo Client, urql) against the real server: through a network
// cut and a server restart, each gets every ledger entry exactly once, in order. Plus Apollo's cache keeping
// objects that two queries select differently, and codegen's client preset typing nothing `unknown`.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '@apollo/client';
import { generate } from '@graphql-codegen/cli';
import { createApolloClient, followWithApollo } from '../../examples/apollo';
import config, { scalars } from '../../examples/codegen';
import { followWithGraphqlWs } from '../../examples/graphql-ws';
import type { Accrual, FollowOptions, Following } from '../../examples/resumable';
import { followWithUrql } from '../../examples/urql';
import type { RunningServer } from '../../src/app/server';
import { activePartner, tokenFor, type TestPartner } from '../support/factories';
import { AdjustRebateBalanceDocument } from '../generated/graphql';
import { setupTestApp, type TestApp } from '../support/test-app';

/** A TCP proxy in front of the server: `cut()` drops every connection and refuses new ones until `restore()`. */
class FlakyNetwork {
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  readonly server: net.Server;
  constructor(public upstreamPort: number) {
    this.server = net.createServer((client) => {
      if (this.down) return client.destroy();
      const upstream = net.connect(this.upstreamPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }
  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }
  restore(): void {
    this.down = false;
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let t: TestApp;
let server: RunningServer;
let network: FlakyNetwork;
let url: string;
let partner: TestPartner;
let integrator: string;

beforeAll(async () => {
  t = await setupTestApp();
  server = await t.startHttp({ keepAliveMs: 1_000 });
  network = new FlakyNetwork(server.port);
  url = `http://127.0.0.1:${await network.listen()}/graphql`;
  partner = await activePartner(t);
  integrator = await tokenFor(t, partner, 'INTEGRATOR');
});
afterAll(async () => {
  await network.close();
  await t.close();
});

async function adjust(amount: string): Promise<void> {
  const r = await t.ok(AdjustRebateBalanceDocument, {
    input: { partnerId: partner.id, amount, reason: 'example clients' },
  });
  expect(r.adjustRebateBalance.userErrors).toEqual([]);
}

async function ledgerSequences(): Promise<string[]> {
  const rows: { sequence: string }[] = await t.app.ds.query(
    'SELECT e.sequence::text AS sequence FROM ledger_entries e WHERE e.partner_id = $1 ORDER BY e.sequence',
    [partner.id],
  );
  return rows.map((r) => r.sequence);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A client library's error as text: a CloseEvent's code, an Error's message, an array of GraphQL errors. */
function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) return `close ${String((error as { code: unknown }).code)}`;
  if (error instanceof Error) return `${error.message} ${describeError((error as { cause?: unknown }).cause ?? null)}`;
  return JSON.stringify(error);
}

describe('the example clients', () => {
  it('give every entry exactly once, in order, through a network cut and a server restart', async () => {
    for (const amount of ['1.00', '2.00', '3.00']) await adjust(amount);
    const clients: Record<string, (o: FollowOptions) => Following> = { 'graphql-ws': followWithGraphqlWs, apollo: followWithApollo, urql: followWithUrql };
    const seen: Record<string, string[]> = {};
    const errors: unknown[] = [];
    const following = Object.entries(clients).map(([name, follow]) => {
      seen[name] = [];
      return follow({
        url,
        token: integrator,
        after: '0',
        maxRetryWaitMs: 300,
        onEntry: (e: Accrual) => seen[name].push(e.sequence),
        onError: (e) => errors.push(e),
      });
    });
    const allHave = async (what: string) => {
      const expected = await ledgerSequences();
      await waitFor(() => Object.values(seen).every((s) => s.length >= expected.length), `${expected.length} entries (${what})`);
    };
    try {
      await allHave('replay');
      await adjust('4.00');
      await allHave('live');

      network.cut(); // every socket dropped; entries written while the clients cannot connect
      await adjust('5.00');
      await adjust('6.00');
      await sleep(500);
      network.restore();
      await allHave('after the network cut');

      await server.close(); // the server goes away; one entry is written while it is down
      await adjust('7.00');
      server = await t.startHttp({ keepAliveMs: 1_000 });
      network.upstreamPort = server.port;
      await adjust('8.00');
      await allHave('after the restart');
      // A sentinel entry written last: a duplicate or a stray entry would arrive before it (each client is in order).
      await adjust('9.00');
      await allHave('the sentinel');
    } finally {
      await Promise.all(following.map((f) => f.stop()));
    }
    const expected = await ledgerSequences();
    expect(expected).toHaveLength(9); // the 8 entries of the scenario and the sentinel
    for (const [name, sequences] of Object.entries(seen)) expect(sequences, name).toEqual(expected);
    expect(errors).toEqual([]);
  });

  it('stop retrying a refused token (4403) at once: graphql-ws, Apollo and urql', async () => {
    const clients: Record<string, (o: FollowOptions) => Following> = { 'graphql-ws': followWithGraphqlWs, apollo: followWithApollo, urql: followWithUrql };
    const attempts: number[] = [];
    server.httpServer.on('upgrade', () => attempts.push(Date.now()));
    for (const [name, follow] of Object.entries(clients)) {
      const errors: unknown[] = [];
      attempts.length = 0;
      const started = Date.now();
      const following = follow({ url, token: 'not-a-token-0123456789', after: '0', maxRetryWaitMs: 100, onEntry: () => {}, onError: (e) => errors.push(e) });
      await waitFor(() => errors.length > 0, `${name}: the refusal`, 5_000);
      await sleep(600); // a client that retried would have reconnected several times by now (retries wait <= 100 ms)
      await following.stop();
      expect(Date.now() - started, name).toBeLessThan(5_000);
      expect(attempts, name).toHaveLength(1);
      expect(errors, name).toHaveLength(1);
      expect(describeError(errors[0]), name).toMatch(/4403/);
    }
  });

  it("keep Apollo's cache whole when two queries select different fields of one balance", async () => {
    const { client, ws } = createApolloClient({ url, token: partner.ownerToken });
    const DASHBOARD = gql`
      query Dashboard($id: ID!) {
        partner(id: $id) {
          id
          name
          rebateBalance {
            id
            available
          }
        }
      }
    `;
    const TOTALS = gql`
      query Totals($id: ID!) {
        partner(id: $id) {
          id
          rebateBalance {
            id
            accruedTotal
            pendingWithdrawals
          }
        }
      }
    `;
    await client.query({ query: DASHBOARD, variables: { id: partner.id } });
    await client.query({ query: TOTALS, variables: { id: partner.id } });
    const cached = client.readQuery<{ partner: { rebateBalance: { id: string; available: string } } }>({ query: DASHBOARD, variables: { id: partner.id } });
    expect(cached?.partner.rebateBalance).toMatchObject({ id: partner.id, available: expect.stringMatching(/^\d+\.\d{2}$/) });
    client.stop();
    await ws.dispose();
  });
});

describe('codegen for clients (examples/codegen.ts, as docs/clients.md documents it)', () => {
  it('types every scalar of schema.graphql: the client preset emits no `unknown`', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-'));
    try {
      const [preset] = Object.values(config.generates);
      const outputs = await generate({ ...config, cwd: path.join(__dirname, '..', '..'), generates: { [`${out}/`]: preset } }, false);
      const text = outputs.map((o: { content: string }) => o.content).join('\n');
      expect(text).toContain('export type AccrualsSubscription');
      // The preset's own helpers say `unknown` (Exact<{ [key: string]: unknown }>, `as unknown as DocumentNode`, the
      // graphql() overload for a string it does not know); no field, variable or scalar of ours may.
      const helpers = (code: string) =>
        code
          .replace(/\[key: string\]: unknown/g, '')
          .replace(/as unknown as/g, '')
          .replace(/ \* The query argument is unknown!/g, '')
          .replace(/export function graphql\(source: string\): unknown;/g, '');
      const typed = helpers(text);
      expect(typed.match(/.{0,60}\bunknown\b.{0,20}/g) ?? []).toEqual([]);
      expect(typed).toMatch(/amount: string, balanceAfter: string, period: string \| null, description: string, createdAt: string/);
      // Without the mapping the preset does type our scalars `unknown`: the check above means something.
      const bare = await generate(
        {
          ...config,
          cwd: path.join(__dirname, '..', '..'),
          generates: { [`${out}/`]: { ...preset, config: { ...(preset as { config: Record<string, unknown> }).config, scalars: {}, strictScalars: false } } },
        },
        false,
      );
      const bareText = helpers(bare.map((o: { content: string }) => o.content).join('\n'));
      expect(bareText).toMatch(/amount: unknown/);
      expect(Object.keys(scalars).sort()).toEqual(['Date', 'DateTime', 'Money', 'Month', 'Rate']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

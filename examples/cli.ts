// Runs one of the example clients against a server:
//   npm run example -- <graphql-ws|apollo|urql> <token> [after]
// Environment: API_URL (default http://localhost:4000/graphql), PARTNER_ID (ADMIN tokens: one partner; omitted =
// every partner), CURSOR_FILE (default: a file in the system's temp folder, never in the repository). The last
// sequence handled is saved after every entry; a run without [after] resumes from it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { followWithApollo } from './apollo';
import { followWithGraphqlWs } from './graphql-ws';
import type { Accrual, FollowOptions, Following } from './resumable';
import { followWithUrql } from './urql';

const CLIENTS: Record<string, (options: FollowOptions) => Following> = { 'graphql-ws': followWithGraphqlWs, apollo: followWithApollo, urql: followWithUrql };

function main(): void {
  const [name, token, afterArg] = process.argv.slice(2);
  const follow = CLIENTS[name];
  if (!follow || !token) {
    console.error(`usage: npm run example -- <${Object.keys(CLIENTS).join('|')}> <token> [after]`);
    console.error('  after: a sequence ("0" = the whole ledger); omitted = resume from CURSOR_FILE, else new entries only');
    process.exit(2);
  }
  const cursorFile = process.env.CURSOR_FILE ?? path.join(os.tmpdir(), `partner-program-${name}.cursor`);
  const after = afterArg ?? (fs.existsSync(cursorFile) ? fs.readFileSync(cursorFile, 'utf8').trim() || null : null);
  console.error(`${name}: following rebate accruals ${after === null ? '(new entries only)' : `after ${after}`}; cursor in ${cursorFile}`);
  const following = follow({
    url: process.env.API_URL ?? 'http://localhost:4000/graphql',
    token,
    after,
    partnerId: process.env.PARTNER_ID || undefined,
    onEntry: (e: Accrual) => {
      console.log(`${e.sequence}\t${e.createdAt}\t${e.partner.name}\t${e.kind}\t${e.amount}\tbalance ${e.balanceAfter}\t${e.period ?? ''}\t${e.description}`);
      fs.writeFileSync(cursorFile, e.sequence); // saved only once the entry was handled
    },
    onError: (error) => {
      console.error('error:', error instanceof Error ? error.message : JSON.stringify(error));
      process.exitCode = 1;
    },
  });
  const stop = () => void following.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();

// npm run ledger:verify
// Proves the rebate ledger of every partner consistent (src/modules/rebates/ledger-verify.ts) in the database the
// server uses: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (./.data) — shared with a running server, started
// (and stopped again) otherwise. A new database is prepared exactly as the server would (migrations, demo data).
// Exit codes: 0 no violation, 1 violations found (listed on stdout) or failure, 2 configuration error.
import { seedDemo } from '../src/demo/demo';
import { verifyLedger } from '../src/modules/rebates/ledger-verify';
import { runCli } from './cli';

void runCli('ledger-verify', 'Ledger verification', async ({ config, created }) => {
  const { app } = created;
  if (created.fresh && config.demo) await seedDemo(app);
  if (created.createdAdminToken) console.error(`Admin token (shown once, keep it): ${created.createdAdminToken}`);

  // One snapshot for every check, so writes committed meanwhile cannot look like violations.
  const { violations, counts } = await app.ds.transaction('REPEATABLE READ', async (manager) => {
    await manager.query('SET TRANSACTION READ ONLY');
    const [counts] = await manager.query(
      `SELECT (SELECT count(DISTINCT partner_id) FROM ledger_entries)::int AS partners,
              (SELECT count(*) FROM ledger_entries)::int AS entries,
              (SELECT count(*) FROM withdrawals)::int AS withdrawals`,
    );
    return { violations: await verifyLedger(manager), counts: counts as { partners: number; entries: number; withdrawals: number } };
  });
  console.log(`Checked ${counts.entries} ledger entries of ${counts.partners} partners and ${counts.withdrawals} withdrawals.`);
  if (violations.length === 0) {
    console.log('No violations: every running balance chains, no balance is negative, every withdrawal has its entry and every rejected payout its reversal.');
    return 0;
  }
  console.log(`${violations.length} violation(s):`);
  for (const v of violations) console.log(`  ${v.rule}  partner ${v.partnerId ?? '-'}  ${v.subjectId ?? ''}  ${v.detail}`);
  return 1;
});

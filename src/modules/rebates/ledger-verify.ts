// The ledger consistency check (`npm run ledger:verify`, and the tests): set-based SQL over every partner's ledger,
// proving the invariants SPEC §11–§12 promise. An empty list means the ledger is sound.
import type { EntityManager } from 'typeorm';

export interface Violation {
  rule: string;
  partnerId: string | null;
  /** The entry or withdrawal at fault, when there is one. */
  subjectId: string | null;
  detail: string;
}

interface Check {
  rule: string;
  sql: string;
}

const CHECKS: Check[] = [
  {
    // Each balance_after = previous balance_after + amount in sequence order; the first = its amount.
    rule: 'RUNNING_BALANCE_BROKEN',
    sql: `SELECT partner_id, id AS subject_id,
                 format('entry %s: balance_after %s <> previous %s + amount %s', sequence, balance_after, coalesce(prev, 0), amount) AS detail
            FROM (SELECT e.*, lag(e.balance_after) OVER (PARTITION BY e.partner_id ORDER BY e.sequence) AS prev
                    FROM ledger_entries e) chained
           WHERE balance_after <> coalesce(prev, 0) + amount`,
  },
  {
    rule: 'NEGATIVE_BALANCE',
    sql: `SELECT partner_id, id AS subject_id, format('entry %s: balance_after %s', sequence, balance_after) AS detail
            FROM ledger_entries WHERE balance_after < 0`,
  },
  {
    // The balance (last balance_after) equals the sum of all entries.
    rule: 'BALANCE_NOT_SUM',
    sql: `SELECT partner_id, NULL AS subject_id, format('balance %s <> sum of entries %s', last_balance, total) AS detail
            FROM (SELECT partner_id, sum(amount) AS total,
                         (array_agg(balance_after ORDER BY sequence DESC))[1] AS last_balance
                    FROM ledger_entries GROUP BY partner_id) b
           WHERE last_balance <> total OR total < 0`,
  },
  {
    // Each entry is in the event stream at its own sequence (written in the same transaction).
    rule: 'ENTRY_WITHOUT_EVENT',
    sql: `SELECT e.partner_id, e.id AS subject_id, format('entry %s has no LEDGER_ENTRY event', e.sequence) AS detail
            FROM ledger_entries e
           WHERE NOT EXISTS (SELECT 1 FROM events ev
                              WHERE ev.sequence = e.sequence AND ev.type = 'LEDGER_ENTRY' AND ev.entity_id = e.id::text)`,
  },
  {
    // Every withdrawal has exactly one WITHDRAWAL entry of the partner, for −amount.
    rule: 'WITHDRAWAL_ENTRY_MISMATCH',
    sql: `SELECT w.partner_id, w.id AS subject_id,
                 format('withdrawal of %s has %s WITHDRAWAL entries totalling %s', w.amount, count(e.id), coalesce(sum(e.amount), 0)) AS detail
            FROM withdrawals w
            LEFT JOIN ledger_entries e ON e.withdrawal_id = w.id AND e.kind = 'WITHDRAWAL'
           GROUP BY w.id
          HAVING count(e.id) <> 1 OR bool_or(e.amount <> -w.amount) OR bool_or(e.partner_id <> w.partner_id)`,
  },
  {
    rule: 'ORPHAN_WITHDRAWAL_ENTRY',
    sql: `SELECT e.partner_id, e.id AS subject_id, format('WITHDRAWAL entry %s belongs to no withdrawal', e.sequence) AS detail
            FROM ledger_entries e
           WHERE e.kind = 'WITHDRAWAL' AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.id = e.withdrawal_id)`,
  },
  {
    // A REJECTED payout is returned exactly once, in full; no other withdrawal has a reversal of its own. (The BONUS
    // money not absorbed by invoices returns at the close of a partner's exit month as a reversal of no withdrawal.)
    rule: 'REVERSAL_MISMATCH',
    sql: `SELECT w.partner_id, w.id AS subject_id,
                 format('%s withdrawal of %s has %s reversal entries totalling %s', w.status, w.amount, count(e.id), coalesce(sum(e.amount), 0)) AS detail
            FROM withdrawals w
            LEFT JOIN ledger_entries e ON e.withdrawal_id = w.id AND e.kind = 'WITHDRAWAL_REVERSAL'
           GROUP BY w.id
          HAVING bool_or(e.partner_id <> w.partner_id)
              OR CASE w.status
                   WHEN 'REJECTED' THEN count(e.id) <> 1 OR bool_or(e.amount <> w.amount)
                   ELSE count(e.id) <> 0
                 END`,
  },
  {
    rule: 'ORPHAN_REVERSAL_ENTRY',
    sql: `SELECT e.partner_id, e.id AS subject_id, format('WITHDRAWAL_REVERSAL entry %s names a missing withdrawal', e.sequence) AS detail
            FROM ledger_entries e
           WHERE e.kind = 'WITHDRAWAL_REVERSAL' AND e.withdrawal_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.id = e.withdrawal_id)`,
  },
];

/** Runs every check; returns the violations found (none for a sound ledger). */
export async function verifyLedger(manager: EntityManager): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const check of CHECKS) {
    const rows: { partner_id: string | null; subject_id: string | null; detail: string }[] = await manager.query(check.sql);
    for (const row of rows) violations.push({ rule: check.rule, partnerId: row.partner_id, subjectId: row.subject_id, detail: row.detail });
  }
  return violations;
}

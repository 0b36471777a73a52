// The rebate ledger (SPEC §11): every change of a partner's rebate balance is an appended entry carrying the running
// balance, written under the partner's balance lock in the caller's transaction together with its event.
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import { Dec, formatMoney, type Dec as Decimal } from '../../shared/money';
import { appendEvents, trackSequence } from '../../event-log/event-log';
import { LedgerEntryEntity, type LedgerEntryKind } from './ledger-entry.entity';
import { lockEach, lockEachStatement, LockSpace } from '../../shared/locks';
import type { Sql, SqlExpression } from '../../shared/sql-batch';

export interface NewLedgerEntry {
  partnerId: string;
  kind: LedgerEntryKind;
  amount: Decimal;
  period?: string | null;
  projectId?: string | null;
  specialization?: string | null;
  withdrawalId?: string | null;
  description: string;
  createdAt: Date;
}

export class LedgerService {
  /** Takes the balance locks of these partners (sorted, so two transactions never deadlock) until commit. */
  async lockBalances(manager: EntityManager, partnerIds: string[]): Promise<void> {
    await lockEach(manager, LockSpace.PartnerBalance, partnerIds);
  }

  /** Current balances (0 for a partner without entries). Call with the balance locks held to act on them. */
  async balances(manager: EntityManager, partnerIds: string[]): Promise<Map<string, Decimal>> {
    const rows: { partner_id: string; balance_after: string }[] = await manager.query(BALANCES, [partnerIds]);
    const map = new Map(partnerIds.map((id) => [id, new Dec(0)] as [string, Decimal]));
    for (const row of rows) map.set(row.partner_id, new Dec(row.balance_after));
    return map;
  }

  async balance(manager: EntityManager, partnerId: string): Promise<Decimal> {
    return (await this.balances(manager, [partnerId])).get(partnerId)!;
  }

  /**
   * Appends entries (any partners, in order) set-based: one balance read, one event insert, one entry insert.
   * Refuses with INSUFFICIENT_BALANCE if any running balance would go below zero; nothing is written then.
   */
  async append(manager: EntityManager, entries: NewLedgerEntry[]): Promise<LedgerEntryEntity[]> {
    if (entries.length === 0) return [];
    const partnerIds = entries.map((e) => e.partnerId);
    await this.lockBalances(manager, partnerIds);
    const running = await this.balances(manager, [...new Set(partnerIds)]);
    const balanceAfter = entries.map((entry) => {
      const next = running.get(entry.partnerId)!.plus(entry.amount);
      if (next.isNegative()) {
        throw new DomainError('INSUFFICIENT_BALANCE', `The rebate balance is ${formatMoney(running.get(entry.partnerId)!)}; it cannot go below zero`, [
          'input',
          'amount',
        ]);
      }
      running.set(entry.partnerId, next);
      return next;
    });
    const rows = entries.map((entry, i) => ({ entry, balanceAfter: balanceAfter[i], id: crypto.randomUUID() }));
    const sequences = await appendEvents(
      manager,
      rows.map(({ entry, id }) => ({
        partnerId: entry.partnerId,
        type: 'LEDGER_ENTRY' as const,
        entityId: id,
        status: entry.kind,
        occurredAt: entry.createdAt,
      })),
    );
    const created = rows.map(({ entry, id, balanceAfter: after }, i) =>
      manager.create(LedgerEntryEntity, {
        id,
        partnerId: entry.partnerId,
        kind: entry.kind,
        amount: entry.amount,
        balanceAfter: after,
        period: entry.period ?? null,
        projectId: entry.projectId ?? null,
        specialization: entry.specialization ?? null,
        withdrawalId: entry.withdrawalId ?? null,
        description: entry.description,
        sequence: sequences[i],
        createdAt: entry.createdAt,
      }),
    );
    // The sequences are provisional until commit: eventTransaction gives the returned entries their final ones.
    for (const entry of created) trackSequence(manager, entry);
    const insert = insertEntries(created);
    await manager.query(insert.text, insert.values as unknown[]);
    return created;
  }

  /**
   * For a WriteTransaction (event-log/write-transaction.ts): the statements that take a partner's balance lock and
   * then read its balance (rows of `balance_after`; none for a partner without entries), in this order in one batch.
   */
  balanceReads(partnerId: string): Sql[] {
    return [lockEachStatement(LockSpace.PartnerBalance, [partnerId])!, { text: BALANCES, values: [[partnerId]] }];
  }

  /** The balance read by the second statement of balanceReads. */
  balanceOfRows(rows: { balance_after: string }[]): Decimal {
    return new Dec(rows[0]?.balance_after ?? 0);
  }

  /**
   * The write of one entry whose running balance the caller computed under the balance lock, carrying its event's
   * sequence as drawn in the same statement (write-transaction.ts eventSequence): only for WriteTransaction.commit.
   */
  entryWrite(entry: NewLedgerEntry, balanceAfter: Decimal, id: string, sequence: SqlExpression): Sql {
    const row = Object.assign(new LedgerEntryEntity(), {
      id,
      partnerId: entry.partnerId,
      kind: entry.kind,
      amount: entry.amount,
      balanceAfter,
      period: entry.period ?? null,
      projectId: entry.projectId ?? null,
      specialization: entry.specialization ?? null,
      withdrawalId: entry.withdrawalId ?? null,
      description: entry.description,
      createdAt: entry.createdAt,
    });
    return insertEntries([row], [sequence]);
  }
}

const BALANCES = `SELECT DISTINCT ON (partner_id) partner_id, balance_after FROM ledger_entries
  WHERE partner_id = ANY($1::uuid[]) ORDER BY partner_id, sequence DESC`;

/** One statement for any number of entries (a month close appends thousands): arrays unnested server-side. */
function insertEntries(entries: LedgerEntryEntity[], sequences: readonly unknown[] = entries.map((e) => e.sequence)): Sql {
  return {
    text: `INSERT INTO ledger_entries (id, partner_id, kind, amount, balance_after, period, project_id, specialization,
                                   withdrawal_id, description, sequence, created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::numeric[], $5::numeric[], $6::text[], $7::uuid[],
                            $8::text[], $9::uuid[], $10::text[], $11::bigint[], $12::timestamptz[])`,
    values: [
      entries.map((e) => e.id),
      entries.map((e) => e.partnerId),
      entries.map((e) => e.kind),
      entries.map((e) => e.amount.toFixed()),
      entries.map((e) => e.balanceAfter.toFixed()),
      entries.map((e) => e.period),
      entries.map((e) => e.projectId),
      entries.map((e) => e.specialization),
      entries.map((e) => e.withdrawalId),
      entries.map((e) => e.description),
      sequences,
      entries.map((e) => e.createdAt),
    ],
  };
}

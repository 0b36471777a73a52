// Rebate balance reads and ADMIN adjustments (SPEC §11). Ledger writes go through LedgerService.append, which takes
// the partner's balance lock and refuses to go below zero.
import { eventTransaction } from '../../event-log/event-log';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import { Dec, type Dec as Decimal } from '../../shared/money';
import { FieldChecks, isUuid } from '../../shared/validation';
import type { Clock } from '../clock/clock';
import { PartnerEntity } from '../partners/partner.entity';
import type { LedgerEntryEntity } from './ledger-entry.entity';
import type { LedgerService } from './ledger.service';

export interface RebateBalance {
  available: Decimal;
  pendingWithdrawals: Decimal;
  accruedTotal: Decimal;
  coMarketingBudget: Decimal;
}

/** RebateBalance of many partners in one query (the loader's batch). */
export async function loadRebateBalances(manager: EntityManager, partnerIds: readonly string[]): Promise<RebateBalance[]> {
  const ids = partnerIds.filter(isUuid);
  const rows: { partner_id: string; available: string; pending: string; accrued: string; co_marketing: string }[] = await manager.query(
    `SELECT p.id AS partner_id,
            coalesce((SELECT e.balance_after FROM ledger_entries e WHERE e.partner_id = p.id ORDER BY e.sequence DESC LIMIT 1), 0) AS available,
            coalesce((SELECT sum(w.amount) FROM withdrawals w WHERE w.partner_id = p.id AND w.status = 'PENDING'), 0) AS pending,
            coalesce((SELECT sum(e.amount) FROM ledger_entries e
                       WHERE e.partner_id = p.id AND e.kind IN ('PROJECT_REBATE', 'SPECIALIZATION_REBATE')), 0) AS accrued,
            coalesce((SELECT sum(s.co_marketing) FROM specialization_bases s WHERE s.partner_id = p.id), 0) AS co_marketing
       FROM unnest($1::uuid[]) AS p(id)`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.partner_id, r]));
  return partnerIds.map((id) => {
    const row = byId.get(id);
    return {
      available: new Dec(row?.available ?? 0),
      pendingWithdrawals: new Dec(row?.pending ?? 0),
      accruedTotal: new Dec(row?.accrued ?? 0),
      coMarketingBudget: new Dec(row?.co_marketing ?? 0),
    };
  });
}

export class RebatesService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
  ) {}

  /** adjustRebateBalance (ADMIN): a reasoned correction of either sign that never takes the balance below zero. */
  async adjust(input: { partnerId: string; amount: Decimal; reason: string }): Promise<LedgerEntryEntity> {
    const checks = new FieldChecks();
    checks.money(['input', 'amount'], input.amount, { label: 'Amount', sign: 'any' });
    if (input.amount.isZero()) checks.fail(['input', 'amount'], 'An adjustment must not be zero');
    const reason = checks.text(['input', 'reason'], input.reason, { max: 4000, label: 'Reason' });
    checks.done();
    return eventTransaction(this.ds, async (manager) => {
      const partner = isUuid(input.partnerId)
        ? await manager.findOne(PartnerEntity, { where: { id: input.partnerId }, lock: { mode: 'pessimistic_read' } })
        : null;
      if (!partner) throw new DomainError('NOT_FOUND', `No partner with id ${input.partnerId}`, ['input', 'partnerId']);
      const [entry] = await this.ledger.append(manager, [
        { partnerId: partner.id, kind: 'ADJUSTMENT', amount: input.amount, description: reason, createdAt: this.clock.now() },
      ]);
      return entry;
    });
  }
}

// Rebate balance reads and ADMIN adjustments (SPEC §11). Ledger writes go through LedgerService.append, which takes
// the partner's balance lock and refuses to go below zero.
import { eventTransaction } from '../../event-log/event-log';
import type { DataSource } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import type { Dec as Decimal } from '../../shared/money';
import { FieldChecks, isUuid } from '../../shared/validation';
import type { Clock } from '../clock/clock';
import { PartnerEntity } from '../partners/partner.entity';
import type { LedgerEntryEntity } from './ledger-entry.entity';
import type { LedgerService } from './ledger.service';

export type { RebateBalance } from './rebates.reads';

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

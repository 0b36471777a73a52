import { Column, Entity, Index, PrimaryColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';
import { moneyColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';

/** A final invoice of a closed month: stored once at the close, never recomputed. */
@Entity('invoices')
@Index('invoices_month_idx', ['month'])
export class InvoiceEntity {
  @ForeignKey(() => PartnerEntity, { name: 'fk_invoices_partner_id' }) @PrimaryColumn({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  /** 'YYYY-MM' */
  @PrimaryColumn({ type: 'text' }) month: string;
  @Column({ type: 'timestamptz', name: 'closed_at' }) closedAt: Date;
  @Column({ ...moneyColumn, name: 'total_cost' }) totalCost: Dec;
  @Column({ ...moneyColumn, name: 'grant_credits' }) grantCredits: Dec;
  @Column({ ...moneyColumn, name: 'eligible_amount' }) eligibleAmount: Dec;
  @Column({ ...moneyColumn }) discount: Dec;
  @Column({ ...moneyColumn, name: 'bonus_withdrawals_applied' }) bonusWithdrawalsApplied: Dec;
  @Column({ ...moneyColumn, name: 'bonus_carried_over' }) bonusCarriedOver: Dec;
  @Column({ ...moneyColumn }) payable: Dec;
  /** Σ cost of customer (not own) lines: the denominator of the relative bonus. */
  @Column({ ...moneyColumn, name: 'customer_cost' }) customerCost: Dec;
}

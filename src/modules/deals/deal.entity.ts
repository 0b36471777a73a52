import { Column, Entity, Index, PrimaryGeneratedColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';
import { moneyColumn, rateColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';
import type { DealStatus } from './domain/deal-rules';

/** A registered deal for a new customer (SPEC §6). Dates are kept: the month close prices each day with its rate. */
@Entity('deals')
@Index('deals_partner_created_idx', ['partnerId', 'createdAt', 'id'])
@Index('deals_created_idx', ['createdAt', 'id'])
@Index('deals_inn_idx', ['customerInn'])
// At most one open (SUBMITTED/APPROVED/ACTIVE) deal per customer INN across all partners: DEAL_CONFLICT, race-proof.
@Index('deals_open_inn_key', ['customerInn'], { unique: true, where: `"status" IN ('SUBMITTED', 'APPROVED', 'ACTIVE')` })
export class DealEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => PartnerEntity, { name: 'fk_deals_partner_id' }) @Column({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @Column({ type: 'text', name: 'customer_inn' }) customerInn: string;
  @Column({ type: 'text', name: 'customer_name' }) customerName: string;
  @Column({ ...moneyColumn, name: 'target_monthly_consumption' }) targetMonthlyConsumption: Dec;
  @Column({ type: 'boolean' }) procurement: boolean;
  @Column({ type: 'date', name: 'contract_ends_on', nullable: true }) contractEndsOn: string | null;
  @Column({ type: 'text' }) description: string;
  @Column({ type: 'text' }) status: DealStatus;
  @Column({ type: 'text', name: 'status_reason', nullable: true }) statusReason: string | null;
  @Column({ ...rateColumn, name: 'bonus_rate', nullable: true }) bonusRate: Dec | null;
  /** Submission instant (exposed as submittedAt; named createdAt for the shared list order). */
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'approved_at', nullable: true }) approvedAt: Date | null;
  @Column({ type: 'date', name: 'link_deadline', nullable: true }) linkDeadline: string | null;
  @Column({ type: 'date', name: 'activated_on', nullable: true }) activatedOn: string | null;
  /** First day without the uplift (ENDED). */
  @Column({ type: 'date', name: 'ended_on', nullable: true }) endedOn: string | null;
  /** The day an APPROVED deal expired (linkDeadline + 1). */
  @Column({ type: 'date', name: 'expired_on', nullable: true }) expiredOn: string | null;
}

import { Column, Entity, Index, PrimaryGeneratedColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';
import { moneyColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';
import type { WithdrawalDestination, WithdrawalStatus } from './domain/withdrawal-rules';

/** A withdrawal of rebate balance to the invoice (BONUS) or to the bank account (SPEC §12). */
@Entity('withdrawals')
@Index('withdrawals_partner_created_idx', ['partnerId', 'createdAt', 'id'])
@Index('withdrawals_created_idx', ['createdAt', 'id'])
@Index('withdrawals_idempotency_key', ['partnerId', 'idempotencyKey'], { unique: true })
@Index('withdrawals_bonus_month_idx', ['partnerId', 'month'])
export class WithdrawalEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => PartnerEntity, { name: 'fk_withdrawals_partner_id' }) @Column({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @Column({ ...moneyColumn }) amount: Dec;
  @Column({ type: 'text' }) destination: WithdrawalDestination;
  @Column({ type: 'text' }) status: WithdrawalStatus;
  @Column({ type: 'text', name: 'status_reason', nullable: true }) statusReason: string | null;
  /** BONUS: the invoice month ('YYYY-MM') it reduces. */
  @Column({ type: 'text', nullable: true }) month: string | null;
  /** BANK_ACCOUNT: snapshot of the bank details at request time. */
  @Column({ type: 'text', name: 'bank_bic', nullable: true }) bankBic: string | null;
  @Column({ type: 'text', name: 'bank_account_number', nullable: true }) bankAccountNumber: string | null;
  @Column({ type: 'text', name: 'bank_name', nullable: true }) bankName: string | null;
  @Column({ type: 'text', name: 'payment_reference', nullable: true }) paymentReference: string | null;
  @Column({ type: 'text', name: 'idempotency_key' }) idempotencyKey: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}

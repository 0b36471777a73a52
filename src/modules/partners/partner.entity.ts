import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { moneyColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';

export type PartnerStatus = 'PENDING_REVIEW' | 'ACTIVE' | 'REJECTED' | 'QUITTING' | 'QUIT' | 'REVOKED';
export type PartnerLevel = 'PARTNER' | 'EXPERT' | 'PROFESSIONAL';
export type PaymentMode = 'ADVANCE' | 'POSTPAYMENT';

@Entity('partners')
@Index('partners_created_idx', ['createdAt', 'id'])
export class PartnerEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Index('partners_inn_key', { unique: true }) @Column({ type: 'text' }) inn: string;
  @Index('partners_own_billing_account_key', { unique: true })
  @Column({ type: 'text', name: 'own_billing_account_id' })
  ownBillingAccountId: string;
  @Column({ type: 'text', name: 'contact_email' }) contactEmail: string;
  @Column({ type: 'text' }) status: PartnerStatus;
  @Column({ type: 'text', name: 'status_reason', nullable: true }) statusReason: string | null;
  @Column({ type: 'text', default: 'PARTNER' }) level: PartnerLevel;
  @Column({ type: 'text', name: 'payment_mode' }) paymentMode: PaymentMode;
  @Column({ ...moneyColumn, name: 'billing_threshold', nullable: true }) billingThreshold: Dec | null;
  @Column({ type: 'text', name: 'bank_bic', nullable: true }) bankBic: string | null;
  @Column({ type: 'text', name: 'bank_account_number', nullable: true }) bankAccountNumber: string | null;
  @Column({ type: 'text', name: 'bank_name', nullable: true }) bankName: string | null;
  @Column({ type: 'date', name: 'quit_effective_on', nullable: true }) quitEffectiveOn: string | null;
  /** The day the application was approved: the partner is in the program (ACTIVE or QUITTING) from it to exitDate. */
  @Column({ type: 'date', name: 'active_from', nullable: true }) activeFrom: string | null;
  /** First day the partner is out of the program (QUIT or REVOKED); exit effects are dated with it. */
  @Column({ type: 'date', name: 'exit_date', nullable: true }) exitDate: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}

import { Column, Entity, Index, PrimaryGeneratedColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';
import type { CustomerStatus } from './domain/subaccount-lifecycle';

/** A customer's billing account served by a partner (a subaccount). */
@Entity('customers')
@Index('customers_partner_created_idx', ['partnerId', 'createdAt', 'id'])
@Index('customers_inn_idx', ['inn'])
// At most one live (not INACTIVE) subaccount per billing account, whatever the partner.
@Index('customers_live_billing_account_key', ['billingAccountId'], { unique: true, where: `"status" <> 'INACTIVE'` })
export class CustomerEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => PartnerEntity, { name: 'fk_customers_partner_id' }) @Column({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) inn: string;
  @Column({ type: 'text', name: 'billing_account_id' }) billingAccountId: string;
  @Column({ type: 'text' }) status: CustomerStatus;
  /** When the customer accepted the invitation (the link started). */
  @Column({ type: 'timestamptz', name: 'linked_at', nullable: true }) linkedAt: Date | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}

import { Column, Entity, Exclusion, Index, PrimaryGeneratedColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';
import { CustomerEntity } from './customer.entity';

/**
 * A billing account linked to a partner over [linkedFrom, linkedTo) in Moscow dates. Kept forever: billing depends on
 * them. An exclusion constraint (in the migration) forbids two links of one account overlapping.
 */
@Entity('account_links')
@Exclusion('account_links_no_overlap', `USING gist ("billing_account_id" WITH =, daterange("linked_from", "linked_to", '[)') WITH &&)`)
@Index('account_links_account_idx', ['billingAccountId', 'linkedFrom'])
@Index('account_links_customer_idx', ['customerId'])
@Index('account_links_partner_idx', ['partnerId'])
export class AccountLinkEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => CustomerEntity, { name: 'fk_account_links_customer_id' }) @Column({ type: 'uuid', name: 'customer_id' }) customerId: string;
  @ForeignKey(() => PartnerEntity, { name: 'fk_account_links_partner_id' }) @Column({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @Column({ type: 'text', name: 'billing_account_id' }) billingAccountId: string;
  @Column({ type: 'date', name: 'linked_from' }) linkedFrom: string;
  /** First day no longer linked; null while linked. */
  @Column({ type: 'date', name: 'linked_to', nullable: true }) linkedTo: string | null;
}

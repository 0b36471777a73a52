import { Column, Entity, PrimaryColumn, ForeignKey } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { PartnerEntity } from '../partners/partner.entity';
import { moneyColumn, rateColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';

/** A line of a final invoice: billing account × service × rates in force, priced once and kept. */
@Entity('invoice_lines')
export class InvoiceLineEntity {
  @ForeignKey(() => PartnerEntity, { name: 'fk_invoice_lines_partner_id' }) @PrimaryColumn({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @PrimaryColumn({ type: 'text' }) month: string;
  @PrimaryColumn({ type: 'int', name: 'line_no' }) lineNo: number;
  @Column({ type: 'text', name: 'billing_account_id' }) billingAccountId: string;
  @ForeignKey(() => CustomerEntity, { name: 'fk_invoice_lines_customer_id' }) @Column({ type: 'uuid', name: 'customer_id', nullable: true }) customerId:
    string | null;
  @Column({ type: 'text', name: 'service_id' }) serviceId: string;
  @Column({ ...moneyColumn }) cost: Dec;
  @Column({ ...moneyColumn, name: 'grant_credit' }) grantCredit: Dec;
  @Column({ ...moneyColumn }) eligible: Dec;
  @Column({ ...rateColumn, name: 'bonus_rate' }) bonusRate: Dec;
  @Column({ ...rateColumn, name: 'deal_bonus_rate' }) dealBonusRate: Dec;
  @Column({ ...moneyColumn }) discount: Dec;
  @Column({ ...moneyColumn }) payable: Dec;
  @Column({ type: 'text', nullable: true }) exclusion: 'PARTNER_OWN' | 'EXCLUDED_SERVICE' | null;
}

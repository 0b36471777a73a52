import { Column, Entity, PrimaryColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';
import { moneyColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';

/**
 * A month's eligible consumption per partner × specialization (subaccounts on linked days + approved projects' scopes
 * on direct days), stored at each month close; a quarter's G(Q) is the sum of its three months.
 */
@Entity('specialization_months')
export class SpecializationMonthEntity {
  @ForeignKey(() => PartnerEntity, { name: 'fk_specialization_months_partner_id' }) @PrimaryColumn({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @PrimaryColumn({ type: 'text' }) specialization: string;
  /** 'YYYY-MM' */
  @PrimaryColumn({ type: 'text' }) month: string;
  @Column({ ...moneyColumn, name: 'eligible_consumption' }) eligibleConsumption: Dec;
}

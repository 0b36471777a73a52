import { Column, Entity, PrimaryColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';
import { moneyColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';

/** G(Q) of a partner's specialization stored at the close of the quarter, with what it earned (SPEC §11). */
@Entity('specialization_bases')
export class SpecializationBaseEntity {
  @ForeignKey(() => PartnerEntity, { name: 'fk_specialization_bases_partner_id' }) @PrimaryColumn({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @PrimaryColumn({ type: 'text' }) specialization: string;
  /** 'YYYY-Qn' */
  @PrimaryColumn({ type: 'text' }) quarter: string;
  /** G(Q): eligible consumption of the specialization's services. */
  @Column({ ...moneyColumn, name: 'eligible_consumption' }) eligibleConsumption: Dec;
  @Column({ type: 'text', nullable: true }) level: string | null;
  @Column({ ...moneyColumn }) base: Dec;
  @Column({ ...moneyColumn }) rebate: Dec;
  @Column({ ...moneyColumn, name: 'co_marketing' }) coMarketing: Dec;
}

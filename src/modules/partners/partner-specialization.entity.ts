import { Column, Entity, Index, PrimaryGeneratedColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from './partner.entity';
import type { SpecializationName } from '../services/service.entity';
import type { PartnerLevel } from './partner.entity';

/** A period in which a partner holds a specialization at a level; periods are kept, never rewritten. */
@Entity('partner_specializations')
@Index('partner_specializations_partner_idx', ['partnerId', 'specialization', 'activeFrom'])
export class PartnerSpecializationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => PartnerEntity, { name: 'fk_partner_specializations_partner_id' }) @Column({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @Column({ type: 'text' }) specialization: SpecializationName;
  @Column({ type: 'text' }) level: PartnerLevel;
  @Column({ type: 'date', name: 'active_from' }) activeFrom: string;
  @Column({ type: 'date', name: 'active_to', nullable: true }) activeTo: string | null;
  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

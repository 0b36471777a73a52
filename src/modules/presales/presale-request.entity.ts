import { Column, Entity, Index, PrimaryGeneratedColumn, ForeignKey } from 'typeorm';
import { ProjectEntity } from '../projects/project.entity';
import { DealEntity } from '../deals/deal.entity';
import { PartnerEntity } from '../partners/partner.entity';
import type { PresaleStatus } from './domain/presale-rules';

/** A partner's request for the provider's presale experts (SPEC §8). */
@Entity('presale_requests')
@Index('presale_requests_partner_created_idx', ['partnerId', 'createdAt', 'id'])
@Index('presale_requests_created_idx', ['createdAt', 'id'])
export class PresaleRequestEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => PartnerEntity, { name: 'fk_presale_requests_partner_id' }) @Column({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @Column({ type: 'text', name: 'customer_name' }) customerName: string;
  @Column({ type: 'text', name: 'customer_inn', nullable: true }) customerInn: string | null;
  @ForeignKey(() => DealEntity, { name: 'fk_presale_requests_deal_id' }) @Column({ type: 'uuid', name: 'deal_id', nullable: true }) dealId: string | null;
  @ForeignKey(() => ProjectEntity, { name: 'fk_presale_requests_project_id' }) @Column({ type: 'uuid', name: 'project_id', nullable: true }) projectId:
    string | null;
  @Column({ type: 'text', array: true }) products: string[];
  @Column({ type: 'text' }) description: string;
  @Column({ type: 'text' }) status: PresaleStatus;
  @Column({ type: 'text', name: 'status_reason', nullable: true }) statusReason: string | null;
  @Column({ type: 'text', nullable: true }) assignee: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'date', name: 'respond_by' }) respondBy: string;
}

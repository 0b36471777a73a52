import { Column, Entity, Index, PrimaryGeneratedColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';
import { moneyColumn, rateColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';
import type { ProjectStatus } from './domain/project-rules';

export type ProjectScope = 'CLOUD' | 'FOLDER';

/** A registered project of a direct customer in one cloud or folder (SPEC §7). */
@Entity('projects')
@Index('projects_partner_created_idx', ['partnerId', 'createdAt', 'id'])
@Index('projects_created_idx', ['createdAt', 'id'])
@Index('projects_account_idx', ['customerBillingAccountId'])
// One SUBMITTED/APPROVED project per scope: PROJECT_CONFLICT, race-proof.
@Index('projects_open_scope_key', ['scope', 'scopeId'], { unique: true, where: `"status" IN ('SUBMITTED', 'APPROVED')` })
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => PartnerEntity, { name: 'fk_projects_partner_id' }) @Column({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @Column({ type: 'text', name: 'customer_inn' }) customerInn: string;
  @Column({ type: 'text', name: 'customer_name' }) customerName: string;
  @Column({ type: 'text', name: 'customer_billing_account_id' }) customerBillingAccountId: string;
  @Column({ type: 'text' }) scope: ProjectScope;
  @Column({ type: 'text', name: 'scope_id' }) scopeId: string;
  @Column({ ...moneyColumn, name: 'target_monthly_consumption' }) targetMonthlyConsumption: Dec;
  @Column({ type: 'text' }) description: string;
  @Column({ type: 'text' }) status: ProjectStatus;
  @Column({ type: 'text', name: 'status_reason', nullable: true }) statusReason: string | null;
  @Column({ ...rateColumn, name: 'rebate_rate', nullable: true }) rebateRate: Dec | null;
  /** 'YYYY-MM' months of the rebate window, inclusive. */
  @Column({ type: 'text', name: 'rebate_from', nullable: true }) rebateFrom: string | null;
  @Column({ type: 'text', name: 'rebate_to', nullable: true }) rebateTo: string | null;
  /** Submission instant (exposed as submittedAt). */
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'approved_at', nullable: true }) approvedAt: Date | null;
}

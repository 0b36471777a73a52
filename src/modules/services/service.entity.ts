import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SpecializationName = 'INFRA_DEVOPS' | 'DATA_PLATFORM' | 'SECURITY' | 'ML_AI';

@Entity('services')
export class ServiceEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text' }) name: string;
  /** The only place exclusions from the partner bonus live (SPEC §1). */
  @Column({ type: 'boolean', name: 'bonus_eligible' }) bonusEligible: boolean;
  @Column({ type: 'text', nullable: true }) specialization: SpecializationName | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) aliases: string[];
}

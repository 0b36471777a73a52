import { Column, Entity, PrimaryColumn } from 'typeorm';
import { moneyColumn, rateColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';

export interface SpecializationRateRow {
  level: 'PARTNER' | 'EXPERT' | 'PROFESSIONAL';
  rebateRate: string;
  coMarketingRate: string;
}

/** One row per month from which a set of program settings is in force. */
@Entity('program_settings')
export class ProgramSettingsEntity {
  /** First day of the month the row takes effect. */
  @PrimaryColumn({ type: 'date', name: 'effective_from' }) effectiveFrom: string;
  @Column({ ...rateColumn, name: 'base_bonus_rate' }) baseBonusRate: Dec;
  @Column({ ...rateColumn, name: 'max_deal_bonus_rate' }) maxDealBonusRate: Dec;
  @Column({ ...rateColumn, name: 'max_project_rebate_rate' }) maxProjectRebateRate: Dec;
  @Column({ ...moneyColumn, name: 'min_deal_target_consumption' }) minDealTargetConsumption: Dec;
  @Column({ ...moneyColumn, name: 'min_project_monthly_consumption' }) minProjectMonthlyConsumption: Dec;
  @Column({ type: 'int', name: 'deal_link_window_days' }) dealLinkWindowDays: number;
  @Column({ type: 'int', name: 'project_rebate_months' }) projectRebateMonths: number;
  @Column({ type: 'int', name: 'quit_notice_days' }) quitNoticeDays: number;
  @Column({ type: 'int', name: 'presale_response_business_days' }) presaleResponseBusinessDays: number;
  @Column({ type: 'jsonb', name: 'specialization_rates' }) specializationRates: SpecializationRateRow[];
  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import { firstDayOfMonth, monthOf } from '../../shared/dates';
import { FieldChecks } from '../../shared/validation';
import type { Clock } from '../clock/clock';
import { ProgramSettingsEntity, type SpecializationRateRow } from './program-settings.entity';
import { Dec, formatRate, type Dec as Decimal } from '../../shared/money';
import type { Sql } from '../../shared/sql-batch';

export interface SettingsChange {
  effectiveFrom: string;
  baseBonusRate?: Decimal | null;
  maxDealBonusRate?: Decimal | null;
  maxProjectRebateRate?: Decimal | null;
  minDealTargetConsumption?: Decimal | null;
  minProjectMonthlyConsumption?: Decimal | null;
  dealLinkWindowDays?: number | null;
  projectRebateMonths?: number | null;
  quitNoticeDays?: number | null;
  presaleResponseBusinessDays?: number | null;
  specializationRates?: { level: SpecializationRateRow['level']; rebateRate: Decimal; coMarketingRate: Decimal }[] | null;
}

/** A settings row with the fields of a change applied; unset fields keep the row's values. */
function applyChange(base: ProgramSettingsEntity, change: SettingsChange, effectiveFrom: string, createdAt: Date): ProgramSettingsEntity {
  const rates = new Map(base.specializationRates.map((r) => [r.level, r]));
  for (const r of change.specializationRates ?? []) {
    rates.set(r.level, { level: r.level, rebateRate: formatRate(r.rebateRate), coMarketingRate: formatRate(r.coMarketingRate) });
  }
  return {
    effectiveFrom,
    baseBonusRate: change.baseBonusRate ?? base.baseBonusRate,
    maxDealBonusRate: change.maxDealBonusRate ?? base.maxDealBonusRate,
    maxProjectRebateRate: change.maxProjectRebateRate ?? base.maxProjectRebateRate,
    minDealTargetConsumption: change.minDealTargetConsumption ?? base.minDealTargetConsumption,
    minProjectMonthlyConsumption: change.minProjectMonthlyConsumption ?? base.minProjectMonthlyConsumption,
    dealLinkWindowDays: change.dealLinkWindowDays ?? base.dealLinkWindowDays,
    projectRebateMonths: change.projectRebateMonths ?? base.projectRebateMonths,
    quitNoticeDays: change.quitNoticeDays ?? base.quitNoticeDays,
    presaleResponseBusinessDays: change.presaleResponseBusinessDays ?? base.presaleResponseBusinessDays,
    specializationRates: ['PARTNER', 'EXPERT', 'PROFESSIONAL'].map((level) => rates.get(level as SpecializationRateRow['level'])!),
    createdAt,
  };
}

const DECIMALS = ['baseBonusRate', 'maxDealBonusRate', 'maxProjectRebateRate', 'minDealTargetConsumption', 'minProjectMonthlyConsumption'] as const;
const IN_FORCE = `SELECT effective_from::text AS "effectiveFrom", base_bonus_rate::text AS "baseBonusRate", max_deal_bonus_rate::text AS "maxDealBonusRate",
       max_project_rebate_rate::text AS "maxProjectRebateRate", min_deal_target_consumption::text AS "minDealTargetConsumption",
       min_project_monthly_consumption::text AS "minProjectMonthlyConsumption", deal_link_window_days AS "dealLinkWindowDays",
       project_rebate_months AS "projectRebateMonths", quit_notice_days AS "quitNoticeDays",
       presale_response_business_days AS "presaleResponseBusinessDays", specialization_rates AS "specializationRates", created_at AS "createdAt"
  FROM program_settings
 ORDER BY effective_from <= $1::date DESC, CASE WHEN effective_from <= $1::date THEN effective_from END DESC, effective_from
 LIMIT 1`;

export class SettingsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The row in force in a month: the latest one effective from that month or before. */
  async inForce(month: string, manager: EntityManager = this.ds.manager): Promise<ProgramSettingsEntity> {
    const row = await manager
      .createQueryBuilder(ProgramSettingsEntity, 's')
      .where('s.effectiveFrom <= :day', { day: firstDayOfMonth(month) })
      .orderBy('s.effectiveFrom', 'DESC')
      .getOne();
    if (row) return row;
    // Months before the first row read the earliest settings (the seeded defaults).
    return manager.createQueryBuilder(ProgramSettingsEntity, 's').orderBy('s.effectiveFrom', 'ASC').getOneOrFail();
  }

  /**
   * `inForce` as a statement of a WriteTransaction's read batch (the row in force, else the earliest): its one row
   * becomes the settings with `fromRow`.
   */
  inForceStatement(month: string): Sql {
    return { text: IN_FORCE, values: [firstDayOfMonth(month)] };
  }

  fromRow(row: Record<string, unknown>): ProgramSettingsEntity {
    const settings = Object.assign(new ProgramSettingsEntity(), row);
    for (const key of DECIMALS) settings[key] = new Dec(row[key] as string);
    return settings;
  }

  async forDate(date: string, manager?: EntityManager): Promise<ProgramSettingsEntity> {
    return this.inForce(monthOf(date), manager);
  }

  /** New settings from the current month or later; never retroactive. Unset fields keep the values in force. */
  async update(change: SettingsChange): Promise<ProgramSettingsEntity> {
    const checks = new FieldChecks();
    const currentMonth = monthOf(this.clock.today());
    if (change.effectiveFrom < currentMonth) {
      checks.fail(['input', 'effectiveFrom'], `Settings cannot be changed retroactively: effectiveFrom must be ${currentMonth} or later`);
    }
    const ints: [keyof SettingsChange, number, number][] = [
      ['dealLinkWindowDays', 1, 3650],
      ['projectRebateMonths', 1, 120],
      ['quitNoticeDays', 0, 3650],
      ['presaleResponseBusinessDays', 1, 365],
    ];
    for (const [key, min, max] of ints) {
      const value = change[key] as number | null | undefined;
      if (value != null && (value < min || value > max)) checks.fail(['input', key], `${key} must be between ${min} and ${max}`);
    }
    for (const key of ['minDealTargetConsumption', 'minProjectMonthlyConsumption'] as const) {
      const value = change[key];
      if (value != null) checks.money(['input', key], value, { label: key, sign: 'nonNegative' });
    }
    if (change.specializationRates) {
      const levels = change.specializationRates.map((r) => r.level);
      if (new Set(levels).size !== levels.length) checks.fail(['input', 'specializationRates'], 'Each level may appear once');
    }
    checks.done();

    return this.ds.transaction(async (manager) => {
      // One writer at a time: concurrent changes of one month must not overwrite each other.
      await manager.query('LOCK TABLE program_settings IN SHARE ROW EXCLUSIVE MODE');
      const effectiveFrom = firstDayOfMonth(change.effectiveFrom);
      const row = applyChange(await this.inForce(change.effectiveFrom, manager), change, effectiveFrom, this.clock.now());
      // Rows already scheduled for later months keep their own values but take this change too: a change is
      // effective "from" its month on, not only until the next scheduled row.
      const later = await manager.createQueryBuilder(ProgramSettingsEntity, 's').where('s.effectiveFrom > :day', { day: effectiveFrom }).getMany();
      const rows = [row, ...later.map((r) => applyChange(r, change, r.effectiveFrom, r.createdAt))];
      for (const candidate of rows) {
        if (candidate.baseBonusRate.plus(candidate.maxDealBonusRate).gt(1)) {
          throw new DomainError('VALIDATION_FAILED', 'The base bonus rate plus the maximum deal bonus rate must not exceed 1', ['input', 'maxDealBonusRate']);
        }
      }
      await manager.save(ProgramSettingsEntity, rows);
      return row;
    });
  }

  /** Rates of a level as Decimals. */
  static levelRates(settings: ProgramSettingsEntity, level: string): { rebateRate: Decimal; coMarketingRate: Decimal } {
    const row = settings.specializationRates.find((r) => r.level === level);
    if (!row) throw new DomainError('NOT_FOUND', `No specialization rates for level ${level}`);
    return { rebateRate: new Dec(row.rebateRate), coMarketingRate: new Dec(row.coMarketingRate) };
  }
}

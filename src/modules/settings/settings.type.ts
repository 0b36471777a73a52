import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { PartnerLevelEnum } from '../../shared/enums';
import type { Dec } from '../../shared/money';
import { MoneyScalar, MonthScalar, RateScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';

@ObjectType('SpecializationRate')
export class SpecializationRateType {
  @Field(() => PartnerLevelEnum) level: PartnerLevelEnum;
  @Field(() => RateScalar) rebateRate: unknown;
  @Field(() => RateScalar) coMarketingRate: unknown;
}

@ObjectType('ProgramSettings')
export class ProgramSettingsType {
  @Field(() => MonthScalar) effectiveFrom: string;
  @Field(() => RateScalar) baseBonusRate: unknown;
  @Field(() => RateScalar) maxDealBonusRate: unknown;
  @Field(() => RateScalar) maxProjectRebateRate: unknown;
  @Field(() => MoneyScalar) minDealTargetConsumption: unknown;
  @Field(() => MoneyScalar) minProjectMonthlyConsumption: unknown;
  @Field(() => Int) dealLinkWindowDays: number;
  @Field(() => Int) projectRebateMonths: number;
  @Field(() => Int) quitNoticeDays: number;
  @Field(() => Int) presaleResponseBusinessDays: number;
  @Field(() => [SpecializationRateType]) specializationRates: SpecializationRateType[];
}

@InputType('SpecializationRateInput')
export class SpecializationRateInput {
  @Field(() => PartnerLevelEnum) level: PartnerLevelEnum;
  @Field(() => RateScalar) rebateRate: Dec;
  @Field(() => RateScalar) coMarketingRate: Dec;
}

@InputType('UpdateProgramSettingsInput')
export class UpdateProgramSettingsInput {
  @Field(() => MonthScalar) effectiveFrom: string;
  @Field(() => RateScalar, { nullable: true }) baseBonusRate?: Dec | null;
  @Field(() => RateScalar, { nullable: true }) maxDealBonusRate?: Dec | null;
  @Field(() => RateScalar, { nullable: true }) maxProjectRebateRate?: Dec | null;
  @Field(() => MoneyScalar, { nullable: true }) minDealTargetConsumption?: Dec | null;
  @Field(() => MoneyScalar, { nullable: true }) minProjectMonthlyConsumption?: Dec | null;
  @Field(() => Int, { nullable: true }) dealLinkWindowDays?: number | null;
  @Field(() => Int, { nullable: true }) projectRebateMonths?: number | null;
  @Field(() => Int, { nullable: true }) quitNoticeDays?: number | null;
  @Field(() => Int, { nullable: true }) presaleResponseBusinessDays?: number | null;
  @Field(() => [SpecializationRateInput], { nullable: true }) specializationRates?: SpecializationRateInput[] | null;
}

@ObjectType('ProgramSettingsPayload')
export class ProgramSettingsPayload {
  @Field(() => ProgramSettingsType, { nullable: true }) programSettings?: ProgramSettingsType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

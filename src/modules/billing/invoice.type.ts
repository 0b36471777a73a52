import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, MoneyScalar, MonthScalar, RateScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { NodeInterface } from '../../shared/node';

export enum LineExclusionEnum {
  PARTNER_OWN = 'PARTNER_OWN',
  EXCLUDED_SERVICE = 'EXCLUDED_SERVICE',
}
registerEnumType(LineExclusionEnum, { name: 'LineExclusion' });

@ObjectType('InvoiceLine', { simpleResolvers: true })
export class InvoiceLineType {
  @Field(() => String) billingAccountId: string;
  @Field(() => String) serviceId: string;
  @Field(() => MoneyScalar) cost: unknown;
  @Field(() => MoneyScalar) grantCredit: unknown;
  @Field(() => MoneyScalar) eligible: unknown;
  @Field(() => RateScalar) bonusRate: unknown;
  @Field(() => RateScalar) dealBonusRate: unknown;
  @Field(() => MoneyScalar) discount: unknown;
  @Field(() => MoneyScalar) payable: unknown;
  @Field(() => LineExclusionEnum, { nullable: true }) exclusion: LineExclusionEnum | null;
}

@ObjectType('Invoice', { implements: NodeInterface, simpleResolvers: true })
export class InvoiceType {
  @Field(() => ID, { description: 'The partner id and the month: `<partnerId>:<YYYY-MM>`.' }) id: string;
  @Field(() => MonthScalar) month: string;
  @Field(() => Boolean) isFinal: boolean;
  @Field(() => DateTimeScalar, { nullable: true }) closedAt: Date | null;
  @Field(() => [InvoiceLineType]) lines: InvoiceLineType[];
  @Field(() => MoneyScalar) totalCost: unknown;
  @Field(() => MoneyScalar) grantCredits: unknown;
  @Field(() => MoneyScalar) eligibleAmount: unknown;
  @Field(() => MoneyScalar) discount: unknown;
  @Field(() => MoneyScalar) bonusWithdrawalsApplied: unknown;
  @Field(() => MoneyScalar) bonusCarriedOver: unknown;
  @Field(() => MoneyScalar) payable: unknown;
}

@ObjectType('PartnerBonus')
export class PartnerBonusType {
  @Field(() => ID, { description: "The invoice's id, `<partnerId>:<YYYY-MM>`: the bonus of that invoice's month." }) id: string;
  @Field(() => MonthScalar) month: string;
  @Field(() => MoneyScalar) absolute: unknown;
  @Field(() => RateScalar) relative: unknown;
  @Field(() => MoneyScalar) eligibleAmount: unknown;
}

@InputType('CloseBillingMonthInput')
export class CloseBillingMonthInput {
  @Field(() => MonthScalar) month: string;
}

@ObjectType('CloseBillingMonthPayload')
export class CloseBillingMonthPayload {
  @Field(() => MonthScalar, { nullable: true }) month?: string | null;
  @Field(() => Int) invoicesFinalized: number;
  @Field(() => Int) rebateEntriesCreated: number;
  @Field(() => [UserError]) userErrors: UserError[];
}

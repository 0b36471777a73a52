import { Field, ID, InputType } from 'type-graphql';
import { ReviewDecisionEnum } from '../../shared/enums';
import type { Dec } from '../../shared/money';
import { DateScalar, MoneyScalar, RateScalar } from '../../shared/scalars';

@InputType('RegisterDealInput')
export class RegisterDealInput {
  @Field(() => ID) partnerId: string;
  @Field(() => String) customerInn: string;
  @Field(() => String) customerName: string;
  @Field(() => MoneyScalar) targetMonthlyConsumption: Dec;
  @Field(() => Boolean, { nullable: true }) procurement?: boolean | null;
  @Field(() => DateScalar, { nullable: true }) contractEndsOn?: string | null;
  @Field(() => String) description: string;
}

@InputType('ReviewDealInput')
export class ReviewDealInput {
  @Field(() => ID) dealId: string;
  @Field(() => ReviewDecisionEnum) decision: ReviewDecisionEnum;
  @Field(() => RateScalar, { nullable: true }) bonusRate?: Dec | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

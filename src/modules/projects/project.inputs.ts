import { Field, ID, InputType } from 'type-graphql';
import { ReviewDecisionEnum } from '../../shared/enums';
import type { Dec } from '../../shared/money';
import { MoneyScalar, RateScalar } from '../../shared/scalars';
import { ProjectScopeEnum } from './project.type';

@InputType('RegisterProjectInput')
export class RegisterProjectInput {
  @Field(() => ID) partnerId: string;
  @Field(() => String) customerInn: string;
  @Field(() => String) customerName: string;
  @Field(() => String) customerBillingAccountId: string;
  @Field(() => ProjectScopeEnum) scope: ProjectScopeEnum;
  @Field(() => String) scopeId: string;
  @Field(() => MoneyScalar) targetMonthlyConsumption: Dec;
  @Field(() => String) description: string;
}

@InputType('ReviewProjectInput')
export class ReviewProjectInput {
  @Field(() => ID) projectId: string;
  @Field(() => ReviewDecisionEnum) decision: ReviewDecisionEnum;
  @Field(() => RateScalar, { nullable: true }) rebateRate?: Dec | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

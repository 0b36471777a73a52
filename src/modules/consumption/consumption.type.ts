import { Field, InputType, Int, ObjectType } from 'type-graphql';
import type { Dec } from '../../shared/money';
import { DateScalar, MoneyScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';

@InputType('ConsumptionRecordInput')
export class ConsumptionRecordInput {
  @Field(() => String) billingAccountId: string;
  @Field(() => DateScalar) date: string;
  @Field(() => String) serviceId: string;
  @Field(() => String) cloudId: string;
  @Field(() => String) folderId: string;
  @Field(() => MoneyScalar) cost: Dec;
  @Field(() => MoneyScalar, { nullable: true }) grantCredit?: Dec | null;
}

@InputType('RecordConsumptionInput')
export class RecordConsumptionInput {
  @Field(() => String) batchId: string;
  @Field(() => [ConsumptionRecordInput]) records: ConsumptionRecordInput[];
}

@ObjectType('RecordConsumptionPayload')
export class RecordConsumptionPayload {
  @Field(() => Int) accepted: number;
  @Field(() => Boolean) duplicate: boolean;
  @Field(() => [UserError]) userErrors: UserError[];
}

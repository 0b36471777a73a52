import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { Dec } from '../../shared/money';
import { ConnectionType } from '../../shared/pagination';
import { DateTimeScalar, MoneyScalar, MonthScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { NodeInterface } from '../../shared/node';

export enum WithdrawalDestinationEnum {
  BONUS = 'BONUS',
  BANK_ACCOUNT = 'BANK_ACCOUNT',
}
export enum WithdrawalStatusEnum {
  APPLIED = 'APPLIED',
  PENDING = 'PENDING',
  PAID = 'PAID',
  REJECTED = 'REJECTED',
}
export enum WithdrawalSettlementEnum {
  PAID = 'PAID',
  REJECTED = 'REJECTED',
}
registerEnumType(WithdrawalDestinationEnum, { name: 'WithdrawalDestination' });
registerEnumType(WithdrawalStatusEnum, { name: 'WithdrawalStatus' });
registerEnumType(WithdrawalSettlementEnum, { name: 'WithdrawalSettlement' });

/** Fields resolved straight from WithdrawalEntity; partner and bankAccount are field resolvers. */
@ObjectType('Withdrawal', { implements: NodeInterface })
export class WithdrawalType {
  @Field(() => ID) id: string;
  @Field(() => MoneyScalar) amount: Dec;
  @Field(() => WithdrawalDestinationEnum) destination: WithdrawalDestinationEnum;
  @Field(() => WithdrawalStatusEnum) status: WithdrawalStatusEnum;
  @Field(() => String, { nullable: true }) statusReason: string | null;
  @Field(() => MonthScalar, { nullable: true, description: 'For BONUS: the invoice month it reduces.' }) month: string | null;
  @Field(() => String, { nullable: true }) paymentReference: string | null;
  @Field(() => DateTimeScalar) createdAt: Date;
}

export const WithdrawalConnection = ConnectionType('Withdrawal', WithdrawalType);

@InputType('WithdrawRebateInput')
export class WithdrawRebateInput {
  @Field(() => ID) partnerId: string;
  @Field(() => MoneyScalar) amount: Dec;
  @Field(() => WithdrawalDestinationEnum) destination: WithdrawalDestinationEnum;
  @Field(() => String, { description: 'Unique per partner, kept forever: the same key with the same input returns the first result and moves no money again.' })
  idempotencyKey: string;
}

@InputType('SettleWithdrawalInput')
export class SettleWithdrawalInput {
  @Field(() => ID) withdrawalId: string;
  @Field(() => WithdrawalSettlementEnum) decision: WithdrawalSettlementEnum;
  @Field(() => String, { nullable: true }) paymentReference?: string | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@ObjectType('WithdrawalPayload')
export class WithdrawalPayload {
  @Field(() => WithdrawalType, { nullable: true }) withdrawal?: WithdrawalType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

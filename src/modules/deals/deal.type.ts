import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination';
import { DateScalar, DateTimeScalar, MoneyScalar, RateScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { NodeInterface } from '../../shared/node';

export enum DealStatusEnum {
  SUBMITTED = 'SUBMITTED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  ENDED = 'ENDED',
}
registerEnumType(DealStatusEnum, { name: 'DealStatus' });

/**
 * Fields resolved straight from DealEntity (graphql-js's default resolver: simpleResolvers, no per-field wrapper);
 * partner, customer and submittedAt are field resolvers.
 */
@ObjectType('Deal', { implements: NodeInterface, simpleResolvers: true })
export class DealType {
  @Field(() => ID) id: string;
  @Field(() => String) customerInn: string;
  @Field(() => String) customerName: string;
  @Field(() => MoneyScalar) targetMonthlyConsumption: unknown;
  @Field(() => Boolean) procurement: boolean;
  @Field(() => DateScalar, { nullable: true }) contractEndsOn: string | null;
  @Field(() => String) description: string;
  @Field(() => DealStatusEnum) status: DealStatusEnum;
  @Field(() => String, { nullable: true }) statusReason: string | null;
  @Field(() => RateScalar, { nullable: true }) bonusRate: unknown;
  @Field(() => DateTimeScalar, { nullable: true }) approvedAt: Date | null;
  @Field(() => DateScalar, { nullable: true }) linkDeadline: string | null;
  @Field(() => DateScalar, { nullable: true }) activatedOn: string | null;
  @Field(() => DateScalar, { nullable: true }) endedOn: string | null;
}

export const DealConnection = ConnectionType('Deal', DealType);

@ObjectType('DealPayload')
export class DealPayload {
  @Field(() => DealType, { nullable: true }) deal?: DealType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

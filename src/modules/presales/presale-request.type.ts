import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination';
import { DateScalar, DateTimeScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { NodeInterface } from '../../shared/node';

export enum PresaleStatusEnum {
  NEW = 'NEW',
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  DECLINED = 'DECLINED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(PresaleStatusEnum, { name: 'PresaleStatus' });

/** Fields resolved straight from PresaleRequestEntity; partner, deal, project and overdue are field resolvers. */
@ObjectType('PresaleRequest', { implements: NodeInterface })
export class PresaleRequestType {
  @Field(() => ID) id: string;
  @Field(() => String) customerName: string;
  @Field(() => String, { nullable: true }) customerInn: string | null;
  @Field(() => [String]) products: string[];
  @Field(() => String) description: string;
  @Field(() => PresaleStatusEnum) status: PresaleStatusEnum;
  @Field(() => String, { nullable: true }) statusReason: string | null;
  @Field(() => String, { nullable: true }) assignee: string | null;
  @Field(() => DateTimeScalar) createdAt: Date;
  @Field(() => DateScalar) respondBy: string;
}

export const PresaleRequestConnection = ConnectionType('PresaleRequest', PresaleRequestType);

@InputType('SubmitPresaleRequestInput')
export class SubmitPresaleRequestInput {
  @Field(() => ID) partnerId: string;
  @Field(() => String) customerName: string;
  @Field(() => String, { nullable: true }) customerInn?: string | null;
  @Field(() => ID, { nullable: true }) dealId?: string | null;
  @Field(() => ID, { nullable: true }) projectId?: string | null;
  @Field(() => [String]) products: string[];
  @Field(() => String) description: string;
}

@InputType('UpdatePresaleRequestInput')
export class UpdatePresaleRequestInput {
  @Field(() => ID) presaleRequestId: string;
  @Field(() => PresaleStatusEnum) status: PresaleStatusEnum;
  @Field(() => String, { nullable: true }) assignee?: string | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@ObjectType('PresaleRequestPayload')
export class PresaleRequestPayload {
  @Field(() => PresaleRequestType, { nullable: true }) presaleRequest?: PresaleRequestType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

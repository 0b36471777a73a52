import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination';
import { DateTimeScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { NodeInterface } from '../../shared/node';

export enum CustomerStatusEnum {
  ACCEPTANCE_REQUIRED = 'ACCEPTANCE_REQUIRED',
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  INACTIVE = 'INACTIVE',
}
registerEnumType(CustomerStatusEnum, { name: 'CustomerStatus' });

@ObjectType('Customer', { implements: NodeInterface })
export class CustomerType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String) inn: string;
  @Field(() => String) billingAccountId: string;
  @Field(() => CustomerStatusEnum) status: CustomerStatusEnum;
  @Field(() => DateTimeScalar, { nullable: true }) linkedAt: Date | null;
  @Field(() => DateTimeScalar) createdAt: Date;
}

export const CustomerConnection = ConnectionType('Customer', CustomerType);

@InputType('CreateSubaccountInput')
export class CreateSubaccountInput {
  @Field(() => ID) partnerId: string;
  @Field(() => String) name: string;
  @Field(() => String) inn: string;
  @Field(() => String) billingAccountId: string;
}

@InputType('CustomerIdInput')
export class CustomerIdInput {
  @Field(() => ID) customerId: string;
}

@ObjectType('CustomerPayload')
export class CustomerPayload {
  @Field(() => CustomerType, { nullable: true }) customer?: CustomerType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

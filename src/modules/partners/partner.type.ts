import { Field, ID, ObjectType } from 'type-graphql';
import { PartnerLevelEnum, PartnerStatusEnum, PaymentModeEnum, SpecializationEnum } from '../../shared/enums';
import { ConnectionType } from '../../shared/pagination';
import { DateScalar, DateTimeScalar, MoneyScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { NodeInterface } from '../../shared/node';

@ObjectType('BankAccount')
export class BankAccountType {
  @Field(() => String) bic: string;
  @Field(() => String) accountNumber: string;
  @Field(() => String, { nullable: true }) bankName: string | null;
}

@ObjectType('PartnerSpecialization')
export class PartnerSpecializationType {
  @Field(() => SpecializationEnum) specialization: SpecializationEnum;
  @Field(() => PartnerLevelEnum) level: PartnerLevelEnum;
  @Field(() => DateScalar) activeFrom: string;
  @Field(() => DateScalar, { nullable: true }) activeTo: string | null;
}

/** Fields resolved straight from PartnerEntity; relations are field resolvers in the modules that own them. */
@ObjectType('Partner', { implements: NodeInterface })
export class PartnerType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String) inn: string;
  @Field(() => String) ownBillingAccountId: string;
  @Field(() => PartnerStatusEnum) status: PartnerStatusEnum;
  @Field(() => String, { nullable: true }) statusReason: string | null;
  @Field(() => PartnerLevelEnum) level: PartnerLevelEnum;
  @Field(() => PaymentModeEnum) paymentMode: PaymentModeEnum;
  @Field(() => MoneyScalar, { nullable: true }) billingThreshold: unknown;
  @Field(() => DateScalar, { nullable: true }) quitEffectiveOn: string | null;
  @Field(() => DateTimeScalar) createdAt: Date;
}

export const PartnerConnection = ConnectionType('Partner', PartnerType);

@ObjectType('PartnerPayload')
export class PartnerPayload {
  @Field(() => PartnerType, { nullable: true }) partner?: PartnerType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@ObjectType('ApplyForPartnerStatusPayload')
export class ApplyForPartnerStatusPayload {
  @Field(() => PartnerType, { nullable: true }) partner?: PartnerType | null;
  @Field(() => String, { nullable: true, description: 'Owner token, shown once.' }) ownerToken?: string | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

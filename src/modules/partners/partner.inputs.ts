import { Field, ID, InputType } from 'type-graphql';
import { PartnerLevelEnum, PaymentModeEnum, ReviewDecisionEnum, SpecializationEnum } from '../../shared/enums';
import type { Dec } from '../../shared/money';
import { DateScalar, MoneyScalar } from '../../shared/scalars';

@InputType('ApplyForPartnerStatusInput')
export class ApplyForPartnerStatusInput {
  @Field(() => String) name: string;
  @Field(() => String) inn: string;
  @Field(() => String) ownBillingAccountId: string;
  @Field(() => PaymentModeEnum) paymentMode: PaymentModeEnum;
  @Field(() => String) contactEmail: string;
}

@InputType('ReviewPartnerApplicationInput')
export class ReviewPartnerApplicationInput {
  @Field(() => ID) partnerId: string;
  @Field(() => ReviewDecisionEnum) decision: ReviewDecisionEnum;
  @Field(() => String, { nullable: true }) reason?: string | null;
  @Field(() => PartnerLevelEnum, { nullable: true }) level?: PartnerLevelEnum | null;
}

@InputType('BankAccountInput')
export class BankAccountInput {
  @Field(() => String) bic: string;
  @Field(() => String) accountNumber: string;
  @Field(() => String, { nullable: true }) bankName?: string | null;
}

@InputType('UpdatePartnerProfileInput')
export class UpdatePartnerProfileInput {
  @Field(() => ID) partnerId: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => PaymentModeEnum, { nullable: true }) paymentMode?: PaymentModeEnum | null;
  @Field(() => MoneyScalar, { nullable: true }) billingThreshold?: Dec | null;
  @Field(() => BankAccountInput, { nullable: true }) bankAccount?: BankAccountInput | null;
}

@InputType('GiveQuitNoticeInput')
export class GiveQuitNoticeInput {
  @Field(() => ID) partnerId: string;
  @Field(() => DateScalar) effectiveOn: string;
}

@InputType('WithdrawQuitNoticeInput')
export class WithdrawQuitNoticeInput {
  @Field(() => ID) partnerId: string;
}

@InputType('RevokePartnerStatusInput')
export class RevokePartnerStatusInput {
  @Field(() => ID) partnerId: string;
  @Field(() => String) reason: string;
}

@InputType('SetPartnerSpecializationInput')
export class SetPartnerSpecializationInput {
  @Field(() => ID) partnerId: string;
  @Field(() => SpecializationEnum) specialization: SpecializationEnum;
  @Field(() => PartnerLevelEnum) level: PartnerLevelEnum;
  @Field(() => DateScalar) activeFrom: string;
  @Field(() => DateScalar, { nullable: true }) activeTo?: string | null;
}

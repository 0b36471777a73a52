import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { canReadPartner, requireAdmin, requirePartnerRead, requirePartnerRole, requireViewer } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
import { PartnerStatusEnum } from '../../shared/enums';
import { forbidden } from '../../shared/errors';
import { PageArgs } from '../../shared/pagination';
import { ApiTokenType } from '../access/api-token.type';
import {
  ApplyForPartnerStatusInput,
  GiveQuitNoticeInput,
  ReviewPartnerApplicationInput,
  RevokePartnerStatusInput,
  SetPartnerSpecializationInput,
  UpdatePartnerProfileInput,
  WithdrawQuitNoticeInput,
} from './partner.inputs';
import { PartnerEntity } from './partner.entity';
import { ApplyForPartnerStatusPayload, BankAccountType, PartnerConnection, PartnerPayload, PartnerSpecializationType, PartnerType } from './partner.type';

@ArgsType()
class PartnersArgs extends PageArgs {
  @Field(() => PartnerStatusEnum, { nullable: true }) status?: PartnerStatusEnum;
}

const partnerPayload = (partner: PartnerEntity) => ({ partner });

@Resolver(() => PartnerType)
export class PartnerResolver {
  @Query(() => PartnerType, { nullable: true })
  async partner(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext, @Info() info: GraphQLResolveInfo): Promise<PartnerEntity | null> {
    requirePartnerRead(ctx, id);
    // A dashboard (balance, subaccounts, deals), a ledger page or an invoice: one statement (partner-reads.ts).
    return ctx.app.partnerReads.read(id, info, ctx, (partnerId) => ctx.loaders.partner.load(partnerId));
  }

  @Query(() => PartnerConnection, { description: 'ADMIN only.' })
  async partners(@Args(() => PartnersArgs) args: PartnersArgs, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return ctx.app.partners.list(args.status, args);
  }

  @FieldResolver(() => BankAccountType, { nullable: true })
  bankAccount(@Root() partner: PartnerEntity): BankAccountType | null {
    if (!partner.bankBic || !partner.bankAccountNumber) return null;
    return { bic: partner.bankBic, accountNumber: partner.bankAccountNumber, bankName: partner.bankName };
  }

  @FieldResolver(() => [PartnerSpecializationType])
  specializations(@Root() partner: PartnerEntity, @Ctx() ctx: AppContext) {
    return ctx.loaders.specializations.load(partner.id);
  }

  @FieldResolver(() => [ApiTokenType])
  apiTokens(@Root() partner: PartnerEntity, @Ctx() ctx: AppContext) {
    const viewer = requireViewer(ctx);
    if (!canReadPartner(viewer, partner.id) || !['ADMIN', 'PARTNER_OWNER'].includes(viewer.role)) {
      throw forbidden('Only ADMIN and the partner owner see API tokens');
    }
    return ctx.loaders.apiTokens.load(partner.id);
  }

  @Mutation(() => ApplyForPartnerStatusPayload)
  applyForPartnerStatus(@Arg('input', () => ApplyForPartnerStatusInput) input: ApplyForPartnerStatusInput, @Ctx() ctx: AppContext) {
    return toPayload(
      () => ctx.app.partners.apply(input),
      (r) => r,
    );
  }

  @Mutation(() => PartnerPayload)
  reviewPartnerApplication(@Arg('input', () => ReviewPartnerApplicationInput) input: ReviewPartnerApplicationInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(() => ctx.app.partners.review(input), partnerPayload);
  }

  @Mutation(() => PartnerPayload)
  updatePartnerProfile(@Arg('input', () => UpdatePartnerProfileInput) input: UpdatePartnerProfileInput, @Ctx() ctx: AppContext) {
    const viewer = requirePartnerRole(ctx, input.partnerId, ['PARTNER_OWNER']);
    if (viewer.role !== 'ADMIN' && (input.paymentMode !== undefined || input.billingThreshold !== undefined)) {
      throw forbidden('Payment mode and billing threshold are set by the provider (ADMIN)');
    }
    return toPayload(() => ctx.app.partners.updateProfile(input), partnerPayload);
  }

  @Mutation(() => PartnerPayload)
  giveQuitNotice(@Arg('input', () => GiveQuitNoticeInput) input: GiveQuitNoticeInput, @Ctx() ctx: AppContext) {
    requirePartnerRole(ctx, input.partnerId, ['PARTNER_OWNER']);
    return toPayload(() => ctx.app.partners.giveQuitNotice(input.partnerId, input.effectiveOn), partnerPayload);
  }

  @Mutation(() => PartnerPayload)
  withdrawQuitNotice(@Arg('input', () => WithdrawQuitNoticeInput) input: WithdrawQuitNoticeInput, @Ctx() ctx: AppContext) {
    requirePartnerRole(ctx, input.partnerId, ['PARTNER_OWNER']);
    return toPayload(() => ctx.app.partners.withdrawQuitNotice(input.partnerId), partnerPayload);
  }

  @Mutation(() => PartnerPayload)
  revokePartnerStatus(@Arg('input', () => RevokePartnerStatusInput) input: RevokePartnerStatusInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(() => ctx.app.partners.revoke(input.partnerId, input.reason), partnerPayload);
  }

  @Mutation(() => PartnerPayload)
  setPartnerSpecialization(@Arg('input', () => SetPartnerSpecializationInput) input: SetPartnerSpecializationInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(() => ctx.app.partners.setSpecialization(input), partnerPayload);
  }
}

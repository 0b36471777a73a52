import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { partnerScope, requireAdmin, requirePartnerRead, requirePartnerRole, requireViewer } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
import { PageArgs } from '../../shared/pagination';
import type { PartnerEntity } from '../partners/partner.entity';
import { BankAccountType, PartnerType } from '../partners/partner.type';
import { WithdrawalEntity } from './withdrawal.entity';
import { SettleWithdrawalInput, WithdrawalConnection, WithdrawalPayload, WithdrawalStatusEnum, WithdrawalType, WithdrawRebateInput } from './withdrawal.type';

@ArgsType()
class PartnerWithdrawalsArgs extends PageArgs {
  @Field(() => WithdrawalStatusEnum, { nullable: true }) status?: WithdrawalStatusEnum;
}

@ArgsType()
class WithdrawalQueueArgs extends PartnerWithdrawalsArgs {
  @Field(() => ID, { nullable: true }) partnerId?: string;
}

const withdrawalPayload = (withdrawal: WithdrawalEntity) => ({ withdrawal });

@Resolver(() => WithdrawalType)
export class WithdrawalResolver {
  @Query(() => WithdrawalType, { nullable: true })
  async withdrawal(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext): Promise<WithdrawalEntity | null> {
    requireViewer(ctx); // authentication before anything is looked up (SPEC §9)
    const withdrawal = await ctx.loaders.withdrawal.load(id);
    if (!withdrawal) return null;
    requirePartnerRead(ctx, withdrawal.partnerId);
    return withdrawal;
  }

  @Query(() => WithdrawalConnection, { description: "Work queues: everything for ADMIN, the viewer's own partner for partner tokens." })
  withdrawals(@Args(() => WithdrawalQueueArgs) args: WithdrawalQueueArgs, @Ctx() ctx: AppContext) {
    const partnerId = partnerScope(ctx, args.partnerId);
    return ctx.app.withdrawals.list(partnerId, args.status, args);
  }

  @FieldResolver(() => PartnerType)
  partner(@Root() withdrawal: WithdrawalEntity, @Ctx() ctx: AppContext) {
    return ctx.loaders.partner.load(withdrawal.partnerId);
  }

  /** BANK_ACCOUNT: the bank details as they were when the payout was requested. */
  @FieldResolver(() => BankAccountType, { nullable: true })
  bankAccount(@Root() withdrawal: WithdrawalEntity): BankAccountType | null {
    if (!withdrawal.bankBic || !withdrawal.bankAccountNumber) return null;
    return { bic: withdrawal.bankBic, accountNumber: withdrawal.bankAccountNumber, bankName: withdrawal.bankName };
  }

  @Mutation(() => WithdrawalPayload)
  withdrawRebate(@Arg('input', () => WithdrawRebateInput) input: WithdrawRebateInput, @Ctx() ctx: AppContext) {
    requirePartnerRole(ctx, input.partnerId, ['PARTNER_OWNER', 'PARTNER_ACCOUNTANT']);
    return toPayload(() => ctx.app.withdrawals.withdraw(input), withdrawalPayload);
  }

  @Mutation(() => WithdrawalPayload)
  settleWithdrawal(@Arg('input', () => SettleWithdrawalInput) input: SettleWithdrawalInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(() => ctx.app.withdrawals.settle(input), withdrawalPayload);
  }
}

@Resolver(() => PartnerType)
export class PartnerWithdrawalsResolver {
  @FieldResolver(() => WithdrawalConnection)
  withdrawals(@Root() partner: PartnerEntity, @Args(() => PartnerWithdrawalsArgs) args: PartnerWithdrawalsArgs, @Ctx() ctx: AppContext) {
    return ctx.app.withdrawals.list(partner.id, args.status, args);
  }
}

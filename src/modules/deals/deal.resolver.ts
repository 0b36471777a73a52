import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { partnerScope, requireAdmin, requirePartnerRead, requirePartnerRole, requireViewer } from '../../graphql/guards';
import { selects } from '../../graphql/selection';
import { toPayload } from '../../graphql/payload';
import { PageArgs, type Connection } from '../../shared/pagination';
import { DateTimeScalar } from '../../shared/scalars';
import type { CustomerEntity } from '../customers/customer.entity';
import { CustomerType } from '../customers/customer.type';
import { isLinked } from '../customers/domain/subaccount-lifecycle';
import type { PartnerEntity } from '../partners/partner.entity';
import { PartnerType } from '../partners/partner.type';
import type { DealEntity } from './deal.entity';
import { dealPage, foldedPartnerDealPage, type DealWithRelations } from './deals.reads';
import { leaveFolded, takeFolded } from '../../graphql/fold';
import type { PartnerFoldPlanner } from '../partners/partner-reads';
import { RegisterDealInput, ReviewDealInput } from './deal.inputs';
import { DealConnection, DealPayload, DealStatusEnum, DealType } from './deal.type';

@ArgsType()
class DealsArgs extends PageArgs {
  @Field(() => DealStatusEnum, { nullable: true }) status?: DealStatusEnum;
}

@ArgsType()
class DealQueueArgs extends DealsArgs {
  @Field(() => ID, { nullable: true }) partnerId?: string;
}

const dealPayload = (deal: DealEntity) => ({ deal });

/** The deals of a page, its partners and Deal.customer handed to their loaders (read with the page when selected). */
function withPrimedRelations(ctx: AppContext, page: Connection<DealWithRelations>): Connection<DealEntity> {
  for (const { node } of page.edges) {
    if (node.partner) ctx.loaders.partner.prime(node.partner.id, node.partner);
    // Read by the loader's rule (the pair's linked subaccount, else its latest; null when there is none).
    if (node.customer !== undefined) ctx.loaders.dealCustomer.prime(`${node.deal.partnerId}|${node.deal.customerInn}`, node.customer);
  }
  return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: e.node.deal })) };
}

async function listDeals(ctx: AppContext, info: GraphQLResolveInfo, partnerId: string | null, args: DealsArgs) {
  const options = {
    withTotal: selects(info, 'totalCount'),
    // A work queue shows each deal's partner and subaccount: read with the page, one statement.
    partners: selects(info, 'edges', 'node', 'partner'),
    customers: selects(info, 'edges', 'node', 'customer'),
  };
  return withPrimedRelations(ctx, await dealPage(ctx.app.sql, { partnerId, status: args.status }, args, options));
}

@Resolver(() => DealType)
export class DealResolver {
  @Query(() => DealType, { nullable: true })
  async deal(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext): Promise<DealEntity | null> {
    requireViewer(ctx); // authentication before anything is looked up (SPEC §9)
    const deal = await ctx.loaders.deal.load(id);
    if (!deal) return null;
    requirePartnerRead(ctx, deal.partnerId);
    return deal;
  }

  @Query(() => DealConnection, { description: "Work queues: everything for ADMIN, the viewer's own partner for partner tokens." })
  deals(@Args(() => DealQueueArgs) args: DealQueueArgs, @Ctx() ctx: AppContext, @Info() info: GraphQLResolveInfo) {
    return listDeals(ctx, info, partnerScope(ctx, args.partnerId), args);
  }

  @FieldResolver(() => PartnerType)
  partner(@Root() deal: DealEntity, @Ctx() ctx: AppContext) {
    return ctx.loaders.partner.load(deal.partnerId);
  }

  /** The partner's linked subaccount with the deal's INN (else its most recent one), or null. */
  @FieldResolver(() => CustomerType, { nullable: true })
  customer(@Root() deal: DealEntity, @Ctx() ctx: AppContext) {
    return ctx.loaders.dealCustomer.load(`${deal.partnerId}|${deal.customerInn}`);
  }

  @FieldResolver(() => DateTimeScalar)
  submittedAt(@Root() deal: DealEntity): Date {
    return deal.createdAt;
  }

  @Mutation(() => DealPayload)
  registerDeal(@Arg('input', () => RegisterDealInput) input: RegisterDealInput, @Ctx() ctx: AppContext) {
    requirePartnerRole(ctx, input.partnerId, ['PARTNER_OWNER']);
    return toPayload(() => ctx.app.deals.register(input), dealPayload);
  }

  @Mutation(() => DealPayload)
  reviewDeal(@Arg('input', () => ReviewDealInput) input: ReviewDealInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(() => ctx.app.deals.review(input), dealPayload);
  }
}

/** Partner.deals folded into partner(id)'s statement (partners/partner-reads.ts). */
export const partnerDealsFold: PartnerFoldPlanner = (field, info) => {
  const args = field.args as DealsArgs;
  const fold = foldedPartnerDealPage(args.status, args, selects({ fieldNodes: [field.node], fragments: info.fragments }, 'totalCount'));
  if (!fold) return null;
  return { key: fold.key, sql: fold.sql, apply: (json, partner, ctx, node) => leaveFolded(ctx, node, partner.id, withPrimedRelations(ctx, fold.decode(json))) };
};

@Resolver(() => PartnerType)
export class PartnerDealsResolver {
  @FieldResolver(() => DealConnection)
  deals(@Root() partner: PartnerEntity, @Args(() => DealsArgs) args: DealsArgs, @Ctx() ctx: AppContext, @Info() info: GraphQLResolveInfo) {
    return takeFolded<Connection<DealEntity>>(ctx, info, partner.id) ?? listDeals(ctx, info, partner.id, args);
  }
}

@Resolver(() => CustomerType)
export class CustomerActiveDealResolver {
  /** The ACTIVE deal covering the subaccount: same partner, same INN, while the subaccount is linked. */
  @FieldResolver(() => DealType, { nullable: true })
  async activeDeal(@Root() customer: CustomerEntity, @Ctx() ctx: AppContext, @Info() info: GraphQLResolveInfo): Promise<DealEntity | null> {
    if (!isLinked(customer.status)) return null;
    // Read with the subaccount's page for this selection (customers.reads.ts, a narrow read), else by the loader.
    const read = takeFolded<DealEntity | null>(ctx, info, customer.id);
    return read !== undefined ? read : ctx.loaders.activeDeal.load(`${customer.partnerId}|${customer.inn}`);
  }
}

import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { partnerScope, requireAdmin, requirePartnerRead, requirePartnerRole, requireViewer } from '../../graphql/guards';
import { plainFields, selectedNames, selects } from '../../graphql/selection';
import { toPayload } from '../../graphql/payload';
import { PageArgs, withNode, type Connection } from '../../shared/pagination';
import { DateTimeScalar } from '../../shared/scalars';
import type { CustomerEntity } from '../customers/customer.entity';
import { CustomerType } from '../customers/customer.type';
import { isLinked } from '../customers/domain/subaccount-lifecycle';
import type { PartnerEntity } from '../partners/partner.entity';
import { PartnerType } from '../partners/partner.type';
import type { DealEntity } from './deal.entity';
import { dealPage, foldedPartnerDealPage, NARROW_FIELDS, type DealWithRelations, type NarrowFields } from './deals.reads';
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

/** On a deal of a page: its partner and Deal.customer when they were read with the page (answered without a loader). */
const READ_WITH = Symbol('relations read with the page');
type PageDeal = DealEntity & { [READ_WITH]?: DealWithRelations };

/**
 * The deals of a page, each holding its partner and Deal.customer when read with the page; whole rows are also
 * handed to their loaders (others in the request may ask for them), partial ones (a narrow read) never.
 */
function withRelations(ctx: AppContext, page: Connection<DealWithRelations>, prime: boolean): Connection<DealEntity> {
  const edges = page.edges.map((edge) => {
    const node = edge.node;
    const deal = node.deal as PageDeal;
    if (node.partner !== undefined || node.customer !== undefined) deal[READ_WITH] = node;
    if (prime && node.partner) ctx.loaders.partner.prime(node.partner.id, node.partner);
    // Read by the loader's rule (the pair's linked subaccount, else its latest; null when there is none).
    if (prime && node.customer !== undefined) ctx.loaders.dealCustomer.prime(`${deal.partnerId}|${deal.customerInn}`, node.customer);
    return withNode(edge, deal as DealEntity);
  });
  return { ...page, edges };
}

/** What a page's nodes select when it is only plain columns of the deal, its partner and Deal.customer; else null. */
function narrowFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): NarrowFields | null {
  const fields: { deal: string[]; partner?: string[]; customer?: string[] } = { deal: [] };
  for (const name of selectedNames(info, 'edges', 'node') ?? []) {
    if (name === 'partner' || name === 'customer') {
      const plain = plainFields(selectedNames(info, 'edges', 'node', name), NARROW_FIELDS[name]);
      if (!plain) return null;
      fields[name] = plain;
    } else if (NARROW_FIELDS.deal.has(name)) fields.deal.push(name);
    else if (name !== 'submittedAt' && name !== '__typename') return null; // submittedAt is the createdAt key
  }
  return fields;
}

async function listDeals(ctx: AppContext, info: GraphQLResolveInfo, partnerId: string | null, args: DealsArgs) {
  const narrow = narrowFields(info);
  const options = {
    withTotal: selects(info, 'totalCount'),
    // A work queue shows each deal's partner and subaccount: read with the page, one statement.
    partners: selects(info, 'edges', 'node', 'partner'),
    customers: selects(info, 'edges', 'node', 'customer'),
    narrow,
  };
  return withRelations(ctx, await dealPage(ctx.app.sql, { partnerId, status: args.status }, args, options), !narrow);
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
  partner(@Root() deal: PageDeal, @Ctx() ctx: AppContext) {
    return deal[READ_WITH]?.partner ?? ctx.loaders.partner.load(deal.partnerId);
  }

  /** The partner's linked subaccount with the deal's INN (else its most recent one), or null. */
  @FieldResolver(() => CustomerType, { nullable: true })
  customer(@Root() deal: PageDeal, @Ctx() ctx: AppContext) {
    const read = deal[READ_WITH];
    if (read?.customer !== undefined) return read.customer;
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
  const selection = { fieldNodes: [field.node], fragments: info.fragments };
  const narrow = narrowFields(selection);
  const fold = foldedPartnerDealPage(args.status, args, selects(selection, 'totalCount'), narrow);
  if (!fold) return null;
  return {
    key: fold.key,
    sql: fold.sql,
    apply: (json, partner, ctx, node) => leaveFolded(ctx, node, partner.id, withRelations(ctx, fold.decode(json), !narrow)),
  };
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

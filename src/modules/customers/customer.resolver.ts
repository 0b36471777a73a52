import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireAdmin, requirePartnerRead, requirePartnerRole, requireViewer } from '../../graphql/guards';
import { plainFields, selectedNames, selects } from '../../graphql/selection';
import { toPayload } from '../../graphql/payload';
import { DomainError } from '../../shared/domain-error';
import { forbidden } from '../../shared/errors';
import { PageArgs, type Connection } from '../../shared/pagination';
import { MoneyScalar, MonthScalar } from '../../shared/scalars';
import { isUuid } from '../../shared/validation';
import { PartnerEntity } from '../partners/partner.entity';
import { PartnerType } from '../partners/partner.type';
import type { CustomerEntity } from './customer.entity';
import { activeDealRead, foldedCustomerPage, NARROW_DEAL_FIELDS, partnerCustomerPage, type CustomerPageOptions } from './customers.reads';
import { leaveFolded, soleNode, takeFolded } from '../../graphql/fold';
import type { PartnerFoldPlanner } from '../partners/partner-reads';
import { isLinked } from './domain/subaccount-lifecycle';
import { CreateSubaccountInput, CustomerConnection, CustomerIdInput, CustomerPayload, CustomerStatusEnum, CustomerType } from './customer.type';

@ArgsType()
class CustomersArgs extends PageArgs {
  @Field(() => CustomerStatusEnum, { nullable: true }) status?: CustomerStatusEnum;
}

const customerPayload = (customer: CustomerEntity) => ({ customer });

@Resolver(() => CustomerType)
export class CustomerResolver {
  @Query(() => CustomerType, { nullable: true })
  async customer(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext): Promise<CustomerEntity | null> {
    requireViewer(ctx); // authentication before anything is looked up (SPEC §9)
    const customer = await ctx.loaders.customer.load(id);
    if (!customer) return null;
    requirePartnerRead(ctx, customer.partnerId);
    return customer;
  }

  @FieldResolver(() => PartnerType)
  partner(@Root() customer: CustomerEntity, @Ctx() ctx: AppContext) {
    return ctx.loaders.partner.load(customer.partnerId);
  }

  @FieldResolver(() => MoneyScalar, { description: 'Consumption cost attributed to this subaccount in the month.' })
  consumption(@Root() customer: CustomerEntity, @Arg('month', () => MonthScalar) month: string, @Ctx() ctx: AppContext) {
    return ctx.loaders.customerConsumption.load(`${customer.id}|${month}`);
  }

  @Mutation(() => CustomerPayload)
  createSubaccount(@Arg('input', () => CreateSubaccountInput) input: CreateSubaccountInput, @Ctx() ctx: AppContext) {
    requirePartnerRole(ctx, input.partnerId, ['PARTNER_OWNER']);
    return toPayload(() => ctx.app.customers.create(input), customerPayload);
  }

  @Mutation(() => CustomerPayload)
  acceptSubaccountInvitation(@Arg('input', () => CustomerIdInput) input: CustomerIdInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(() => ctx.app.customers.accept(input.customerId), customerPayload);
  }

  @Mutation(() => CustomerPayload)
  async suspendSubaccount(@Arg('input', () => CustomerIdInput) input: CustomerIdInput, @Ctx() ctx: AppContext) {
    return toPayload(async () => {
      await this.authorizeOwner(ctx, input.customerId);
      return ctx.app.customers.suspend(input.customerId);
    }, customerPayload);
  }

  @Mutation(() => CustomerPayload)
  async resumeSubaccount(@Arg('input', () => CustomerIdInput) input: CustomerIdInput, @Ctx() ctx: AppContext) {
    return toPayload(async () => {
      await this.authorizeOwner(ctx, input.customerId);
      return ctx.app.customers.resume(input.customerId);
    }, customerPayload);
  }

  @Mutation(() => CustomerPayload)
  async deleteSubaccount(@Arg('input', () => CustomerIdInput) input: CustomerIdInput, @Ctx() ctx: AppContext) {
    return toPayload(async () => {
      await this.authorizeOwner(ctx, input.customerId);
      return ctx.app.customers.delete(input.customerId);
    }, customerPayload);
  }

  /** The partner owner of the subaccount (or ADMIN); an unknown id is NOT_FOUND whoever asks. */
  private async authorizeOwner(ctx: AppContext, customerId: string): Promise<void> {
    const viewer = requireViewer(ctx);
    if (viewer.role !== 'ADMIN' && viewer.role !== 'PARTNER_OWNER') throw forbidden(`The ${viewer.role} role cannot change subaccounts`);
    const customer = isUuid(customerId) ? await ctx.loaders.customer.load(customerId) : null;
    if (!customer) throw new DomainError('NOT_FOUND', `No subaccount with id ${customerId}`, ['input', 'customerId']);
    requirePartnerRole(ctx, customer.partnerId, ['PARTNER_OWNER']);
  }
}

/**
 * The page's deals for Customer.activeDeal: whole rows to the activeDeal loader; a narrow read (only the fields this
 * selection asks for) to this selection's activeDeal resolver alone. Subaccounts only through their linked state have
 * an active deal (an unlinked one with the same INN must not prime null).
 */
function handDeals(
  ctx: AppContext,
  page: Connection<CustomerEntity>,
  options: CustomerPageOptions & { activeDealNode: FieldNode | null },
): Connection<CustomerEntity> {
  if (!options.activeDeals) return page;
  for (const { node: customer } of page.edges) {
    const deal = activeDealRead(customer);
    if (deal === undefined || !isLinked(customer.status)) continue;
    if (options.narrowDeal) leaveFolded(ctx, options.activeDealNode!, customer.id, deal);
    else ctx.loaders.activeDeal.prime(`${customer.partnerId}|${customer.inn}`, deal);
  }
  return page;
}

function pageOptions(selection: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, status: string | null | undefined) {
  const { fieldNodes, fragments } = selection;
  const activeDealNode = fieldNodes.length === 1 ? soleNode(fieldNodes[0], fragments, 'edges', 'node', 'activeDeal') : null;
  return {
    status,
    withTotal: selects(selection, 'totalCount'),
    // A dashboard shows each subaccount's deal: read with the page, handed to CustomerActiveDealResolver.
    activeDeals: selects(selection, 'edges', 'node', 'activeDeal'),
    narrowDeal: activeDealNode && plainFields(selectedNames({ fieldNodes: [activeDealNode], fragments }), NARROW_DEAL_FIELDS),
    activeDealNode,
  };
}

/** Partner.customers folded into partner(id)'s statement (partners/partner-reads.ts). */
export const partnerCustomersFold: PartnerFoldPlanner = (field, info) => {
  const args = field.args as CustomersArgs;
  const options = pageOptions({ fieldNodes: [field.node], fragments: info.fragments }, args.status);
  const fold = foldedCustomerPage(args, options);
  if (!fold) return null;
  return { key: fold.key, sql: fold.sql, apply: (json, partner, ctx, node) => leaveFolded(ctx, node, partner.id, handDeals(ctx, fold.decode(json), options)) };
};

@Resolver(() => PartnerType)
export class PartnerCustomersResolver {
  @FieldResolver(() => CustomerConnection)
  async customers(@Root() partner: PartnerEntity, @Args(() => CustomersArgs) args: CustomersArgs, @Ctx() ctx: AppContext, @Info() info: GraphQLResolveInfo) {
    const folded = takeFolded<Connection<CustomerEntity>>(ctx, info, partner.id);
    if (folded) return folded;
    const options = pageOptions(info, args.status);
    return handDeals(ctx, await partnerCustomerPage(ctx.app.sql, partner.id, args, options), options);
  }
}

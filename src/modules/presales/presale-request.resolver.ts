import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { partnerScope, requirePartnerRead, requirePartnerRole, requireViewer } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
import { forbidden } from '../../shared/errors';
import { DomainError } from '../../shared/domain-error';
import { PageArgs } from '../../shared/pagination';
import { DealType } from '../deals/deal.type';
import type { PartnerEntity } from '../partners/partner.entity';
import { PartnerType } from '../partners/partner.type';
import { ProjectType } from '../projects/project.type';
import { isOverdue } from './domain/presale-rules';
import { PresaleRequestEntity } from './presale-request.entity';
import {
  PresaleRequestConnection,
  PresaleRequestPayload,
  PresaleRequestType,
  PresaleStatusEnum,
  SubmitPresaleRequestInput,
  UpdatePresaleRequestInput,
} from './presale-request.type';

@ArgsType()
class PresaleRequestsArgs extends PageArgs {
  @Field(() => PresaleStatusEnum, { nullable: true }) status?: PresaleStatusEnum;
}

@ArgsType()
class PresaleQueueArgs extends PresaleRequestsArgs {
  @Field(() => ID, { nullable: true }) partnerId?: string;
}

const presalePayload = (presaleRequest: PresaleRequestEntity) => ({ presaleRequest });

@Resolver(() => PresaleRequestType)
export class PresaleRequestResolver {
  @Query(() => PresaleRequestType, { nullable: true })
  async presaleRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext): Promise<PresaleRequestEntity | null> {
    requireViewer(ctx); // authentication before anything is looked up (SPEC §9)
    const request = await ctx.loaders.presaleRequest.load(id);
    if (!request) return null;
    requirePartnerRead(ctx, request.partnerId);
    return request;
  }

  @Query(() => PresaleRequestConnection)
  presaleRequests(@Args(() => PresaleQueueArgs) args: PresaleQueueArgs, @Ctx() ctx: AppContext) {
    return ctx.app.presales.list(partnerScope(ctx, args.partnerId), args.status, args);
  }

  @FieldResolver(() => PartnerType)
  partner(@Root() request: PresaleRequestEntity, @Ctx() ctx: AppContext) {
    return ctx.loaders.partner.load(request.partnerId);
  }

  @FieldResolver(() => DealType, { nullable: true })
  deal(@Root() request: PresaleRequestEntity, @Ctx() ctx: AppContext) {
    return request.dealId ? ctx.loaders.deal.load(request.dealId) : null;
  }

  @FieldResolver(() => ProjectType, { nullable: true })
  project(@Root() request: PresaleRequestEntity, @Ctx() ctx: AppContext) {
    return request.projectId ? ctx.loaders.project.load(request.projectId) : null;
  }

  /** Read-time: still NEW after the respond-by day (today is the server clock's Moscow date). */
  @FieldResolver(() => Boolean)
  overdue(@Root() request: PresaleRequestEntity, @Ctx() ctx: AppContext): boolean {
    return isOverdue(request.status, request.respondBy, ctx.app.clock.today());
  }

  @Mutation(() => PresaleRequestPayload)
  submitPresaleRequest(@Arg('input', () => SubmitPresaleRequestInput) input: SubmitPresaleRequestInput, @Ctx() ctx: AppContext) {
    requirePartnerRole(ctx, input.partnerId, ['PARTNER_OWNER']);
    return toPayload(() => ctx.app.presales.submit(input), presalePayload);
  }

  /** ADMIN runs the expert workflow; the partner owner may only cancel its NEW request (anything else is FORBIDDEN). */
  @Mutation(() => PresaleRequestPayload)
  updatePresaleRequest(@Arg('input', () => UpdatePresaleRequestInput) input: UpdatePresaleRequestInput, @Ctx() ctx: AppContext) {
    const viewer = requireViewer(ctx);
    // Roles first (SPEC §9: authorization before lookups): only ADMIN and the partner owner ever change a request.
    if (viewer.role !== 'ADMIN' && viewer.role !== 'PARTNER_OWNER') throw forbidden(`The ${viewer.role} role cannot change presale requests`);
    return toPayload(async () => {
      const partnerId = await ctx.app.presales.ownerOf(input.presaleRequestId);
      if (!partnerId) throw new DomainError('NOT_FOUND', `No presale request with id ${input.presaleRequestId}`, ['input', 'presaleRequestId']);
      requirePartnerRole(ctx, partnerId, ['PARTNER_OWNER']);
      return ctx.app.presales.update(input, viewer.role === 'ADMIN' ? 'ADMIN' : 'PARTNER');
    }, presalePayload);
  }
}

@Resolver(() => PartnerType)
export class PartnerPresaleRequestsResolver {
  @FieldResolver(() => PresaleRequestConnection)
  presaleRequests(@Root() partner: PartnerEntity, @Args(() => PresaleRequestsArgs) args: PresaleRequestsArgs, @Ctx() ctx: AppContext) {
    return ctx.app.presales.list(partner.id, args.status, args);
  }
}

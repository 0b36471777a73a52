// Webhook endpoints over GraphQL (SPEC §19). Rights: a partner's endpoints are managed by its PARTNER_OWNER or by
// ADMIN and read also by its PARTNER_ACCOUNTANT and INTEGRATOR tokens (never PARTNER_VIEWER); the provider's
// endpoints (partner null) are ADMIN's only. Another partner's endpoint is FORBIDDEN (null when read).
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { partnerScope, requireViewer } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
import { badUserInput, forbidden } from '../../shared/errors';
import { paginate, pageSize, type Connection } from '../../shared/pagination';
import { isUuid } from '../../shared/validation';
import type { Role } from '../access/api-token.entity';
import type { Viewer } from '../access/viewer';
import { PartnerType } from '../partners/partner.type';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import {
  CreateWebhookEndpointInput,
  DeleteWebhookEndpointPayload,
  ReplayWebhookEndpointInput,
  UpdateWebhookEndpointInput,
  WebhookDeliveryConnection,
  WebhookDeliveryType,
  WebhookEndpointConnection,
  WebhookEndpointIdInput,
  WebhookEndpointPayload,
  WebhookEndpointSecretPayload,
  WebhookEndpointType,
} from './webhook.types';

const READERS: Role[] = ['PARTNER_OWNER', 'PARTNER_ACCOUNTANT', 'INTEGRATOR'];

@ArgsType()
class EndpointsArgs {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => ID, { nullable: true }) partnerId?: string;
}

@ArgsType()
class DeliveriesArgs {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

function requireRole(viewer: Viewer, roles: Role[], action: string): void {
  if (viewer.role !== 'ADMIN' && !roles.includes(viewer.role)) throw forbidden(`The ${viewer.role} role cannot ${action} webhook endpoints`);
}

/** The endpoint's owner side: ADMIN always; a partner token only for its own partner's endpoints. */
function requireEndpointAccess(viewer: Viewer, endpoint: WebhookEndpointEntity): void {
  if (viewer.role === 'ADMIN') return;
  if (endpoint.partnerId === null || endpoint.partnerId !== viewer.partnerId) throw forbidden('This webhook endpoint belongs to another partner');
}

/** Loads an endpoint for a mutation by someone who may manage endpoints; missing → NOT_FOUND userError. */
async function endpointToManage(ctx: AppContext, endpointId: string): Promise<void> {
  const viewer = requireViewer(ctx);
  requireRole(viewer, ['PARTNER_OWNER'], 'manage');
  const endpoint = await ctx.app.webhooks.find(endpointId);
  if (endpoint) requireEndpointAccess(viewer, endpoint);
}

/** Whose endpoint createWebhookEndpoint makes: omitted = the token's partner (ADMIN: the provider); null = the provider. */
function ownerOfNew(viewer: Viewer, requested: string | null | undefined): string | null {
  if (viewer.role === 'ADMIN') return requested ?? null;
  if (requested === null) throw forbidden("Only ADMIN can create the provider's webhook endpoints (partnerId null)");
  if (requested !== undefined && requested !== viewer.partnerId) throw forbidden('Partner tokens manage only their own partner');
  return viewer.partnerId;
}

const CURSOR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|[0-9a-f-]{36}$/;

/** Newest first: keyset over (attempted_at, id) descending. */
async function deliveriesOf(ctx: AppContext, endpointId: string, args: DeliveriesArgs): Promise<Connection<WebhookDeliveryEntity>> {
  const size = pageSize(args.first);
  const qb = ctx.app.ds.manager.createQueryBuilder(WebhookDeliveryEntity, 'd').where('d.endpointId = :endpointId', { endpointId });
  const totalCount = await qb.clone().getCount();
  if (args.after != null) {
    const decoded = Buffer.from(args.after, 'base64url').toString('utf8');
    if (!CURSOR.test(decoded) || Number.isNaN(Date.parse(decoded.slice(0, 24)))) throw badUserInput('after is not a cursor this API issued');
    const [at, id] = decoded.split('|');
    qb.andWhere('(d.attemptedAt, d.id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))', { at, id });
  }
  const rows = await qb.orderBy('d.attemptedAt', 'DESC').addOrderBy('d.id', 'DESC').take(size + 1).getMany();
  const edges = rows.slice(0, size).map((node) => ({ cursor: Buffer.from(`${node.attemptedAt.toISOString()}|${node.id}`).toString('base64url'), node }));
  return { edges, totalCount, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
}

@Resolver(() => WebhookDeliveryType)
export class WebhookDeliveryResolver {
  @FieldResolver(() => String, { description: 'The event\'s sequence (also the webhook-id header); "0" for a WEBHOOK_TEST message.' })
  sequence(@Root() delivery: WebhookDeliveryEntity): string {
    return delivery.sequence ?? '0';
  }
}

@Resolver(() => WebhookEndpointType)
export class WebhookEndpointResolver {
  @Query(() => WebhookEndpointConnection, { description: "SPEC §19: ADMIN sees every endpoint (partnerId filters), a partner token its own partner's." })
  webhookEndpoints(@Args(() => EndpointsArgs) args: EndpointsArgs, @Ctx() ctx: AppContext) {
    requireRole(requireViewer(ctx), READERS, 'read');
    const partnerId = partnerScope(ctx, args.partnerId);
    const qb = ctx.app.ds.manager.createQueryBuilder(WebhookEndpointEntity, 'w');
    if (partnerId) qb.andWhere(isUuid(partnerId) ? 'w.partnerId = :partnerId' : 'false', { partnerId });
    return paginate(qb, args);
  }

  @Query(() => WebhookEndpointType, { nullable: true })
  async webhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext): Promise<WebhookEndpointEntity | null> {
    const viewer = requireViewer(ctx);
    requireRole(viewer, READERS, 'read');
    const endpoint = await ctx.app.webhooks.find(id);
    if (!endpoint) return null;
    requireEndpointAccess(viewer, endpoint);
    return endpoint;
  }

  @FieldResolver(() => PartnerType, { nullable: true, description: "Null for a provider-wide endpoint (every partner's events)." })
  partner(@Root() endpoint: WebhookEndpointEntity, @Ctx() ctx: AppContext) {
    return endpoint.partnerId ? ctx.loaders.partner.load(endpoint.partnerId) : null;
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Newest first.' })
  deliveries(@Root() endpoint: WebhookEndpointEntity, @Args(() => DeliveriesArgs) args: DeliveriesArgs, @Ctx() ctx: AppContext) {
    return deliveriesOf(ctx, endpoint.id, args);
  }

  @Mutation(() => WebhookEndpointSecretPayload)
  createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput, @Ctx() ctx: AppContext) {
    const viewer = requireViewer(ctx);
    requireRole(viewer, ['PARTNER_OWNER'], 'manage');
    const partnerId = ownerOfNew(viewer, input.partnerId);
    return toPayload(() => ctx.app.webhooks.create({ ...input, partnerId }), (created) => created);
  }

  @Mutation(() => WebhookEndpointPayload)
  async updateWebhookEndpoint(@Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(() => ctx.app.webhooks.update(input), (endpoint) => ({ endpoint }));
  }

  @Mutation(() => WebhookEndpointSecretPayload)
  async rotateWebhookSecret(@Arg('input', () => WebhookEndpointIdInput) input: WebhookEndpointIdInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(() => ctx.app.webhooks.rotate(input.endpointId), (rotated) => rotated);
  }

  @Mutation(() => DeleteWebhookEndpointPayload)
  async deleteWebhookEndpoint(@Arg('input', () => WebhookEndpointIdInput) input: WebhookEndpointIdInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(() => ctx.app.webhooks.delete(input.endpointId), (deletedEndpointId) => ({ deletedEndpointId }));
  }

  @Mutation(() => WebhookEndpointPayload)
  async replayWebhookEndpoint(@Arg('input', () => ReplayWebhookEndpointInput) input: ReplayWebhookEndpointInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(() => ctx.app.webhooks.replay(input.endpointId, input.after), (endpoint) => ({ endpoint }));
  }

  @Mutation(() => WebhookEndpointPayload)
  async sendTestWebhook(@Arg('input', () => WebhookEndpointIdInput) input: WebhookEndpointIdInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(() => ctx.app.webhooks.sendTest(input.endpointId), (endpoint) => ({ endpoint }));
  }
}

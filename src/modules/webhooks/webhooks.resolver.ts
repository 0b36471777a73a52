// Webhook endpoints over GraphQL (SPEC §19). Rights: a partner's endpoints are managed by its PARTNER_OWNER or by
// ADMIN and read also by its PARTNER_ACCOUNTANT and INTEGRATOR tokens (never PARTNER_VIEWER); the provider's
// endpoints (partner null) are ADMIN's only. Another partner's endpoint is FORBIDDEN (null when read).
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { partnerScope, requireViewer } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
import { forbidden } from '../../shared/errors';
import { PageArgs } from '../../shared/pagination';
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
class EndpointsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: "ADMIN: only this partner's endpoints; a partner token may pass only its own id." }) partnerId?: string;
}

/** The read rule of SPEC §19, for Query.node too: ADMIN; the partner's owner, accountant and integrator. */
export function requireEndpointRead(viewer: Viewer, endpoint: Pick<WebhookEndpointEntity, 'partnerId'>): void {
  requireRole(viewer, READERS, 'read');
  requireEndpointAccess(viewer, endpoint);
}

function requireRole(viewer: Viewer, roles: Role[], action: string): void {
  if (viewer.role !== 'ADMIN' && !roles.includes(viewer.role)) throw forbidden(`The ${viewer.role} role cannot ${action} webhook endpoints`);
}

/** The endpoint's owner side: ADMIN always; a partner token only for its own partner's endpoints. */
function requireEndpointAccess(viewer: Viewer, endpoint: Pick<WebhookEndpointEntity, 'partnerId'>): void {
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
    return ctx.app.webhooks.endpoints(partnerId, args);
  }

  @Query(() => WebhookEndpointType, {
    nullable: true,
    description: "One webhook endpoint; null when there is none, null with FORBIDDEN when it is not the viewer's.",
  })
  async webhookEndpoint(@Arg('id', () => ID, { description: "The endpoint's id." }) id: string, @Ctx() ctx: AppContext): Promise<WebhookEndpointEntity | null> {
    const viewer = requireViewer(ctx);
    requireRole(viewer, READERS, 'read');
    const endpoint = await ctx.app.webhooks.find(id);
    if (!endpoint) return null;
    requireEndpointRead(viewer, endpoint);
    return endpoint;
  }

  @FieldResolver(() => PartnerType, { nullable: true, description: "Null for a provider-wide endpoint (every partner's events)." })
  partner(@Root() endpoint: WebhookEndpointEntity, @Ctx() ctx: AppContext) {
    return endpoint.partnerId ? ctx.loaders.partner.load(endpoint.partnerId) : null;
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Newest first.' })
  deliveries(@Root() endpoint: WebhookEndpointEntity, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AppContext) {
    return ctx.app.webhooks.deliveries(endpoint.id, args);
  }

  @Mutation(() => WebhookEndpointSecretPayload, {
    description: 'A webhook endpoint for a partner (PARTNER_OWNER or ADMIN) or the provider (ADMIN); its secret is shown once. At most 10 per partner.',
  })
  createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput, @Ctx() ctx: AppContext) {
    const viewer = requireViewer(ctx);
    requireRole(viewer, ['PARTNER_OWNER'], 'manage');
    const partnerId = ownerOfNew(viewer, input.partnerId);
    return toPayload(
      () => ctx.app.webhooks.create({ ...input, partnerId }),
      (created) => created,
    );
  }

  @Mutation(() => WebhookEndpointPayload, {
    description: 'Changes the URL, description or event types; enabled: false disables, true re-enables (delivery resumes from the cursor).',
  })
  async updateWebhookEndpoint(@Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(
      () => ctx.app.webhooks.update(input),
      (endpoint) => ({ endpoint }),
    );
  }

  @Mutation(() => WebhookEndpointSecretPayload, { description: 'A new signing secret, shown once; the previous one also signs for 24 hours.' })
  async rotateWebhookSecret(@Arg('input', () => WebhookEndpointIdInput) input: WebhookEndpointIdInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(
      () => ctx.app.webhooks.rotate(input.endpointId),
      (rotated) => rotated,
    );
  }

  @Mutation(() => DeleteWebhookEndpointPayload, { description: 'Deletes the endpoint and its delivery history.' })
  async deleteWebhookEndpoint(@Arg('input', () => WebhookEndpointIdInput) input: WebhookEndpointIdInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(
      () => ctx.app.webhooks.delete(input.endpointId),
      (deletedEndpointId) => ({ deletedEndpointId }),
    );
  }

  @Mutation(() => WebhookEndpointPayload, { description: 'Moves the cursor back to `after`; every event after it is sent again, with the same webhook-id.' })
  async replayWebhookEndpoint(@Arg('input', () => ReplayWebhookEndpointInput) input: ReplayWebhookEndpointInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(
      () => ctx.app.webhooks.replay(input.endpointId, input.after),
      (endpoint) => ({ endpoint }),
    );
  }

  @Mutation(() => WebhookEndpointPayload, { description: 'Posts a WEBHOOK_TEST message now (not in the stream, no retry) and records the attempt.' })
  async sendTestWebhook(@Arg('input', () => WebhookEndpointIdInput) input: WebhookEndpointIdInput, @Ctx() ctx: AppContext) {
    await endpointToManage(ctx, input.endpointId);
    return toPayload(
      () => ctx.app.webhooks.sendTest(input.endpointId),
      (endpoint) => ({ endpoint }),
    );
  }
}

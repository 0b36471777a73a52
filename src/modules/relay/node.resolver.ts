// Query.node / Query.nodes (SPEC §23): any object with an id of its own, by that id. Ids stay what they are — a UUID
// (which table is looked up), a service id, or `<partnerId>:<YYYY-MM>` for an invoice — so no id changes for clients.
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requirePartnerRead, requireViewer } from '../../graphql/guards';
import { MONTH_PATTERN } from '../../shared/dates';
import { badUserInput, forbidden } from '../../shared/errors';
import { asNode, NodeInterface } from '../../shared/node';
import { isUuid } from '../../shared/validation';
import type { WebhookDeliveryEntity } from '../webhooks/webhook-delivery.entity';
import type { WebhookEndpointEntity } from '../webhooks/webhook-endpoint.entity';
import { requireEndpointRead } from '../webhooks/webhooks.resolver';
import { findUuidNodes, type Found } from './node.reads';

const INVOICE_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(\d{4}-\d{2})$/i;
export const MAX_NODES = 100;

/** The partner an object belongs to, for the read check; null: readable by every viewer (services). */
function ownerOf({ typeName, value }: Found): string | null {
  if (typeName === 'Partner') return value.id;
  if (typeName === 'Service') return null;
  return value.partnerId ?? null;
}

function checkRead(ctx: AppContext, found: Found): void {
  const viewer = requireViewer(ctx);
  if (found.typeName === 'ApiToken') {
    // As Partner.apiTokens: ADMIN, or the owner of the token's partner.
    if (viewer.role === 'ADMIN') return;
    if (viewer.role !== 'PARTNER_OWNER' || viewer.partnerId !== found.value.partnerId) throw forbidden('Only ADMIN and the partner owner see API tokens');
    return;
  }
  const owner = ownerOf(found);
  if (owner) requirePartnerRead(ctx, owner);
}

async function resolveOne(ctx: AppContext, id: string, uuids: Map<string, Found>): Promise<object | null> {
  const invoice = INVOICE_ID.exec(id);
  if (invoice) {
    const [, partnerId, month] = invoice;
    if (!MONTH_PATTERN.test(month)) return null;
    requirePartnerRead(ctx, partnerId.toLowerCase());
    const view = await ctx.loaders.invoice.load(`${partnerId.toLowerCase()}|${month}`);
    return view ? asNode('Invoice', view) : null;
  }
  let found: Found | undefined;
  if (isUuid(id)) found = uuids.get(id.toLowerCase());
  else if (id.length <= 100) {
    const service = await ctx.loaders.service.load(id);
    if (service) found = { typeName: 'Service', value: service };
  }
  if (!found) return null;
  if (found.typeName === 'WebhookEndpoint') requireEndpointRead(requireViewer(ctx), found.value as WebhookEndpointEntity);
  else if (found.typeName === 'WebhookDelivery') {
    // Readable as its endpoint is (the endpoint exists: deleting it deletes its deliveries).
    const endpoint = await ctx.app.webhooks.find((found.value as WebhookDeliveryEntity).endpointId);
    requireEndpointRead(requireViewer(ctx), endpoint ?? { partnerId: null });
  } else checkRead(ctx, found);
  return asNode(found.typeName, found.value);
}

@Resolver()
export class NodeResolver {
  @Query(() => NodeInterface, {
    nullable: true,
    description: "Any object with an id of its own, by that id; null when there is none, null with FORBIDDEN when it is another partner's.",
  })
  async node(@Arg('id', () => ID, { description: 'The id, exactly as the object gives it.' }) id: string, @Ctx() ctx: AppContext) {
    requireViewer(ctx);
    return resolveOne(ctx, id, await findUuidNodes(ctx.app.ds, isUuid(id) ? [id] : []));
  }

  @Query(() => [NodeInterface], {
    nullable: 'items',
    description: "Many objects by id (at most 100), in the order asked; each missing one is null, each of another partner's null with FORBIDDEN at its index.",
  })
  async nodes(@Arg('ids', () => [ID], { description: 'Up to 100 ids; repeats are allowed.' }) ids: string[], @Ctx() ctx: AppContext) {
    requireViewer(ctx);
    if (ids.length > MAX_NODES) throw badUserInput(`ids: at most ${MAX_NODES} ids`);
    const uuids = await findUuidNodes(ctx.app.ds, [...new Set(ids.filter(isUuid))]);
    // One promise per item: a rejected one becomes null plus an error at `nodes.<index>`.
    return ids.map((id) => resolveOne(ctx, id, uuids));
  }
}

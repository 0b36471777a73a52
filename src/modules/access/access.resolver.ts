import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireViewer } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
import { ApiTokenPayload, CreateApiTokenInput, CreateApiTokenPayload, RevokeApiTokenInput, ViewerType } from './api-token.type';

@Resolver()
export class AccessResolver {
  @Query(() => ViewerType)
  async viewer(@Ctx() ctx: AppContext) {
    const viewer = requireViewer(ctx);
    return { id: viewer.tokenId ?? 'admin', role: viewer.role, partner: viewer.partnerId ? await ctx.loaders.partner.load(viewer.partnerId) : null };
  }

  @Mutation(() => CreateApiTokenPayload)
  createApiToken(@Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput, @Ctx() ctx: AppContext) {
    const viewer = requireViewer(ctx);
    return toPayload(
      () => ctx.app.access.create(viewer, input),
      (r) => r,
    );
  }

  @Mutation(() => ApiTokenPayload)
  revokeApiToken(@Arg('input', () => RevokeApiTokenInput) input: RevokeApiTokenInput, @Ctx() ctx: AppContext) {
    const viewer = requireViewer(ctx);
    return toPayload(
      () => ctx.app.access.revoke(viewer, input.id),
      (apiToken) => ({ apiToken }),
    );
  }
}

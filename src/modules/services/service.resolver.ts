import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { AppContext } from '../../app/context';
import { requireAdmin, requireViewer } from '../../app/guards';
import { toPayload } from '../../app/payload';
import { ServiceInput, ServicePayload, ServiceType } from './service.type';

@Resolver(() => ServiceType)
export class ServiceResolver {
  @Query(() => [ServiceType])
  services(@Ctx() ctx: AppContext) {
    requireViewer(ctx);
    return ctx.app.services.list();
  }

  @Mutation(() => ServicePayload)
  upsertService(@Arg('input', () => ServiceInput) input: ServiceInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(() => ctx.app.services.upsert(input), (service) => ({ service }));
  }
}

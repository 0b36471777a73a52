import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireAdmin, requireViewer } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
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
    return toPayload(
      () => ctx.app.services.upsert(input),
      (service) => ({ service }),
    );
  }
}

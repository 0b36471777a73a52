import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireAdmin } from '../../graphql/guards';
import { RecordConsumptionInput, RecordConsumptionPayload } from './consumption.type';

@Resolver()
export class ConsumptionResolver {
  @Mutation(() => RecordConsumptionPayload)
  recordConsumption(@Arg('input', () => RecordConsumptionInput) input: RecordConsumptionInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return ctx.app.consumption.record(input.batchId, input.records);
  }
}

import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireAdmin } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
import { DateTimeScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';

@InputType('AdvanceClockInput')
class AdvanceClockInput {
  @Field(() => DateTimeScalar) to: Date;
}

@ObjectType('AdvanceClockPayload')
class AdvanceClockPayload {
  @Field(() => DateTimeScalar, { nullable: true }) now?: Date | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@Resolver()
export class ClockResolver {
  /** Public: the server's current time (SPEC §15). */
  @Query(() => DateTimeScalar, { description: "The server's current time (SPEC §15)." })
  now(@Ctx() ctx: AppContext): Date {
    return ctx.app.clock.now();
  }

  @Mutation(() => AdvanceClockPayload)
  advanceClock(@Arg('input', () => AdvanceClockInput) input: AdvanceClockInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(
      () => ctx.app.advanceClock(input.to),
      (now) => ({ now }),
    );
  }
}

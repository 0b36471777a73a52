// Query.rateLimit (SPEC §18): the rate budget of the token (or client IP) after the current request was charged.
import { Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { RateLimiter } from '../../graphql/rate-limit';
import { DateTimeScalar } from '../../shared/scalars';

@ObjectType('RateLimit', { description: 'The rate-limit budget of the token making the request (of its client IP without a token).' })
export class RateLimitType {
  @Field(() => Int, { description: 'Points per hour.' }) limit: number;
  @Field(() => Int, { description: 'Points this request costs: max(1, ceil(cost / 100)).' }) cost: number;
  @Field(() => Int, { description: 'Points left in the current window, after this request.' }) remaining: number;
  @Field(() => Int, { description: 'Points used in the current window, this request included.' }) used: number;
  @Field(() => DateTimeScalar, { description: 'When the window ends and the budget is renewed.' }) resetAt: Date;
}

@Resolver()
export class RateLimitResolver {
  @Query(() => RateLimitType, { description: 'The rate-limit budget after this request (SPEC §18); needs no token.' })
  rateLimit(@Ctx() ctx: AppContext): RateLimitType {
    // Set by the HTTP / WebSocket edge before execution; in-process (tests) there is no edge and nothing is charged.
    const state = ctx.edge?.rateLimit ?? new RateLimiter().peek(new RateLimiter().keyOf(ctx.viewer, 'in-process'));
    return { limit: state.limit, cost: state.cost, remaining: state.remaining, used: state.used, resetAt: state.resetAt };
  }
}

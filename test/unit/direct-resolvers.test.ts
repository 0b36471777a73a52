// directResolvers (src/graphql/direct-resolvers.ts) calls a resolver method without type-graphql's per-call handler
// only where that handler changes nothing: same instance, same root, context, info and arguments (an @Args object
// built as type-graphql builds it), and it leaves the handler wherever it does more (middlewares, input types).
import 'reflect-metadata';
import { graphql, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { Arg, Args, ArgsType, buildSchema, Ctx, Field, FieldResolver, InputType, Int, ObjectType, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import { directResolvers, resolverContainer } from '../../src/graphql/direct-resolvers';

@ObjectType()
class Item {
  @Field() id: string;
}

@ArgsType()
class BaseArgs {
  @Field(() => Int, { nullable: true }) first?: number;
}

@ArgsType()
class ItemArgs extends BaseArgs {
  @Field(() => String, { nullable: true }) tag?: string;
  @Field(() => Int, { nullable: true }) size?: number = 7;
}

@InputType()
class Filter {
  @Field() tag: string;
}

const seen: { args?: unknown; root?: unknown; self?: unknown; context?: unknown }[] = [];
let middlewareCalls = 0;

@Resolver(() => Item)
class ItemResolver {
  @Query(() => Item)
  item(@Arg('id', () => String) id: string): Item {
    return { id };
  }

  @FieldResolver(() => String)
  described(@Root() item: Item, @Ctx() context: { who: string }, @Args(() => ItemArgs) args: ItemArgs): string {
    seen.push({ args, root: item, self: this, context });
    return `${item.id} for ${context.who}: ${JSON.stringify(args)}`;
  }

  @FieldResolver(() => String)
  @UseMiddleware(async (_data, next) => (middlewareCalls++, next()))
  watched(@Root() item: Item, @Ctx() context: { who: string }, @Args(() => ItemArgs) args: ItemArgs): string {
    return `${item.id} for ${context.who}: ${JSON.stringify(args)}`; // as described, through type-graphql's handler
  }

  @FieldResolver(() => String)
  filtered(@Root() item: Item, @Arg('filter', () => Filter) filter: Filter): string {
    return `${item.id}:${filter.tag}:${filter instanceof Filter}`;
  }
}

let schema: GraphQLSchema;
const isHandler = (type: string, field: string) =>
  /getInstance\(resolverMetadata\.target/.test(String((schema.getType(type) as any).getFields()[field].resolve));

beforeAll(async () => {
  schema = directResolvers(await buildSchema({ resolvers: [ItemResolver], validate: false, container: resolverContainer }));
});

describe('direct resolver calls', () => {
  it('calls plain and @Args resolvers directly, and keeps type-graphql for middlewares and input types', () => {
    expect([isHandler('Query', 'item'), isHandler('Item', 'described')]).toEqual([false, false]);
    expect([isHandler('Item', 'watched'), isHandler('Item', 'filtered')]).toEqual([true, true]);
  });

  it('hands the same values as type-graphql: the root as it is, the context, an args instance with its defaults', async () => {
    seen.length = 0;
    const result = await graphql({
      schema,
      source: `{ item(id: "a") { described(first: 2, tag: "x") other: described watched(first: 2, tag: "x") otherWatched: watched
        filtered(filter: { tag: "t" }) } }`,
      contextValue: { who: 'me' },
    });
    expect(result.errors).toBeUndefined();
    const item = result.data!.item as Record<string, string>;
    expect(item).toMatchObject({ described: 'a for me: {"first":2,"tag":"x","size":7}', other: 'a for me: {"size":7}', filtered: 'a:t:true' });
    expect([item.described, item.other]).toEqual([item.watched, item.otherWatched]);
    expect(seen.map((s) => s.args instanceof ItemArgs)).toEqual([true, true]);
    expect(seen[0].root).toEqual({ id: 'a' });
    expect(seen[0].self).toBe(resolverContainer.get(ItemResolver, undefined as never));
    expect(middlewareCalls).toBe(2);
  });
});

import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type BuildSchemaOptions } from 'type-graphql';
import '../shared/enums';
import { applySchemaDocs } from '../graphql/schema-docs';
import { directResolvers, resolverContainer } from '../graphql/direct-resolvers';
import { simplifyPlainFields } from '../graphql/simple-fields';
import { DateTimeScalar } from '../shared/scalars';
import { auditMutations } from '../modules/audit/audit-mutations';
import { recordConsumptionWithoutInputClasses } from '../modules/consumption/consumption.resolver';
import { resolvers } from './resolvers';
import { applyTextRule } from '../graphql/text-rule';

let cached: Promise<GraphQLSchema> | null = null;

export function buildAppSchema(): Promise<GraphQLSchema> {
  if (!cached) {
    cached = buildSchema({
      resolvers: resolvers as unknown as BuildSchemaOptions['resolvers'],
      scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
      validate: false,
      container: resolverContainer, // one instance per resolver class, shared with directResolvers
      emitSchemaFile: false,
      // type-graphql insists on a PubSub once there are subscriptions; ours all have their own `subscribe` (the event
      // bus), so this one must never be used.
      pubSub: {
        publish: () => {
          throw new Error('Subscriptions use the event bus, not a PubSub');
        },
        subscribe: () => {
          throw new Error('Subscriptions use the event bus, not a PubSub');
        },
      },
    })
      .then(simplifyPlainFields) // plain properties read by graphql-js itself, not through type-graphql's wrapper
      .then(directResolvers) // resolver methods called without type-graphql's per-call handler where it changes nothing
      .then(recordConsumptionWithoutInputClasses) // 10,000 input objects a call, not copied into class instances
      .then(applySchemaDocs)
      .then(applyTextRule) // inside the audit wrapper: a refused text input is audited like any refusal
      .then(auditMutations); // every mutation call leaves an audit entry (SPEC §20)
  }
  return cached;
}

/** The committed schema.graphql: sorted, so it diffs cleanly. */
export async function printAppSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildAppSchema())) + '\n';
}

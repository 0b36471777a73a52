// SPEC §23 "Described": every type, field, argument and enum value of the schema has a description.
import { buildClientSchema, getIntrospectionQuery, graphqlSync } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAppSchema } from '../src/app/build-schema';
import { missingDescriptions, staleSchemaDocs } from '../src/graphql/schema-docs';

describe('schema descriptions', () => {
  it('describe every type, field, argument and enum value (walked through introspection, as clients see it)', async () => {
    const schema = await buildAppSchema();
    const introspection = graphqlSync({ schema, source: getIntrospectionQuery({ inputValueDeprecation: true }) });
    expect(introspection.errors).toBeUndefined();
    const seen = buildClientSchema(introspection.data as never);
    const missing = missingDescriptions(seen);
    expect(
      missing,
      `No description on:\n  ${missing.join('\n  ')}\nDescribe them in their decorators ({ description }) or in src/graphql/schema-docs.ts.`,
    ).toEqual([]);
  });

  it('have no catalogue entry naming something the schema lacks (a renamed or removed item)', async () => {
    expect(staleSchemaDocs(await buildAppSchema())).toEqual([]);
  });

  it('really are checked: a schema with a bare field is reported by name', async () => {
    const { buildSchema } = await import('graphql');
    const bare = buildSchema('"A type." type Query { "A field." a(x: Int): Int b: Int }');
    expect(missingDescriptions(bare)).toEqual(['Query.a(x)', 'Query.b']);
  });
});

// type-graphql gives every plain @Field (a property, no @FieldResolver) a resolver of its own that builds a
// resolver-data object and runs the (empty) middleware chain only to read `root[name]`: a closure call per field per
// row. Those fields get graphql-js's default resolver instead (no resolver at all: a property read), which reads the
// same property. Kept: every field with a field resolver, middlewares, roles, or a property name that differs from
// its schema name.
import { isObjectType, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

interface FieldMeta {
  target: object;
  name: string;
  schemaName: string;
  middlewares?: unknown[];
  roles?: unknown[];
}

/** The source text of type-graphql's basic field resolver reads `root[fieldMetadata.name]`. */
const BASIC_RESOLVER = /root\[fieldMetadata\.name\]/;

export function simplifyPlainFields(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage() as unknown as {
    objectTypes: { name: string; target: object; fields?: FieldMeta[] }[];
    fieldResolvers: { methodName: string; getObjectType?: () => object }[];
  };
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const meta of objectType.fields ?? []) {
      const field = fields[meta.schemaName];
      if (!field?.resolve || meta.name !== meta.schemaName || meta.middlewares?.length || meta.roles?.length) continue;
      if (storage.fieldResolvers.some((r) => r.methodName === meta.name && r.getObjectType?.() === meta.target)) continue;
      if (!BASIC_RESOLVER.test(field.resolve.toString())) continue;
      field.resolve = undefined;
    }
  }
  return schema;
}

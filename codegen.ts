// GraphQL Code Generator: reads the committed schema.graphql (never a live server) and types the documents the
// tests use. Run by `npm test` (pretest), so the generated file is never stale.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/documents/**/*.graphql'],
  generates: {
    'test/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        scalars: { Money: 'string', Rate: 'string', Date: 'string', DateTime: 'string', Month: 'string' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
      },
    },
  },
  silent: true,
};

export default config;

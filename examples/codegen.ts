// GraphQL Code Generator for clients of this API (docs/clients.md): the client preset over the committed
// schema.graphql, with the API's scalars mapped to what they are on the wire, so nothing is typed `unknown`.
//   npx graphql-codegen --config examples/codegen.ts
import type { CodegenConfig } from '@graphql-codegen/cli';

/** Every custom scalar is a string on the wire (Money and Rate are exact decimals: never parse them to number). */
export const scalars = {
  Money: { input: 'string', output: 'string' },
  Rate: { input: 'string', output: 'string' },
  Date: { input: 'string', output: 'string' },
  DateTime: { input: 'string', output: 'string' },
  Month: { input: 'string', output: 'string' },
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/**/*.ts', '!examples/generated/**'],
  ignoreNoDocuments: true,
  generates: {
    'examples/generated/': {
      preset: 'client',
      config: {
        scalars,
        strictScalars: true, // a new scalar without a mapping fails the generation instead of becoming `unknown`
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
      },
    },
  },
  silent: true,
};

export default config;

// Depth / cost / alias limits (graphql-armor) for HTTP operations, and the same validation rules for graphql-ws
// documents, which Apollo's plugins never see.
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { specifiedRules, type ValidationRule } from 'graphql';

const armor = new ApolloArmor({
  maxDepth: { n: 12 },
  costLimit: { maxCost: 20000 },
  maxAliases: { n: 30 },
  maxDirectives: { n: 30 },
  maxTokens: { n: 100000 },
  blockFieldSuggestion: { enabled: false },
});

const protection = armor.protect();

export function securityPlugins() {
  return protection.plugins;
}

export const subscriptionValidationRules: ValidationRule[] = [...specifiedRules, ...(protection.validationRules as ValidationRule[])];

/**
 * Operation limits, enforced before anything is sent to Healthie: depth, cost, aliases,
 * directives and tokens (GraphQL Armor). Rejections carry the code QUERY_TOO_COMPLEX.
 *
 * Healthie enforces its own depth (25) and complexity (2000) limits; ours are lower so a rejected
 * operation fails here, cheaply and with a clear message, instead of spending the account's rate
 * budget on a request Healthie would refuse.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';

export const LIMITS = {
  maxDepth: 10,
  maxCost: 2000,
  maxAliases: 30,
  maxDirectives: 20,
  maxTokens: 2000,
} as const;

/** The errors raised by the limits; formatError gives them the QUERY_TOO_COMPLEX code. */
export const limitRejections = new WeakSet<GraphQLError>();

export function limitProtections(options: { production: boolean }) {
  const onReject = [(_context: unknown, error: GraphQLError) => void limitRejections.add(error)];
  const armor = new ApolloArmor({
    maxDepth: { n: LIMITS.maxDepth, onReject, flattenFragments: true },
    costLimit: { maxCost: LIMITS.maxCost, onReject },
    maxAliases: { n: LIMITS.maxAliases, onReject },
    maxDirectives: { n: LIMITS.maxDirectives, onReject },
    maxTokens: { n: LIMITS.maxTokens, onReject },
    // Suggestions only name approved fields, but production clients have no use for them.
    blockFieldSuggestion: { enabled: options.production },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins, validationRules };
}

/**
 * Operation limits, enforced before anything is sent to Healthie: depth, cost, aliases,
 * directives and tokens (GraphQL Armor). Rejections carry the code QUERY_TOO_COMPLEX.
 *
 * Healthie enforces its own depth (25) and complexity (2000) limits; ours are lower so a rejected
 * operation fails here, cheaply and with a clear message, instead of spending the account's rate
 * budget on a request Healthie would refuse.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import { ErrorCode } from '../errors.js';

export const LIMITS = {
  maxDepth: 10,
  maxCost: 2000,
  maxAliases: 30,
  maxDirectives: 20,
  maxTokens: 2000,
} as const;

/**
 * The errors raised by the limits. Apollo Server reports validation and parse failures under its
 * own codes; formatError recognises these (as the `originalError`) and gives them QUERY_TOO_COMPLEX.
 */
export const limitRejections = new WeakSet<GraphQLError>();

/** Validation-time limits report one error each through the validation context. */
function reportRejection(context: ValidationContext | null, error: GraphQLError): void {
  const rejection = new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX },
  });
  limitRejections.add(rejection);
  context?.reportError(rejection);
}

export function limitProtections(options: { production: boolean }) {
  const validation = { onReject: [reportRejection], propagateOnRejection: false };
  const armor = new ApolloArmor({
    maxDepth: { n: LIMITS.maxDepth, flattenFragments: true, ...validation },
    costLimit: { maxCost: LIMITS.maxCost, ...validation },
    maxAliases: { n: LIMITS.maxAliases, ...validation },
    maxDirectives: { n: LIMITS.maxDirectives, ...validation },
    // The token limit runs while parsing, before there is a validation context: it throws.
    maxTokens: { n: LIMITS.maxTokens, onReject: [(_context, error) => void limitRejections.add(error)] },
    // Suggestions only name approved fields, but production clients have no use for them.
    blockFieldSuggestion: { enabled: options.production },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins, validationRules };
}

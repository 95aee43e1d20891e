/**
 * Operation limits, enforced before anything is sent to Healthie: depth, aliases and directives
 * (GraphQL Armor validation rules) and tokens (the parser's own limit, see server.ts); the cost
 * estimate lives in cost.ts. Rejections carry the code QUERY_TOO_COMPLEX. One more validation rule
 * is here, refusing operation types the schema does not serve (GRAPHQL_VALIDATION_FAILED).
 *
 * Healthie enforces its own depth limit (25); ours is lower so a rejected operation fails here,
 * cheaply and with a clear message, instead of spending the account's rate budget on a request
 * Healthie would refuse.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, OperationTypeNode, type ASTVisitor, type ValidationContext } from 'graphql';
import { ErrorCode } from '../errors.js';

export const LIMITS = {
  maxDepth: 10,
  maxAliases: 30,
  maxDirectives: 20,
  maxTokens: 2000,
} as const;

/**
 * The errors raised by the limits. Apollo Server reports validation failures under its own code;
 * formatError recognises these (as the `originalError`) and gives them QUERY_TOO_COMPLEX.
 */
export const limitRejections = new WeakSet<GraphQLError>();

/**
 * What to do about each limit, appended to armor's message (which states the rule and the value
 * found): a refusal should tell the caller how to get an answer.
 */
const FIXES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Query depth limit/, `Select at most ${LIMITS.maxDepth} levels deep, and fetch what lies deeper with a second operation starting from its id.`],
  [/^Aliases limit/, `Use at most ${LIMITS.maxAliases} aliases, and split the operation into several.`],
  [/^Directives limit/, `Use at most ${LIMITS.maxDirectives} directives, and split the operation into several.`],
];

/** Armor's message without its "Syntax Error" prefix, with the fix for its limit. */
export function limitMessage(message: string): string {
  const stated = message.replace(/^Syntax Error: /, '');
  const fix = FIXES.find(([rule]) => rule.test(stated))?.[1];
  return fix ? `${stated} ${fix}` : stated;
}

/** The parser's refusal of a document over `parseOptions.maxTokens`, restated with its fix. */
export const TOKEN_LIMIT_MESSAGE = `The document has more than ${LIMITS.maxTokens} tokens, this subgraph's limit. Send a shorter document: drop unused fields and fragments, or split the operation into several.`;

/** Each limit reports one error through the validation context (armor prefixes "Syntax Error"). */
function reportRejection(context: ValidationContext | null, error: GraphQLError): void {
  const rejection = new GraphQLError(limitMessage(error.message), {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX },
  });
  limitRejections.add(rejection);
  context?.reportError(rejection);
}

/**
 * A document nesting lists so deeply that graphql-js's recursive parser runs out of stack before
 * the token limit stops it (a list takes one token a level; where the stack ends depends on the
 * Node version and the call depth): Apollo answers the bare RangeError text as
 * GRAPHQL_PARSE_FAILED, which states no rule and no fix.
 */
export const NESTING_LIMIT_MESSAGE =
  'The document nests lists or input objects too deeply for this subgraph to parse. Nest values less deeply (a few levels is what any argument of this schema takes), or pass the value as a variable.';

export function isNestingOverflow(message: string): boolean {
  return message === 'Maximum call stack size exceeded';
}

/** graphql-js's own message when a document exceeds `parseOptions.maxTokens` (it says "more that"). */
export function isTokenLimitError(message: string): boolean {
  return /Document contains more th(?:an|at) \d+ tokens/.test(message);
}

/**
 * Refuses an operation whose root type the schema does not define (this subgraph serves no
 * subscriptions): the GraphQL specification's "Operation Type Existence" validation rule (since
 * its September 2025 edition; graphql-js 17's KnownOperationTypesRule), which graphql-js 16 does
 * not have. Without it, graphql-js 16 validates such an operation and fails only when executing
 * it, with an unclassified error: an error-level log line any client could write at will.
 *
 * Like every validation rule, it applies to each operation of the document, and a document that
 * fails one rule is not executed at all (the specification validates documents, not operations):
 * a query sent beside a subscription is refused too, even when operationName selects the query.
 * The message says so and names the operation, so the client knows what to remove.
 */
export function servedOperationTypes(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  const served = Object.values(OperationTypeNode).filter((type) => schema.getRootType(type));
  const operations = context.getDocument().definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  return {
    OperationDefinition(node) {
      if (schema.getRootType(node.operation)) return;
      // The client's own text, echoed only in part: a name may be as long as the body allows.
      const name = node.name ? `"${node.name.value.length > 100 ? `${node.name.value.slice(0, 100)}…` : node.name.value}"` : 'without a name';
      const rule = `This subgraph serves no ${node.operation} operations: its schema has no ${node.operation} type, and the document holds a ${node.operation} ${name}.`;
      const fix =
        operations > 1
          ? ` A document is validated as a whole, so it is refused even when operationName selects another of its operations. Remove the ${node.operation} from the document, or send it as a ${served.join(' or a ')}.`
          : ` Send the operation as a ${served.join(' or a ')}.`;
      context.reportError(new GraphQLError(rule + fix, { nodes: node }));
    },
  };
}

export function limitProtections(options: { production: boolean }) {
  const validation = { onReject: [reportRejection], propagateOnRejection: false };
  const armor = new ApolloArmor({
    maxDepth: { n: LIMITS.maxDepth, flattenFragments: true, ...validation },
    // Cost is estimated the way Healthie scores it, in cost.ts.
    costLimit: { enabled: false },
    maxAliases: { n: LIMITS.maxAliases, ...validation },
    maxDirectives: { n: LIMITS.maxDirectives, ...validation },
    // Tokens are limited by the parser itself (Apollo's parseOptions.maxTokens, see server.ts):
    // armor's token plugin parses a second time and turns syntax errors into HTTP 500s.
    maxTokens: { enabled: false },
    // Suggestions only name approved fields, but production clients have no use for them.
    blockFieldSuggestion: { enabled: options.production },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins, validationRules: [...validationRules, servedOperationTypes] };
}

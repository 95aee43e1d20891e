/**
 * Estimates an operation's cost the way Healthie scores complexity, and refuses operations over
 * Healthie's maximum before anything is sent: a refused request still spends the account's rate
 * budget, and Healthie's refusal arrives as an opaque error on one field.
 *
 * The score (graphql-query-complexity, one estimator), following Healthie's documentation: a
 * field costs 1 plus what it selects, and paged fields multiply their selection by the page size.
 * - A field with a `pageSize` argument multiplies by the page size sent, else by its own default
 *   page size (at most 100), else by 100, Healthie's documented default page size.
 * - `_entities` multiplies by the number of representations.
 * - Other lists (e.g. `attendees`) are not paged and count once, as graphql-ruby counts them.
 * - Delegation adds a `__typename` to each object selection, so objects count 1 extra;
 *   introspection costs nothing.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, getNullableType, isCompositeType, isListType, type GraphQLField } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { LRUCache } from 'lru-cache';
import type { SubgraphContext } from '../context.js';
import { ErrorCode, subgraphError } from '../errors.js';
import { HEALTHIE_DEFAULT_PAGE_SIZE, HEALTHIE_MAX_COMPLEXITY } from '../healthie.js';

/** Healthie's own maximum: anything our estimate puts above it, Healthie would refuse. */
export const MAX_COST = HEALTHIE_MAX_COMPLEXITY;
/** Healthie's documented page size for paged fields that do not state one. */
export const DEFAULT_LIST_SIZE = HEALTHIE_DEFAULT_PAGE_SIZE;

function listSize(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  if (field.name === '_entities') return Array.isArray(args.representations) ? args.representations.length : 1;
  const pageSize = field.args.find((arg) => arg.name === 'pageSize');
  if (!pageSize) return 1;
  // `args` has defaults applied, so a declared default shows up as if it had been sent.
  const declared = pageSize.defaultValue;
  if (typeof args.pageSize === 'number' && args.pageSize !== declared) return Math.max(args.pageSize, 0);
  return typeof declared === 'number' ? Math.min(declared, DEFAULT_LIST_SIZE) : DEFAULT_LIST_SIZE;
}

export const healthieCostEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (field.name.startsWith('__') && field.name !== '__typename') return 0;
  const named = getNamedType(field.type);
  if (!isCompositeType(named)) return 1;
  const own = 2; // the field, and the __typename that delegation adds to its selection
  return isListType(getNullableType(field.type)) ? 1 + listSize(field, args) * (own - 1 + childComplexity) : own + childComplexity;
};

/**
 * What of the variables the estimate can depend on: numbers (page sizes), booleans (@include,
 * @skip), nulls and the length of lists (`_entities` representations), never the text of a
 * string. Strings are blanked, so requests that differ only in ids or search text share one entry.
 */
function costSignature(variables: Record<string, unknown> | undefined): string {
  return variables ? JSON.stringify(variables, (_key, value: unknown) => (typeof value === 'string' ? '' : value)) : '';
}

/** Estimates kept per document, operation and cost signature of the variables. */
const COST_CACHE_SIZE = 1000;

export function costLimitPlugin(max = MAX_COST): ApolloServerPlugin<SubgraphContext> {
  // The estimate walks the whole document; routers send the same few documents again and again.
  const estimates = new LRUCache<string, number>({ max: COST_CACHE_SIZE });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, queryHash }) {
          const key = `${queryHash}\u0000${request.operationName ?? ''}\u0000${costSignature(request.variables)}`;
          let cost = estimates.get(key);
          if (cost === undefined) {
            try {
              cost = getComplexity({
                schema,
                query: document,
                variables: request.variables ?? {},
                ...(request.operationName ? { operationName: request.operationName } : {}),
                estimators: [healthieCostEstimator],
              });
            } catch {
              // Variables that do not fit their types: execution reports them as BAD_USER_INPUT.
              return;
            }
            estimates.set(key, cost);
          }
          if (cost > max) {
            throw subgraphError(
              ErrorCode.QUERY_TOO_COMPLEX,
              `Operation cost ${cost} exceeds ${max}, Healthie's complexity limit. Ask for fewer fields, or smaller pages with pageSize (lists without one count as ${DEFAULT_LIST_SIZE} items).`,
              { cost, maxCost: max, http: { status: 400 } },
            );
          }
        },
      };
    },
  };
}

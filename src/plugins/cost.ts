/**
 * Estimates an operation's cost the way Healthie scores complexity, and refuses operations over
 * Healthie's maximum before anything is sent: a refused request still spends the account's rate
 * budget, and Healthie's refusal arrives as an opaque error on one field.
 *
 * Every limit here fails closed and is measured on the operation as Healthie would receive it,
 * with fragments expanded (src/operation/expand.ts): a document's own size says nothing about
 * what a chain of fragments spreading each other describes. In order:
 * 1. the expanded-field bound (MAX_EXPANDED_FIELDS), counted on the fragment graph before
 *    anything is expanded or estimated;
 * 2. the entity-reference budget, counted from the representations sent (before any is fetched);
 * 3. the cost estimate of the expanded operation. Any failure of the estimate refuses the
 *    operation; only variables that do not fit their types are left to execution, which reports
 *    them as BAD_USER_INPUT (decided by coercing them here, never by catching everything).
 *
 * The score (graphql-query-complexity, one estimator), following Healthie's documentation: a
 * field costs 1 plus what it selects, and paged fields multiply their selection by the page size.
 * - Paged fields are connections (`first` / `last`) and, on the unversioned API, lists with `pageSize`.
 *   The page size counted is the one sent when it is 1..HEALTHIE_MAX_PAGE_SIZE; a size not sent,
 *   null, zero or negative, or one Healthie ignores (`pageSize` without `shouldPaginate: true`),
 *   counts as 100, as Healthie counts it. A size over HEALTHIE_MAX_PAGE_SIZE is refused.
 * - `_entities` multiplies by the number of representations.
 * - Other lists (`attendees`, a connection's `nodes` and `edges`) count once per item of their
 *   parent, as graphql-ruby counts them.
 * - Delegation adds a `__typename` to each object selection, so objects count 1 extra;
 *   introspection costs nothing.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getVariableValues,
  isCompositeType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { SubgraphContext } from '../context.js';
import { ErrorCode, subgraphError } from '../errors.js';
import { HEALTHIE_DEFAULT_PAGE_SIZE, HEALTHIE_MAX_COMPLEXITY, HEALTHIE_MAX_PAGE_SIZE } from '../healthie.js';
import { expandedFieldCount, expandOperation, MAX_EXPANDED_FIELDS, selectOperation } from '../operation/expand.js';
import { entityReferenceCount } from '../operation/references.js';
import { MAX_ENTITY_REFERENCES } from '../subgraph/representations.js';

/** Healthie's own maximum: anything our estimate puts above it, Healthie would refuse. */
export const MAX_COST = HEALTHIE_MAX_COMPLEXITY;
/** Healthie's documented page size for paged fields that do not state one. */
export const DEFAULT_LIST_SIZE = HEALTHIE_DEFAULT_PAGE_SIZE;

/** Arguments that set a page size: today's lists (`pageSize`) and connections (`first`, `last`). */
const PAGE_SIZE_ARGUMENTS = ['pageSize', 'first', 'last'] as const;

/** A page over Healthie's maximum: refused, never counted, since Healthie would not serve it. */
export class PageSizeError extends Error {
  constructor(readonly field: string, readonly argument: string, readonly size: number) {
    super(
      `${field}(${argument}: ${size}) asks for more than ${HEALTHIE_MAX_PAGE_SIZE} items, Healthie's largest page. ` +
        `Send ${argument} between 1 and ${HEALTHIE_MAX_PAGE_SIZE} and page through the rest.`,
    );
    this.name = 'PageSizeError';
  }
}

/** Variables that do not fit their declared types: execution reports them as BAD_USER_INPUT. */
export class VariableCoercionError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super('Variables do not fit their types.');
    this.name = 'VariableCoercionError';
  }
}

/** The variables' values after coercion (defaults applied), or VariableCoercionError. */
export function coerceVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 5 });
  if (result.errors) throw new VariableCoercionError(result.errors);
  return result.coerced;
}

/**
 * Whether the caller actually sent `name` on this field: a literal, or a variable with a value.
 * An argument not sent is absent upstream too (delegation does not add schema defaults), so
 * Healthie applies its own default, which its score counts as 100.
 */
function sent(node: FieldNode, name: string, variables: Record<string, unknown>): boolean {
  const argument = node.arguments?.find((a) => a.name.value === name);
  if (!argument) return false;
  if (argument.value.kind === Kind.VARIABLE) return variables[argument.value.name.value] !== undefined;
  return true;
}

/** How many items a paged field is counted for; undefined for a field that is not paged. */
export function pageSizeCounted(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  args: Record<string, unknown>,
  variables: Record<string, unknown>,
): number | undefined {
  const paging = PAGE_SIZE_ARGUMENTS.filter((name) => field.args.some((a) => a.name === name));
  if (paging.length === 0) return undefined;
  let size: number | undefined;
  for (const name of paging) {
    const value = sent(node, name, variables) ? args[name] : undefined;
    if (typeof value !== 'number') continue;
    if (value > HEALTHIE_MAX_PAGE_SIZE) throw new PageSizeError(field.name, name, value);
    if (value > 0) size = Math.max(size ?? 0, value);
  }
  // Healthie applies `page_size` only when `should_paginate` is true (where the field has it).
  const ignored = field.args.some((a) => a.name === 'shouldPaginate') && args.shouldPaginate !== true;
  return size === undefined || ignored ? DEFAULT_LIST_SIZE : size;
}

function estimator(variables: Record<string, unknown>): ComplexityEstimator {
  return ({ field, node, args, childComplexity }) => {
    if (field.name.startsWith('__') && field.name !== '__typename') return 0;
    if (!isCompositeType(getNamedType(field.type))) return 1;
    const own = 2; // the field, and the __typename that delegation adds to its selection
    const items =
      field.name === '_entities'
        ? Array.isArray(args.representations)
          ? args.representations.length
          : 1
        : pageSizeCounted(field, node, args, variables);
    return items === undefined ? own + childComplexity : 1 + items * (own - 1 + childComplexity);
  };
}

/**
 * The cost of one operation (a document holding exactly that operation, fragments expanded) for
 * these raw variables. Pure: the same inputs give the same number, so callers may cache it per
 * document and variables. Throws VariableCoercionError, PageSizeError, or anything the estimate
 * itself throws; callers must treat the last as a refusal.
 */
export function estimateCost(schema: GraphQLSchema, expandedOperation: DocumentNode, variables: Record<string, unknown>): number {
  const operation = selectOperation(expandedOperation);
  if (!operation) throw new Error('estimateCost needs a document with exactly one operation.');
  const coerced = coerceVariables(schema, operation, variables);
  return getComplexity({ schema, query: expandedOperation, variables, estimators: [estimator(coerced)] });
}

const tooComplex = (message: string, extensions: Record<string, unknown> = {}) =>
  subgraphError(ErrorCode.QUERY_TOO_COMPLEX, message, { ...extensions, http: { status: 400 } });

/**
 * Expanded operations (and, for operations without variables, their cost) per parsed document and
 * operation name. Apollo Server reuses the parsed document of a query string it has seen, so
 * repeated operations are expanded and estimated once; the cache dies with the document. The cost
 * of an operation with variables depends on them and is estimated per request.
 */
interface Checked {
  readonly expanded: DocumentNode;
  cost?: number;
}
const checkedOperations = new WeakMap<DocumentNode, Map<string, Checked>>();

export interface CostLimits {
  readonly maxCost?: number;
  readonly maxExpandedFields?: number;
  readonly maxEntityReferences?: number;
  /** The estimate (estimateCost); replaceable so a failing estimate can be shown to fail closed. */
  readonly estimate?: typeof estimateCost;
}

export function costLimitPlugin(limits: CostLimits = {}): ApolloServerPlugin<SubgraphContext> {
  const maxCost = limits.maxCost ?? MAX_COST;
  const maxFields = limits.maxExpandedFields ?? MAX_EXPANDED_FIELDS;
  const maxReferences = limits.maxEntityReferences ?? MAX_ENTITY_REFERENCES;
  const estimate = limits.estimate ?? estimateCost;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, operationName, schema }) {
          // Apollo Server refuses a missing or ambiguous operation before this hook.
          if (!operation) throw tooComplex('The operation to run could not be determined; send operationName.');
          if (expandedFieldCount(document, operation, maxFields) > maxFields) {
            throw tooComplex(
              `Operation has more than ${maxFields} fields once its fragments are expanded, the limit per operation. Select fewer fields, or spread each fragment fewer times.`,
              { maxExpandedFields: maxFields },
            );
          }
          const key = operationName ?? '';
          let byName = checkedOperations.get(document);
          if (!byName) checkedOperations.set(document, (byName = new Map()));
          let checked = byName.get(key);
          if (!checked) byName.set(key, (checked = { expanded: expandOperation(document, operation, maxFields) }));
          const expanded = checked.expanded;
          const cacheable = (operation.variableDefinitions ?? []).length === 0;

          const variables = request.variables ?? {};
          let coerced: Record<string, unknown>;
          try {
            coerced = coerceVariables(schema, operation, variables);
          } catch (error) {
            if (error instanceof VariableCoercionError) return; // execution reports BAD_USER_INPUT
            throw tooComplex('The operation could not be checked against the limits; it was not sent.');
          }
          const references = entityReferenceCount(expanded, coerced);
          if (references > maxReferences) {
            throw tooComplex(
              `This request asks for ${references} entity references; at most ${maxReferences} are resolved per request. Split the references over several requests.`,
              { references, maxEntityReferences: maxReferences },
            );
          }

          let cost: number;
          try {
            cost = cacheable && checked.cost !== undefined ? checked.cost : estimate(schema, expanded, variables);
            if (cacheable) checked.cost = cost;
          } catch (error) {
            if (error instanceof PageSizeError) throw tooComplex(error.message, { maxPageSize: HEALTHIE_MAX_PAGE_SIZE });
            // Fail closed: an operation whose cost cannot be estimated is not sent.
            throw tooComplex(`The cost of this operation could not be estimated, so it was not sent. Select fewer fields or smaller pages (at most ${maxCost}).`, {
              maxCost,
            });
          }
          if (cost > maxCost) {
            throw tooComplex(
              `Operation cost ${cost} exceeds ${maxCost}, Healthie's complexity limit. Ask for fewer fields, or smaller pages with first or last (pages without one count as ${DEFAULT_LIST_SIZE} items).`,
              { cost, maxCost },
            );
          }
        },
      };
    },
  };
}

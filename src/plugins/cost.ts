/**
 * Estimates an operation's cost the way Healthie scores complexity, and refuses operations over
 * Healthie's maximum before anything is sent: a refused request still spends the account's rate
 * budget, and Healthie's refusal arrives as an opaque error on one field.
 *
 * Every limit here fails closed and is measured on the operation as Healthie would receive it,
 * with fragments expanded (src/operation/expand.ts): a document's own size says nothing about
 * what a chain of fragments spreading each other describes. In order:
 * 1. the expanded-field bound (MAX_EXPANDED_FIELDS, and MAX_SELECTIONS_PER_FIELD selections of
 *    every kind per field), counted on the fragment graph before anything is expanded or estimated;
 * 2. the entity-reference budget, counted from the representations sent (before any is fetched);
 * 3. the cost estimate of the expanded operation. Any failure of the estimate refuses the
 *    operation; only variables that do not fit their types are left to execution, which reports
 *    them as BAD_USER_INPUT (decided by coercing them here, never by catching everything), and a
 *    variable sent as null where its argument requires a value is refused as BAD_USER_INPUT (the
 *    estimate fails on exactly that argument, as execution would). A negative `first`/`last`
 *    (scoring.ts) is refused as BAD_USER_INPUT too. A date variable Healthie would refuse is
 *    refused as BAD_USER_INPUT once the variables are coerced (src/operation/date-variables.ts), and so
 *    is an ID variable sent as a number JSON cannot read exactly (src/operation/id-variables.ts).
 *
 * The scoring rules are in src/operation/scoring.ts. `estimateCost` scores the whole document
 * (graphql-query-complexity) and is the definition; requests are scored by the cost plan compiled
 * once per document (src/operation/cost-plan.ts), which gives the same number and the same
 * refusals while reading only the variables the cost depends on. An operation whose plan cannot
 * be compiled is estimated the old way, per request.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { LRUCache } from 'lru-cache';
import type { SubgraphContext } from '../context.js';
import { ErrorCode, subgraphError } from '../errors.js';
import { HEALTHIE_MAX_COMPLEXITY, HEALTHIE_MAX_PAGE_SIZE } from '../healthie.js';
import { compileCostPlan, type CostPlan } from '../operation/cost-plan.js';
import { expandOperation, ExpansionLimitError, MAX_EXPANDED_FIELDS, selectOperation, unresolvedOperationMessage } from '../operation/expand.js';
import { refusedDateVariable } from '../operation/date-variables.js';
import { refusedIdVariable } from '../operation/id-variables.js';
import { compileReferenceCount } from '../operation/references.js';
import { DEFAULT_LIST_SIZE, fieldScore, PageSizeError } from '../operation/scoring.js';
import { coerceVariables, rememberCoercedVariables, VariableCoercionError, variablesSentAsNull } from '../operation/variables.js';
import { MAX_ENTITY_REFERENCES } from '../subgraph/representations.js';

export { DEFAULT_LIST_SIZE, pageSizeCounted, PageSizeError } from '../operation/scoring.js';
export { coerceVariables, coercedVariablesOf, VariableCoercionError } from '../operation/variables.js';

/** Healthie's own maximum: anything our estimate puts above it, Healthie would refuse. */
export const MAX_COST = HEALTHIE_MAX_COMPLEXITY;

function estimator(variables: Record<string, unknown>): ComplexityEstimator {
  return ({ field, node, args, childComplexity }) => fieldScore(field, node, args, childComplexity, variables);
}

/**
 * The cost of one operation (a document holding exactly that operation, fragments expanded) for
 * these raw variables, walking the whole document: the definition the compiled plan is held to.
 * Throws VariableCoercionError, PageSizeError, or anything the estimate itself throws; callers
 * must treat the last as a refusal.
 */
export function estimateCost(schema: GraphQLSchema, expandedOperation: DocumentNode, variables: Record<string, unknown>): number {
  const operation = selectOperation(expandedOperation);
  if (!operation) throw new Error('estimateCost needs a document with exactly one operation.');
  const coerced = coerceVariables(schema, operation, variables);
  return getComplexity({ schema, query: expandedOperation, variables, estimators: [estimator(coerced)] });
}

const tooComplex = (message: string, extensions: Record<string, unknown> = {}) =>
  subgraphError(ErrorCode.QUERY_TOO_COMPLEX, message, { ...extensions, http: { status: 400 } });

/** Apollo Server's own code for this, as its execution would report it (after every plugin). */
const unresolved = (message: string) =>
  new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } } });

/**
 * A variable sent as null where its argument requires a value (see variablesSentAsNull): the
 * client's input, refused as BAD_USER_INPUT like any variable that does not fit, with graphql-js's
 * message naming the argument (never the values).
 */
function sentAsNull(error: GraphQLError, names: readonly string[]): GraphQLError {
  const variables = names.map((name) => `"$${name}"`).join(', ');
  const which = names.length === 1 ? `Variable ${variables} was` : `Variables ${variables} were`;
  const message = `${error.message} ${which} sent as null there, and a default applies only to a variable left out: send a value, or leave the variable out.`;
  return subgraphError(ErrorCode.BAD_USER_INPUT, message, { http: { status: 400 } });
}

/**
 * What is checked once per operation of a document: the checks are compiled on its first request
 * and kept by the document's hash and the operation's name, in an LRU bounded in count and in
 * bytes (CHECKED_OPERATIONS_MAX_BYTES). Apollo's document cache cannot bound it: it weighs a
 * document as written, and a few kilobytes of fragments spreading each other, or seventy named
 * operations in one document, expand to megabytes kept here. The schema is kept to notice a new
 * one.
 */
type Checked = (
  | { readonly schema: GraphQLSchema; readonly refusal: { readonly message: string; readonly extensions: Record<string, unknown> } }
  | {
      readonly schema: GraphQLSchema;
      readonly refusal?: undefined;
      readonly expanded: DocumentNode;
      readonly references: (coerced: Record<string, unknown>) => number;
      /** The compiled cost; undefined when it could not be compiled (estimated per request). */
      readonly plan: CostPlan | undefined;
    }
) & {
  /** Bytes kept, by Apollo Server's estimate of a document (its JSON), twice for the compiled checks. */
  readonly bytes: number;
};

/** Operations whose checks are kept, and the bytes they may keep in all. */
export const CHECKED_OPERATIONS_MAX = 10_000;
export const CHECKED_OPERATIONS_MAX_BYTES = 64 * 1024 * 1024;

export interface CostLimits {
  readonly maxCost?: number;
  readonly maxExpandedFields?: number;
  readonly maxEntityReferences?: number;
  /**
   * An estimate to run per request instead of the compiled plan (the plan is used when none is
   * given); replaceable so a failing estimate can be shown to fail closed.
   */
  readonly estimate?: typeof estimateCost;
  /** The plan compiler (compileCostPlan); replaceable so a failing one can be shown to fail closed. */
  readonly compile?: typeof compileCostPlan;
  /** Bytes the checks kept per operation may take in all (CHECKED_OPERATIONS_MAX_BYTES). */
  readonly maxCheckedBytes?: number;
}

export function costLimitPlugin(limits: CostLimits = {}): ApolloServerPlugin<SubgraphContext> {
  const maxCost = limits.maxCost ?? MAX_COST;
  const maxFields = limits.maxExpandedFields ?? MAX_EXPANDED_FIELDS;
  const maxReferences = limits.maxEntityReferences ?? MAX_ENTITY_REFERENCES;
  const compile = limits.compile ?? compileCostPlan;
  const checkedOperations = new LRUCache<string, Checked>({
    max: CHECKED_OPERATIONS_MAX,
    maxSize: limits.maxCheckedBytes ?? CHECKED_OPERATIONS_MAX_BYTES,
    // An operation too large for the whole bound is checked again on every request.
    sizeCalculation: (checked) => checked.bytes,
  });

  function check(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Checked {
    let expanded: DocumentNode;
    try {
      expanded = expandOperation(document, operation, maxFields); // counts before it builds
    } catch (error) {
      if (!(error instanceof ExpansionLimitError)) throw error;
      const extensions = error.what === 'fields' ? { maxExpandedFields: error.max } : { maxExpandedSelections: error.max };
      return { schema, refusal: { message: error.message, extensions }, bytes: 256 + error.message.length };
    }
    let plan: CostPlan | undefined;
    try {
      plan = limits.estimate ? undefined : compile(schema, expanded);
    } catch {
      plan = undefined; // estimated per request, as every operation was before plans
    }
    return { schema, expanded, references: compileReferenceCount(expanded), plan, bytes: 1024 + 3 * Buffer.byteLength(JSON.stringify(expanded)) };
  }

  // The hooks keep no state of their own per request: one listener serves every request.
  const listener: GraphQLRequestListener<SubgraphContext> = {
    async didResolveOperation({ request, document, operation, schema, queryHash }) {
      // An unknown or ambiguous operationName reaches this hook with no operation; refused here, so
      // that no later hook or execution path has to expect one missing.
      if (!operation) throw unresolved(unresolvedOperationMessage(document, request.operationName));
      const key = `${queryHash}\u0000${operation.name?.value ?? ''}`;
      let checked = checkedOperations.get(key);
      if (!checked || checked.schema !== schema) {
        try {
          checked = check(schema, document, operation);
        } catch {
          throw tooComplex('The operation could not be checked against the limits; it was not sent.');
        }
        checkedOperations.set(key, checked);
      }
      if (checked.refusal) throw tooComplex(checked.refusal.message, checked.refusal.extensions);

      const variables = request.variables ?? {};
      let coerced: Record<string, unknown>;
      try {
        coerced = rememberCoercedVariables(request, coerceVariables(schema, operation, variables));
      } catch (error) {
        if (error instanceof VariableCoercionError) return; // execution reports BAD_USER_INPUT
        throw tooComplex('The operation could not be checked against the limits; it was not sent.');
      }
      // A date Healthie would refuse (and refuse the whole request with) is the client's input.
      const refusedDate = refusedDateVariable(schema, operation, coerced);
      if (refusedDate) throw refusedDate;
      // An ID sent as a number JSON could not read exactly would fetch another id.
      const refusedId = refusedIdVariable(schema, operation, variables);
      if (refusedId) throw refusedId;
      const references = checked.references(coerced);
      if (references > maxReferences) {
        throw tooComplex(
          `This request asks for ${references} entity references; at most ${maxReferences} are resolved per request. Split the references over several requests.`,
          { references, maxEntityReferences: maxReferences },
        );
      }

      let cost: number;
      try {
        cost = checked.plan ? checked.plan.cost(coerced) : (limits.estimate ?? estimateCost)(schema, checked.expanded, variables);
        if (Number.isNaN(cost)) throw new Error('The estimate is not a number.');
      } catch (error) {
        if (error instanceof PageSizeError) {
          if (error.negative) throw subgraphError(ErrorCode.BAD_USER_INPUT, error.message, { http: { status: 400 } });
          throw tooComplex(error.message, { maxPageSize: HEALTHIE_MAX_PAGE_SIZE });
        }
        const nulls = variablesSentAsNull(error, coerced, schema, checked.expanded);
        if (nulls.length > 0) throw sentAsNull(error as GraphQLError, nulls);
        // Fail closed: an operation whose cost cannot be estimated is not sent.
        throw tooComplex(`The cost of this operation could not be estimated, so it was not sent. Select fewer fields or smaller pages (at most ${maxCost}).`, {
          maxCost,
        });
      }
      if (cost > maxCost) {
        throw tooComplex(
          `Operation cost ${cost} exceeds ${maxCost}, Healthie's complexity limit. Ask for fewer fields${references > 0 ? `, fewer entity references (${references} here, each scored as a lookup of its own)` : ''}, or smaller pages with first or last (pages without one count as ${DEFAULT_LIST_SIZE} items).`,
          { cost, maxCost },
        );
      }
    },
  };
  return { requestDidStart: async () => listener };
}

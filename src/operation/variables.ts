/**
 * The request's variables coerced once, against the operation it runs, and offered to every later
 * hook of the same request.
 *
 * Why: the cost check needs the coerced values (defaults applied) to read page sizes and
 * representations, and the planned path needs them again to forward the request. Coercing is
 * graphql-js's `getVariableValues`, a walk over every variable value; doing it once per request is
 * enough. The values are kept per request object (a WeakMap, so they die with the request) and
 * frozen: readers share them and must not change them.
 */
import { getVariableValues, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

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

const coercedByRequest = new WeakMap<object, Readonly<Record<string, unknown>>>();

/** Keeps `coerced` as the coerced variables of `request` (Apollo's request object). */
export function rememberCoercedVariables(request: object, coerced: Record<string, unknown>): Readonly<Record<string, unknown>> {
  const frozen = Object.freeze(coerced);
  coercedByRequest.set(request, frozen);
  return frozen;
}

/**
 * The variables of this request as coerced against its operation (`requestContext.operation`, in
 * the served schema) by the cost check in `didResolveOperation`; undefined when they did not
 * coerce or no check has run, in which case the caller coerces them itself.
 */
export function coercedVariablesOf(requestContext: { readonly request: object }): Readonly<Record<string, unknown>> | undefined {
  return coercedByRequest.get(requestContext.request);
}

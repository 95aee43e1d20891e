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
import { BREAK, getNullableType, getVariableValues, GraphQLError, isInputObjectType, isListType, isNonNullType, Kind, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { ASTNode, DocumentNode, GraphQLInputType, GraphQLSchema, OperationDefinitionNode, ValueNode } from 'graphql';

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
 * The variables sent as null where the argument value `error` was raised for requires a value,
 * when reading that argument (graphql-js's getArgumentValues or getDirectiveValues) failed because
 * of them; an empty list when `error` is anything else, which callers must keep treating as their
 * own failure. `document` is the one the argument was read from: with it, only the variables at
 * a non-null position are named (`b` in `{a: $n, b: $m}` where only `b` is `String!`), not every
 * null inside the value.
 *
 * Why this is the client's input: validation lets a nullable variable stand where a value is
 * required when a default covers its absence (`query($s: Boolean = true) { f @skip(if: $s) }`).
 * Sent as null, it fits its own type, so coercion accepts it, and only reading the argument fails.
 * Once the variables coerced, every other value of the argument is valid (literals are validated,
 * other variables fit their positions), so a failed read of a value holding a variable sent as
 * null failed for that null.
 */
export function variablesSentAsNull(
  error: unknown,
  coerced: Readonly<Record<string, unknown>>,
  schema?: GraphQLSchema,
  document?: DocumentNode,
): string[] {
  if (!(error instanceof GraphQLError) || error.originalError) return [];
  const names = new Set<string>();
  const anywhere = new Set<string>();
  for (const node of error.nodes ?? []) {
    if (!isValue(node)) continue;
    visit(node, { Variable: (variable) => void (coerced[variable.name.value] === null && anywhere.add(variable.name.value)) });
    const type = schema && document ? argumentType(schema, document, node) : undefined;
    if (type) requiredNulls(node, type, coerced, names);
  }
  // Without the argument's type (or a null inside a scalar's literal), every null in the value.
  return [...(names.size > 0 ? names : anywhere)];
}

const isValue = (node: ASTNode): node is ValueNode => node.kind === Kind.VARIABLE || node.kind === Kind.LIST || node.kind === Kind.OBJECT;

/** The type the argument whose value is `value` (that very node) is read as, in `document`. */
function argumentType(schema: GraphQLSchema, document: DocumentNode, value: ValueNode): GraphQLInputType | undefined {
  const typeInfo = new TypeInfo(schema);
  let type: GraphQLInputType | undefined;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if (node.value !== value) return undefined;
        type = typeInfo.getInputType() ?? undefined;
        return BREAK;
      },
    }),
  );
  return type;
}

/** Adds to `names` the variables sent as null in `value` where `type` requires a value, as graphql-js's valueFromAST reads it. */
function requiredNulls(value: ValueNode, type: GraphQLInputType, coerced: Readonly<Record<string, unknown>>, names: Set<string>): void {
  if (value.kind === Kind.VARIABLE) {
    if (isNonNullType(type) && coerced[value.name.value] === null) names.add(value.name.value);
    return;
  }
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // A single value where a list is expected is read as a list of one.
    for (const item of value.kind === Kind.LIST ? value.values : [value]) requiredNulls(item, nullable.ofType, coerced, names);
  } else if (value.kind === Kind.OBJECT && isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    for (const field of value.fields) {
      const definition = fields[field.name.value];
      if (definition) requiredNulls(field.value, definition.type, coerced, names);
    }
  }
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

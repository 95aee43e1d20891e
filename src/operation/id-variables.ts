/**
 * ID variables sent as JSON numbers that JSON cannot read exactly are refused before anything is
 * sent. JSON.parse reads every number as a double: above 2^53 − 1 in size its last digits are
 * lost (12345678901234567890 is read as 12345678901234567000), and graphql-js's ID, which takes
 * any whole number and prints it, would then send Healthie another id: another patient's record.
 * A literal in the document is not affected (ID keeps an integer literal's text as written), nor
 * is a number with a fraction (ID refuses it: BAD_USER_INPUT from coercion). Representations are
 * checked by the `_entities` guard (src/subgraph/representations.ts), per reference.
 *
 * The variables are read as sent (the coerced ones are already strings), along each variable's
 * declared type (lists, input objects, non-null wrappers), once coercion has accepted them, so
 * their shape is the type's. The walk is compiled once per operation; most compile to nothing.
 */
import { getNamedType, GraphQLID, isInputObjectType, isListType, isNonNullType, typeFromAST } from 'graphql';
import type { GraphQLInputType, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { ErrorCode, subgraphError } from '../errors.js';

/** Where within a variable the first inexact number is (`$input.userId`), or undefined. */
type Check = (value: unknown, path: string) => string | undefined;

const compiled = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; checks: ReadonlyArray<readonly [string, Check]> }>();

/** A whole number JSON did not read as sent (Infinity is refused by ID itself). */
const inexact = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);

/** Whether a value of `type` can hold an ID anywhere; input objects may refer to themselves. */
function holdsId(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === GraphQLID.name) return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => holdsId(field.type, seen));
}

function checkOf(type: GraphQLInputType): Check | undefined {
  if (!holdsId(type)) return undefined;
  if (isNonNullType(type)) return checkOf(type.ofType);
  if (isListType(type)) {
    const item = checkOf(type.ofType)!;
    // Coercion takes a single value given for a list as a list of one.
    return (value, path) => {
      if (!Array.isArray(value)) return item(value, path);
      for (let index = 0; index < value.length; index += 1) {
        const found = item(value[index], `${path}[${index}]`);
        if (found !== undefined) return found;
      }
      return undefined;
    };
  }
  if (!isInputObjectType(type)) return (value, path) => (inexact(value) ? path : undefined);
  // Fields are compiled when first used, so a type that refers to itself compiles once per level.
  const fields = Object.values(type.getFields()).filter((field) => holdsId(field.type));
  const checks = new Map<string, Check | undefined>();
  return (value, path) => {
    if (value === null || typeof value !== 'object') return undefined;
    for (const field of fields) {
      const fieldValue = (value as Record<string, unknown>)[field.name];
      if (fieldValue === undefined || !Object.hasOwn(value, field.name)) continue;
      if (!checks.has(field.name)) checks.set(field.name, checkOf(field.type));
      const found = checks.get(field.name)?.(fieldValue, `${path}.${field.name}`);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}

/**
 * A BAD_USER_INPUT error (HTTP 400) for the first ID variable, or ID within a variable, sent as a
 * number JSON could not read exactly: where it is, the rule, the kind of number (never the number)
 * and the fix. Undefined when there is none. `variables` are the request's, as sent.
 */
export function refusedIdVariable(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>) {
  let entry = compiled.get(operation);
  if (!entry || entry.schema !== schema) {
    const checks: Array<readonly [string, Check]> = [];
    for (const definition of operation.variableDefinitions ?? []) {
      const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
      const check = type && checkOf(type);
      if (check) checks.push([definition.variable.name.value, check]);
    }
    compiled.set(operation, (entry = { schema, checks }));
  }
  for (const [name, check] of entry.checks) {
    if (!Object.hasOwn(variables, name)) continue;
    const path = check(variables[name], `$${name}`);
    if (path === undefined) continue;
    const where = path === `$${name}` ? `Variable "${path}"` : `Variable "$${name}" at "${path.slice(1)}"`;
    return subgraphError(
      ErrorCode.BAD_USER_INPUT,
      `${where} got a number larger than 2^53 − 1 in size, which JSON reads with digits lost, so another id would be fetched. ` +
        `An ID sent as a number must be a whole number of at most 2^53 − 1 (${Number.MAX_SAFE_INTEGER}) in size; send the id as a string.`,
      { http: { status: 400 } },
    );
  }
  return undefined;
}

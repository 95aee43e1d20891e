/**
 * Date and time variables are checked as Healthie reads them (src/healthie-dates.ts), once the
 * cost plugin has coerced the request's variables and before anything is sent.
 *
 * Why here and not in the scalar: graphql-js coerces variables through the scalar's parseValue,
 * but graphql-tools reads Healthie's *answers* through that same parseValue on the delegation
 * path, so a check there would turn an answer it refused into null on that path alone. Literals
 * are checked by the scalar's parseLiteral during validation (src/subgraph/date-literals.ts).
 *
 * The coerced values are walked along each variable's declared type (lists, input objects,
 * non-null wrappers), so a date nested in an input object or a list is checked wherever it sits.
 * A null, an omitted optional variable, and a default (a literal, already validated) pass as
 * graphql-js lets them. The walk is compiled once per operation; most operations declare no
 * date variable and compile to nothing.
 */
import {
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode, subgraphError } from '../errors.js';
import { DATE_TIME_RULE, isHealthieDateTime } from '../healthie-dates.js';
import { DATE_TIME_SCALAR, quoted } from '../subgraph/date-literals.js';

/** The first refused date within a value, and where it is (`$input.when[2]`). */
interface Refused {
  readonly path: string;
  readonly value: unknown;
}

/** The first refused date within `value` (found at `path`), or undefined when every date is accepted. */
type Check = (value: unknown, path: string) => Refused | undefined;

interface Compiled {
  readonly schema: GraphQLSchema;
  readonly checks: ReadonlyArray<readonly [name: string, check: Check]>;
}

const compiled = new WeakMap<OperationDefinitionNode, Compiled>();

const isDateTime = (value: unknown) => typeof value === 'string' && isHealthieDateTime(value);

/** Whether a value of `type` can hold a date anywhere; input objects may refer to themselves. */
function holdsDate(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (isScalarType(named)) return named.name === DATE_TIME_SCALAR;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => holdsDate(field.type, seen));
}

function checkOf(type: GraphQLInputType): Check | undefined {
  if (!holdsDate(type)) return undefined;
  if (isNonNullType(type)) return checkOf(type.ofType);
  if (isListType(type)) {
    const item = checkOf(type.ofType)!;
    // Coercion wraps a single value given for a list into a list; anything else is not a list here.
    return (value, path) => (Array.isArray(value) ? firstOf(value.map((entry, index) => () => item(entry, `${path}[${index}]`))) : item(value, path));
  }
  if (isScalarType(type)) return (value, path) => (value === null || value === undefined || isDateTime(value) ? undefined : { path, value });
  if (!isInputObjectType(type)) return undefined;
  // Fields are compiled when first used, so a type that refers to itself compiles once per level.
  const fields = Object.values(type.getFields()).filter((field) => holdsDate(field.type));
  const checks = new Map<string, Check | undefined>();
  return (value, path) => {
    if (value === null || typeof value !== 'object') return undefined;
    return firstOf(
      fields.map((field) => () => {
        if (!checks.has(field.name)) checks.set(field.name, checkOf(field.type));
        const fieldValue = (value as Record<string, unknown>)[field.name];
        return fieldValue === undefined ? undefined : checks.get(field.name)?.(fieldValue, `${path}.${field.name}`);
      }),
    );
  };
}

function firstOf(steps: ReadonlyArray<() => Refused | undefined>): Refused | undefined {
  for (const step of steps) {
    const found = step();
    if (found !== undefined) return found;
  }
  return undefined;
}

function compile(schema: GraphQLSchema, operation: OperationDefinitionNode): Compiled {
  const checks: Array<readonly [string, Check]> = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    const check = type && checkOf(type);
    if (check) checks.push([definition.variable.name.value, check]);
  }
  return { schema, checks };
}

/**
 * A BAD_USER_INPUT error for the first date variable (or date within a variable) Healthie would
 * refuse, naming where it is, the rule and the fix; undefined when there is none.
 */
export function refusedDateVariable(schema: GraphQLSchema, operation: OperationDefinitionNode, coerced: Readonly<Record<string, unknown>>) {
  let entry = compiled.get(operation);
  if (!entry || entry.schema !== schema) {
    entry = compile(schema, operation);
    compiled.set(operation, entry);
  }
  for (const [name, check] of entry.checks) {
    if (!(name in coerced)) continue;
    const refused = check(coerced[name], `$${name}`);
    if (refused === undefined) continue;
    const { path, value } = refused;
    const shown = typeof value === 'string' ? quoted(JSON.stringify(value)) : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
    const where = path === `$${name}` ? `Variable "${path}"` : `Variable "$${name}" at "${path.slice(1)}"`;
    return subgraphError(
      ErrorCode.BAD_USER_INPUT,
      `${where} got ${shown}, which is not a ${DATE_TIME_SCALAR} Healthie accepts. Expected ${DATE_TIME_RULE}; send the value in that form (Healthie would refuse the whole request).`,
      { http: { status: 400 } },
    );
  }
  return undefined;
}

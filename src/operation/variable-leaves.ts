/**
 * The walk that finds, in a request's variables, the first value of one scalar type that a check
 * refuses: along each variable's declared type (non-null wrappers, lists, input objects, which may
 * refer to themselves), so a value nested in an input object or a list is found wherever it sits.
 * Date variables (date-variables.ts) and ID variables (id-variables.ts) are checked with it.
 *
 * The walk is compiled once per operation and schema; an operation whose variables cannot hold the
 * scalar compiles to nothing, so most requests pay one WeakMap lookup.
 */
import { getNamedType, isInputObjectType, isListType, isNonNullType, isScalarType, typeFromAST } from 'graphql';
import type { GraphQLInputType, GraphQLNamedType, GraphQLSchema, OperationDefinitionNode } from 'graphql';

/** A refused value and where it is: `$input.when[2]`. */
export interface RefusedLeaf {
  /** The variable's name, without `$`. */
  readonly variable: string;
  readonly path: string;
  readonly value: unknown;
}

/** Where a refused value is found, and the value; undefined when there is none. */
type Check = (value: unknown, path: string) => { path: string; value: unknown } | undefined;

/** Whether a variable's value is refused, given the value of the scalar (never null or undefined). */
export type LeafRule = (value: unknown) => boolean;

/**
 * A finder of the first leaf of type `scalar` in a request's variables that `refused` says no to.
 * Nulls and absent fields pass (graphql-js decides about them); a single value given for a list is
 * read as a list of one, as coercion reads it.
 */
export function leafFinder(scalar: string, refused: LeafRule) {
  const compiled = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; checks: ReadonlyArray<readonly [string, Check]> }>();

  function holds(type: GraphQLInputType, seen = new Set<string>()): boolean {
    const named: GraphQLNamedType = getNamedType(type);
    if (isScalarType(named)) return named.name === scalar;
    if (!isInputObjectType(named) || seen.has(named.name)) return false;
    seen.add(named.name);
    return Object.values(named.getFields()).some((field) => holds(field.type, seen));
  }

  function checkOf(type: GraphQLInputType): Check | undefined {
    if (!holds(type)) return undefined;
    if (isNonNullType(type)) return checkOf(type.ofType);
    if (isListType(type)) {
      const item = checkOf(type.ofType)!;
      return (value, path) => {
        if (!Array.isArray(value)) return item(value, path);
        for (let index = 0; index < value.length; index += 1) {
          const found = item(value[index], `${path}[${index}]`);
          if (found !== undefined) return found;
        }
        return undefined;
      };
    }
    if (isScalarType(type)) return (value, path) => (value !== null && value !== undefined && refused(value) ? { path, value } : undefined);
    if (!isInputObjectType(type)) return undefined;
    // Fields are compiled when first used, so a type that refers to itself compiles once per level.
    const fields = Object.values(type.getFields()).filter((field) => holds(field.type));
    const checks = new Map<string, Check | undefined>();
    return (value, path) => {
      if (value === null || typeof value !== 'object') return undefined;
      for (const field of fields) {
        if (!Object.hasOwn(value, field.name)) continue;
        if (!checks.has(field.name)) checks.set(field.name, checkOf(field.type));
        const found = checks.get(field.name)?.((value as Record<string, unknown>)[field.name], `${path}.${field.name}`);
        if (found !== undefined) return found;
      }
      return undefined;
    };
  }

  return function firstRefused(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>): RefusedLeaf | undefined {
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
    for (const [variable, check] of entry.checks) {
      if (!Object.hasOwn(variables, variable)) continue;
      const found = check(variables[variable], `$${variable}`);
      if (found !== undefined) return { variable, ...found };
    }
    return undefined;
  };
}

/** How an error names where a refused value is: `Variable "$when"`, or `Variable "$input" at "input.when[2]"`. */
export function describeLeaf({ variable, path }: RefusedLeaf): string {
  return path === `$${variable}` ? `Variable "${path}"` : `Variable "$${variable}" at "${path.slice(1)}"`;
}

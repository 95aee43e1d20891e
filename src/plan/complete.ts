/**
 * Completion of Healthie's answer on the planned path: what graphql-js does to a resolved value
 * on the delegation path, done in one walk over the answer, which already has the client's shape.
 *
 * Why a module: the forwarder sends requests; this is the part that decides what the client
 * sees of an answer and where its errors are: `__typename` in subgraph names, leaves serialized
 * (custom scalars and enums mapped back), null propagated to the nearest nullable parent for
 * non-null fields and list items, and errors located at the client's fields and paths. It
 * mutates only the values that change, and makes path nodes only for objects, lists and errors
 * (a leaf costs no allocation), and a path array only for an error.
 */
import {
  Kind,
  isLeafType,
  isListType,
  isNonNullType,
  locatedError,
  type DirectiveNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLOutputType,
} from 'graphql';
import { BAD_ANSWER_MESSAGE, ErrorCode, subgraphError } from '../errors.js';
import { excludes } from '../operation/conditions.js';
import type { SchemaMapping } from './mapping.js';
import type { ShapeField } from './shape.js';

export type Path = { readonly prev: Path | undefined; readonly key: string | number } | undefined;

/** A null that must propagate to the nearest nullable parent; its error is already recorded. */
export const INVALID = Symbol('invalid');

/** One request's completion: its errors, and its variables (for @skip/@include). */
export interface Run {
  readonly errors: GraphQLError[];
  readonly variables: Record<string, unknown>;
}

export function pathArray(path: Path): Array<string | number> {
  const keys: Array<string | number> = [];
  for (let p = path; p; p = p.prev) keys.unshift(p.key);
  return keys;
}

/**
 * Whether an @include/@skip directive lets its selection through, with these (coerced)
 * variables. The document is validated, so `if` is a Boolean literal or a Boolean! variable.
 * Other directives never reach here: the planner leaves their documents to delegation.
 */
export function passes(directive: DirectiveNode, variables: Record<string, unknown>): boolean {
  const arg = directive.arguments?.find((a) => a.name.value === 'if')?.value;
  const value = arg?.kind === Kind.VARIABLE ? variables[arg.name.value] : arg?.kind === Kind.BOOLEAN ? arg.value : undefined;
  return !excludes(directive.name.value, value);
}

export function allPass(directives: readonly DirectiveNode[], variables: Record<string, unknown>): boolean {
  for (const directive of directives) if (!passes(directive, variables)) return false;
  return true;
}

/**
 * The client's nodes an error at `shape` is located at: those of the occurrences execution
 * collected (a key selected twice, once skipped, is located at the other one only). Evaluated
 * only when an error is made.
 */
export function nodesOf(shape: ShapeField, variables: Record<string, unknown>): readonly FieldNode[] {
  if (shape.nodes.length === 1) return shape.nodes;
  const nodes = shape.nodes.filter((_, i) => allPass(shape.conditions[i]!, variables));
  return nodes.length > 0 ? nodes : shape.nodes;
}

/**
 * Healthie answered a value a field may not have (null for a non-null field without an error of
 * its own, text for an object, an object for a name): Healthie's failure, not an empty answer.
 * Nothing of the value is quoted (it can be patient text), and the message is the delegation
 * path's too (upstream-errors.ts).
 */
export function badAnswer(): GraphQLError {
  return subgraphError(ErrorCode.UPSTREAM_BAD_RESPONSE, BAD_ANSWER_MESSAGE);
}

export function createCompleter(mapping: SchemaMapping) {
  function fail(shape: ShapeField, error: unknown, path: Path, run: Run): typeof INVALID {
    run.errors.push(locatedError(error, nodesOf(shape, run.variables), pathArray(path)));
    return INVALID;
  }

  /**
   * Completes `value` as graphql-js completes a field of `type` at `key` under `parent`; mutates
   * only what changes. The field's own path is made only when needed (below it, or an error), so
   * a leaf costs no allocation.
   */
  function complete(shape: ShapeField, type: GraphQLOutputType, value: unknown, parent: Path, key: string | number, run: Run): unknown {
    if (isNonNullType(type)) {
      const completed = completeNullable(shape, type.ofType, value, parent, key, run);
      if (completed === null) {
        // Healthie nulled this field because of its own error here or below: that error stands.
        const path = { prev: parent, key };
        const at = pathArray(path);
        const reported = run.errors.some((e) => e.path !== undefined && at.every((k, i) => e.path![i] === k));
        if (!reported) return fail(shape, badAnswer(), path, run);
        return INVALID;
      }
      return completed;
    }
    const completed = completeNullable(shape, type, value, parent, key, run);
    return completed === INVALID ? null : completed;
  }

  function completeNullable(shape: ShapeField, type: GraphQLOutputType, value: unknown, parent: Path, key: string | number, run: Run): unknown {
    if (value === null || value === undefined) return null;
    if (isListType(type)) {
      const path = { prev: parent, key };
      if (!Array.isArray(value)) return fail(shape, badAnswer(), path, run);
      for (let i = 0; i < value.length; i += 1) {
        const item = complete(shape, type.ofType, value[i], path, i, run);
        if (item === INVALID) return INVALID;
        if (item !== value[i]) value[i] = item;
      }
      return value;
    }
    // The parent of a shape is an object type: its name, not Healthie's, which may name a
    // concrete type the allowlist does not have (and routers resolve entities by it).
    if (shape.fieldName === '__typename') return shape.parentType;
    if (isLeafType(type)) {
      // graphql-js serializes a string answer of String or ID to itself: most leaves end here.
      if (typeof value === 'string' && (type.name === 'String' || type.name === 'ID')) return value;
      try {
        const named = 'getValues' in type ? (mapping.enumToSubgraph(type.name, String(value)) ?? value) : value;
        const serialized = type.serialize(named);
        if (serialized === undefined) throw new Error(`Expected \`${type.name}.serialize(${String(value)})\` to return non-nullable value, returned: undefined`);
        return serialized;
      } catch {
        return fail(shape, badAnswer(), { prev: parent, key }, run);
      }
    }
    if (typeof value !== 'object' || Array.isArray(value)) return fail(shape, badAnswer(), { prev: parent, key }, run);
    return completeObject(shape.children ?? [], value, { prev: parent, key }, run);
  }

  /** An object's fields. A key under @skip/@include that Healthie left out was skipped there. */
  function completeObject(children: readonly ShapeField[], value: unknown, path: Path, run: Run): unknown {
    if (typeof value !== 'object' || value === null) return null;
    const object = value as Record<string, unknown>;
    let kept = 0;
    for (const child of children) {
      const present = Object.hasOwn(object, child.key);
      if (!present && child.optional) continue;
      const completed = complete(child, child.type, present ? object[child.key] : null, path, child.key, run);
      if (completed === INVALID) return INVALID;
      if (completed !== object[child.key]) object[child.key] = completed;
      kept += 1;
    }
    return onlyAsked(children, object, kept);
  }

  /**
   * The root fields a request includes (`fields`), whatever Healthie's `data` holds: it is empty
   * when a non-null root field failed there. Root fields execute in parallel, so every one is
   * completed, each with Healthie's errors under its key (`errors`); but as in graphql-js, of the
   * non-null root fields that fail only the first rejects the operation and is reported.
   * `nulled`: Healthie answered `data: null`. If a non-null field has errors of its own, Healthie
   * dropped the fields without errors with `data`: they are not answered and report nothing
   * (on delegation they fail with that field's error, null-data.ts).
   */
  function completeRoot(fields: readonly ShapeField[], data: Record<string, unknown>, run: Run, errors?: ReadonlyMap<string, readonly GraphQLError[]>, nulled = false): unknown {
    const dropped = nulled && fields.some((field) => isNonNullType(field.type) && errors?.has(field.key));
    let failed = dropped;
    let reported = false;
    for (const field of fields) {
      const own = errors?.get(field.key);
      if (dropped && !own) continue;
      const mark = run.errors.length;
      if (own) run.errors.push(...own);
      const completed = complete(field, field.type, data[field.key] ?? null, undefined, field.key, run);
      if (completed === INVALID) {
        if (reported) run.errors.length = mark;
        failed = reported = true;
      } else if (completed !== data[field.key]) data[field.key] = completed;
    }
    return failed ? INVALID : onlyAsked(fields, data, fields.length);
  }

  return { complete, completeObject, completeRoot };
}

/** Only what the client asked for reaches it, whatever else an answer carries. */
function onlyAsked(children: readonly ShapeField[], object: Record<string, unknown>, kept: number): Record<string, unknown> {
  let keys = 0;
  for (const key in object) if (Object.hasOwn(object, key)) keys += 1;
  if (keys === kept) return object;
  const asked: Record<string, unknown> = {};
  for (const child of children) if (Object.hasOwn(object, child.key)) asked[child.key] = object[child.key];
  return asked;
}

export type Completer = ReturnType<typeof createCompleter>;

/**
 * Healthie's values of the wrong shape, reported on the delegation path as the planned path
 * reports them: UPSTREAM_BAD_RESPONSE at that field (or list item), never a silent null and never
 * an error somewhere inside.
 *
 * Why: graphql-tools reads each delegated value through `resolveExternalValue`, which
 * - parses a leaf with its scalar's `parseValue` and answers null when that throws, so a list, an
 *   object or a number where a `String` belongs (`firstName: ["a"]`) became an error-free null,
 *   and a value `serialize` accepts but `parseValue` does not (42 for a `String`) too;
 * - reads a list where an object belongs as that object's fields, so the error surfaced at a
 *   non-null field inside it, or not at all.
 * So a leaf field of a delegated object answers Healthie's value as it came, and graphql-js
 * completes it with the type's `serialize` as the planned path does (src/plan/complete.ts): a value
 * it cannot represent is then refused and reported as UPSTREAM_BAD_RESPONSE by
 * plugins/upstream-errors.ts. And a list where an object belongs (the field, or an item of a list
 * of objects) is answered with that error, and so is text (a number, a boolean) that is an item of
 * a list of objects, which graphql-tools fails the whole list for. Text where an object belongs
 * already fails in graphql-tools, and a value where a list belongs in graphql-js; both are
 * reported the same way by plugins/upstream-errors.ts.
 *
 * A root field's value is read by graphql-tools before any resolver sees it, so the items of a
 * root list are checked in the answer itself (checkingRootLists, a subschema transform): an item
 * of the wrong type becomes the error there, which graphql-tools hands to execution as is.
 */
import { getSubschema, getUnpathedErrors, isExternalObject, resolveExternalValue, type DelegationContext, type Transform } from '@graphql-tools/delegate';
import type { IResolvers } from '@graphql-tools/utils';
import {
  getNullableType,
  isLeafType,
  isListType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type ExecutionResult,
  type GraphQLLeafType,
  type GraphQLSchema,
} from 'graphql';
import { BAD_ANSWER_MESSAGE, ErrorCode, subgraphError } from '../errors.js';
import { answeredKey } from './colliding-aliases.js';

/** `value` with a list where an object of `type` belongs replaced by the error (items of lists too). */
function checked(value: unknown, type: GraphQLOutputType): unknown {
  if (value === null || value === undefined || value instanceof Error) return value;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return value;
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item = checked(value[i], nullable.ofType);
      if (item !== value[i]) (copy ??= value.slice())[i] = item;
    }
    return copy ?? value;
  }
  if (!isLeafType(nullable) && Array.isArray(value)) return badAnswer();
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

const badAnswer = () => subgraphError(ErrorCode.UPSTREAM_BAD_RESPONSE, BAD_ANSWER_MESSAGE);

/**
 * A list of objects holding text, a number or a boolean: graphql-tools fails the whole list on
 * such an item, where the planned path reports that item alone. So the list is read here, each
 * such item answered with the error and each other read as graphql-tools reads it.
 */
function listWithPrimitives(parent: object, info: GraphQLResolveInfo, context: unknown): unknown[] | undefined {
  const type = getNullableType(info.returnType);
  if (!isListType(type) || isLeafType(getNullableType(type.ofType)) || isListType(getNullableType(type.ofType))) return undefined;
  const key = answeredKey(parent, info);
  const value = (parent as Record<string, unknown>)[key];
  if (!Array.isArray(value) || !value.some((item) => item !== null && item !== undefined && typeof item !== 'object')) return undefined;
  const errors = getUnpathedErrors(parent as never);
  const subschema = getSubschema(parent as never, key);
  return value.map((item) =>
    item !== null && item !== undefined && typeof item !== 'object' ? badAnswer() : resolveExternalValue(item, errors, subschema, context as never, info, type.ofType),
  );
}

/** `resolve` with its value's shape checked against the field's type. */
function checkingShape(resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return (parent, args, context, info) => {
    const read = parent !== null && typeof parent === 'object' && isExternalObject(parent) ? listWithPrimitives(parent, info, context) : undefined;
    const value = read ?? resolve(parent, args, context, info);
    return isThenable(value) ? Promise.resolve(value).then((v) => checked(v, info.returnType)) : checked(value, info.returnType);
  };
}

/** `resolve`, answering a delegated leaf with Healthie's value as it came, for graphql-js to serialize. */
function rawLeaf(resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return (parent, args, context, info) => {
    if (parent !== null && typeof parent === 'object' && isExternalObject(parent)) {
      const value = (parent as Record<string, unknown>)[answeredKey(parent, info)];
      // null (perhaps carrying Healthie's error for it) is graphql-tools' to report.
      if (value !== null && value !== undefined) return value;
    }
    return resolve(parent, args, context, info);
  };
}

/** `resolvers` (from getResolversFromSchema over `schema`, the wrapped schema) reading Healthie's values as above. */
export function checkingAnswerShapes(resolvers: IResolvers, schema: GraphQLSchema): void {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map((type) => type?.name));
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type) || typeof fields !== 'object' || fields === null) continue;
    for (const [fieldName, field] of Object.entries(fields as Record<string, { resolve?: GraphQLFieldResolver<unknown, unknown> }>)) {
      const definition = type.getFields()[fieldName];
      if (!definition || !field || typeof field !== 'object' || typeof field.resolve !== 'function') continue;
      let named: GraphQLOutputType = definition.type;
      while ('ofType' in named) named = named.ofType as GraphQLOutputType;
      if (isLeafType(named) && !roots.has(typeName)) field.resolve = rawLeaf(field.resolve);
      else if (!isLeafType(named)) field.resolve = checkingShape(field.resolve);
    }
  }
}

/** A leaf item as the planned path completes it: serialized, or the error when it cannot be. */
function leafItem(type: GraphQLLeafType, item: unknown): unknown {
  try {
    const serialized = type.serialize(item);
    return serialized === undefined ? badAnswer() : serialized;
  } catch {
    return badAnswer();
  }
}

/** The subschema transform checking each item of a root field that is a list (see above). */
export const checkingRootLists: Transform = {
  transformResult(result: ExecutionResult, delegationContext: DelegationContext) {
    const { info, fieldName } = delegationContext;
    const data = result.data as Record<string, unknown> | null | undefined;
    if (!info || !data) return result;
    const value = data[fieldName];
    const type = getNullableType(info.returnType);
    if (!Array.isArray(value) || !isListType(type)) return result;
    const itemType = getNullableType(type.ofType);
    if (isListType(itemType)) return result;
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      if (item === null || item === undefined) return;
      const read = isLeafType(itemType) ? leafItem(itemType, item) : typeof item !== 'object' || Array.isArray(item) ? badAnswer() : item;
      if (read !== item) (copy ??= value.slice())[i] = read;
    });
    return copy ? { ...result, data: { ...data, [fieldName]: copy } } : result;
  },
};

/**
 * Client aliases that would collide, at Healthie, with the fields the delegation path adds.
 *
 * Why: graphql-tools adds an unaliased `__typename` to the selection of every entity type (and
 * of every fragment on one), and the entity loader adds `id` to the `_entities` selection. A
 * client may legally name another field `__typename` or `id` (`{ __typename: firstName }`):
 * Healthie then receives two different fields under one response key, refuses the whole request,
 * and the client gets UPSTREAM_ERROR for a query the planned path answers. And whatever stands
 * under `__typename` in an answer, graphql-tools reads as a type name: an organization named
 * `Organization`, asked as `{ __typename: name }`, came back as `HealthieOrganization`.
 *
 * One more alias breaks delegation whatever it names: `then`. graphql-tools (through
 * @whatwg-node/promise-helpers) takes any object of an answer with a `then` key for a promise and
 * calls it, so `{ organization { then: name } }` failed with an internal error (an error-level log
 * line any client could write), and a booking selecting `then: appointment` booked and answered
 * that its outcome could not be read.
 *
 * So, in the request sent to Healthie, such a field is asked under a reserved alias instead
 * (RESERVED_KEY_PREFIX + the client's alias), and mapped back twice: resolvers read the value
 * from the reserved key (resolvingReservedKeys), and error paths name the client's alias again
 * (clientPath, in plugins/upstream-errors.ts). Renamed: every alias `__typename` on another field,
 * every alias `then`, and any other alias that names, in the same object, a field asked without
 * alias (`id` beside the loader's `id`). A request without such an alias is sent exactly as
 * before. Clients cannot
 * use the reserved prefix themselves (booking/delegation.ts, reservedAliases), so a reserved key
 * in an answer or a path is always one of these.
 */
import { defaultMergedResolver } from '@graphql-tools/delegate';
import type { ExecutionRequest, Executor, IResolvers } from '@graphql-tools/utils';
import { Kind, print, type FieldNode, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode } from 'graphql';
import { RESERVED_ALIAS_PREFIX } from '../booking/delegation.js';
import { normalizedOnce, preparedOperation } from '../operation/normalize.js';

/** What a renamed alias is sent as: this prefix, then the client's alias. */
export const RESERVED_KEY_PREFIX = `${RESERVED_ALIAS_PREFIX}Alias_`;
const TYPENAME = '__typename';
/** The key graphql-tools reads as a promise's (see above). */
const THEN = 'then';
const NONE: ReadonlySet<string> = new Set();

/** The response key `alias` is sent under. */
export function reservedKey(alias: string): string {
  return RESERVED_KEY_PREFIX + alias;
}

/** `path` in the client's response keys: every reserved key back to the alias it stands for. */
export function clientPath(path: ReadonlyArray<string | number>): Array<string | number> | undefined {
  if (!path.some((key) => typeof key === 'string' && key.startsWith(RESERVED_KEY_PREFIX))) return undefined;
  return path.map((key) => (typeof key === 'string' && key.startsWith(RESERVED_KEY_PREFIX) ? key.slice(RESERVED_KEY_PREFIX.length) : key));
}

/** Names of the fields asked without an alias (or aliased as themselves) in one object's selection. */
function plainNames(set: SelectionSetNode, names: Set<string>): Set<string> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.alias || selection.alias.value === selection.name.value) names.add(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) plainNames(selection.selectionSet, names);
  }
  return names;
}

/** Whether one object's selection (inline fragments included) aliases a field as another name. */
function hasAliases(set: SelectionSetNode): boolean {
  return set.selections.some((s) =>
    s.kind === Kind.FIELD ? s.alias !== undefined && s.alias.value !== s.name.value : s.kind === Kind.INLINE_FRAGMENT && hasAliases(s.selectionSet),
  );
}

/**
 * `set` (the selection of one object, inline fragments included) with its colliding aliases
 * renamed, and those of the objects below it; the same node when nothing changes.
 */
function renameInObject(set: SelectionSetNode, plain?: ReadonlySet<string>): SelectionSetNode {
  const names = plain ?? (hasAliases(set) ? plainNames(set, new Set()) : NONE);
  let changed = false;
  const selections = set.selections.map((selection): SelectionNode => {
    let next: SelectionNode = selection;
    if (selection.kind === Kind.FIELD) {
      const alias = selection.alias?.value;
      const collides = alias !== undefined && alias !== selection.name.value && (alias === TYPENAME || alias === THEN || names!.has(alias));
      const below = selection.selectionSet && renameInObject(selection.selectionSet);
      if (collides || below !== selection.selectionSet) {
        next = { ...selection, ...(collides ? { alias: { kind: Kind.NAME, value: reservedKey(alias) } } : {}), ...(below ? { selectionSet: below } : {}) } as FieldNode;
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      // A fragment's fields belong to the same object as the fields beside it.
      const inner = renameInObject(selection.selectionSet, names ?? NONE);
      if (inner !== selection.selectionSet) next = { ...selection, selectionSet: inner };
    }
    if (next !== selection) changed = true;
    return next;
  });
  return changed ? { ...set, selections } : set;
}

/**
 * The operation with colliding aliases renamed below its root fields (root keys are
 * graphql-tools' own and never collide); the same node when nothing changes.
 */
export function renameCollidingAliases(operation: OperationDefinitionNode): OperationDefinitionNode {
  let changed = false;
  const selections = operation.selectionSet.selections.map((selection) => {
    if (selection.kind !== Kind.FIELD || !selection.selectionSet) return selection;
    const below = renameInObject(selection.selectionSet);
    if (below === selection.selectionSet) return selection;
    changed = true;
    return { ...selection, selectionSet: below };
  });
  return changed ? { ...operation, selectionSet: { ...operation.selectionSet, selections } } : operation;
}

/**
 * The delegation path's executor, sending colliding aliases renamed. It works on the operation as
 * Healthie receives it (normalized: fragments inlined, fields merged), where every field an
 * object is asked for is in that object's selection; the client then sends that text as is.
 */
export function withSeparateAliases<T>(executor: Executor<T>): Executor<T> {
  return ((request: ExecutionRequest) => {
    let prepared;
    try {
      prepared = normalizedOnce(request.document, request.operationName);
    } catch {
      // The client refuses this document itself (a size bound), with the right code.
      return executor(request as never);
    }
    const operation = prepared.normalized.definitions[0] as OperationDefinitionNode;
    const renamed = renameCollidingAliases(operation);
    if (renamed === operation) return executor(request as never);
    const normalized = { ...prepared.normalized, definitions: [renamed] };
    // The field bound was checked on the same fields above; the text's own bound applies again.
    return executor({ ...request, prepared: preparedOperation(print(normalized), 0, normalized) } as never);
  }) as Executor<T>;
}

/** graphql-tools' resolver of delegated fields, over any parent (it checks the parent itself). */
const mergedResolver = defaultMergedResolver as unknown as GraphQLFieldResolver<unknown, unknown>;

/**
 * Whether the value of the field aliased `alias` is read from its reserved key in `parent` (a
 * delegated answer): when it was sent under it, and when Healthie's answer lacks an alias that
 * every object inherits (`constructor`, `toString`), where the answer lacks the reserved key as
 * well. Read as `parent[alias]`, the inherited function was taken for Healthie's answer: an error
 * where a missing field of any other alias is null, as on the planned path.
 */
function readsReservedKey(parent: object, alias: string): boolean {
  return Object.hasOwn(parent, reservedKey(alias)) || (alias in parent && !Object.hasOwn(parent, alias));
}

/** defaultMergedResolver, reading a field from its reserved key where readsReservedKey says so. */
const reservedKeyResolver: GraphQLFieldResolver<unknown, unknown> = (parent, args, context, info) => {
  const node = info.fieldNodes[0]!;
  if (node.alias !== undefined && parent !== null && typeof parent === 'object') {
    const key = reservedKey(node.alias.value);
    if (readsReservedKey(parent, node.alias.value)) {
      const fieldNodes = [{ ...node, alias: { kind: Kind.NAME, value: key } } as FieldNode, ...info.fieldNodes.slice(1)];
      return mergedResolver(parent, args, context, { ...info, fieldNodes } as GraphQLResolveInfo);
    }
  }
  return mergedResolver(parent, args, context, info);
};

/** The key of `parent` (a delegated answer) holding the value of the field `info` resolves. */
export function answeredKey(parent: object, info: GraphQLResolveInfo): string {
  const alias = info.fieldNodes[0]!.alias?.value;
  if (alias !== undefined && readsReservedKey(parent, alias)) return reservedKey(alias);
  return alias ?? info.fieldName;
}

/** `resolvers` (from getResolversFromSchema) with every field of a non-root object type reading reserved keys. */
export function resolvingReservedKeys(resolvers: IResolvers, schema: GraphQLSchema): void {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map((type) => type?.name));
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (roots.has(typeName) || typeof fields !== 'object' || fields === null) continue;
    for (const field of Object.values(fields as Record<string, { resolve?: unknown }>)) {
      if (field && typeof field === 'object' && field.resolve === defaultMergedResolver) field.resolve = reservedKeyResolver;
    }
  }
}

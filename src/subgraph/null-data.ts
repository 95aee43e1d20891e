/**
 * A Healthie answer whose `data` is null, read as one outcome per root field the request asked for.
 *
 * Why: GraphQL nulls the whole `data` when a non-null root field fails, as Healthie does when
 * `users` (`UserConnection!`) refuses a bad cursor or page size. graphql-tools' batching splits a
 * merged answer by the keys of `data`, so with no `data` the root fields without an error of
 * their own got no result at all: the batch failed with a DataLoader TypeError, or those fields
 * failed alone, and the client received masked INTERNAL_SERVER_ERRORs instead of Healthie's error
 * (UPSTREAM_ERROR with its healthieCode), depending on the order of the fields. So every root key
 * is present: a field with an error of its own gets that error, a nullable one without gets null.
 *
 * A non-null field without an error of its own is one Healthie computed and then dropped with
 * `data`. Read as null, it would fail on its own ("Cannot return null", masked), and being
 * earlier in the document it would be the one failure execution reports, hiding Healthie's
 * error. It is answered with the error the failed field will throw (the first non-null field
 * with errors of its own, as execution reports only the first failing non-null root field), at
 * that field's client path: whichever of the two rejects first, execution reports that error,
 * once. The planned path answers the same (src/plan/complete.ts, completeRoot).
 */
import {
  Kind,
  isNonNullType,
  locatedError,
  responsePathAsArray,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { relocatedError, type ExecutionRequest, type Executor } from '@graphql-tools/utils';
import { normalizedOnce } from '../operation/normalize.js';

/**
 * The client's field behind each request of a merged batch, in batch order (the order of the
 * `_v<index>_` prefixes): batching passes on only the first request's `info`, and a dropped
 * field's answer needs the failed field's client path and nodes. Keyed by the merged request's
 * extensions object, which batching creates per batch and hands to the executor.
 */
const batchInfos = new WeakMap<object, Array<GraphQLResolveInfo | undefined>>();

/** Batching's extensions reducer (batchingOptions.extensionsReducer), recording each request's field. */
export function recordBatchedRequest(merged: Record<string, unknown>, request: ExecutionRequest): Record<string, unknown> {
  const infos = batchInfos.get(merged) ?? [];
  infos.push(request.info);
  batchInfos.set(merged, infos);
  // What batching's default reducer does.
  if (request.extensions != null) Object.assign(merged, request.extensions);
  return merged;
}

interface RootField {
  readonly key: string;
  readonly nonNull: boolean;
}

/**
 * Root fields of the operation as Healthie received it (fragments inlined, so only fields and
 * inline fragments remain): the client normalized this document to send it, so this is a cache
 * hit (or the same expansion again when defaults were filled in).
 */
function rootFields(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): RootField[] {
  const operation = normalizedOnce(document, operationName).normalized.definitions[0] as OperationDefinitionNode;
  const fields = schema.getRootType(operation.operation)?.getFields() ?? {};
  const found = new Map<string, RootField>();
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const type = fields[selection.name.value]?.type;
        if (!found.has(key)) found.set(key, { key, nonNull: type !== undefined && isNonNullType(type) });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
    }
  };
  collect(operation.selectionSet);
  return [...found.values()];
}

/**
 * What the field of `info` throws for these errors of its own: what graphql-tools makes of them
 * (each relocated to the field's path, several in one AggregateError) as execution locates it.
 */
function thrownBy(info: GraphQLResolveInfo, errors: readonly GraphQLError[]): GraphQLError {
  const path = responsePathAsArray(info.path);
  const relocated = errors.map((error) => relocatedError(error, path.concat(error.path?.slice(1) ?? [])));
  if (relocated.length === 1) return relocated[0]!;
  const aggregate = new AggregateError(relocated, errors.map((error) => error.message).join(',\n'));
  return locatedError(aggregate, info.fieldNodes, path);
}

/** `_v<index>_` of a batched root key, or undefined for a request batching sent alone. */
function batchIndex(key: string): number | undefined {
  const match = /^_v(\d+)_/.exec(key);
  return match ? Number(match[1]) : undefined;
}

/** `schema` is Healthie's side (the approved subset): the names the executor's requests use. */
export function withRootNulls<T>(executor: Executor<T>, schema: GraphQLSchema): Executor<T> {
  return (async (request: ExecutionRequest<Record<string, unknown>, T>) => {
    const result = (await executor(request as never)) as ExecutionResult;
    if (!result || typeof result !== 'object' || !('data' in result) || result.data !== null) return result;
    const fields = rootFields(schema, request.document, request.operationName);
    const own = new Map<string, GraphQLError[]>();
    for (const error of result.errors ?? []) {
      const key = error.path?.[0];
      if (typeof key === 'string') own.get(key)?.push(error) ?? own.set(key, [error]);
    }
    const data: Record<string, unknown> = {};
    for (const { key } of fields) data[key] = null;
    const failed = fields.find((field) => field.nonNull && own.has(field.key));
    const index = failed && batchIndex(failed.key);
    const info = index !== undefined ? batchInfos.get(request.extensions ?? {})?.[index] : undefined;
    if (failed && info) {
      const thrown = thrownBy(info, own.get(failed.key)!);
      for (const field of fields) if (field.nonNull && !own.has(field.key)) data[field.key] = thrown;
    }
    return { ...result, data };
  }) as Executor<T>;
}

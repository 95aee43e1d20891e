/**
 * A Healthie answer whose `data` is null, read as null for each root field the request asked for.
 *
 * Why: GraphQL nulls the whole `data` when a non-null root field fails, as Healthie does when
 * `users` (`UserConnection!`) refuses a bad cursor or page size. graphql-tools' batching splits a
 * merged answer by the keys of `data`, so with no `data` the root fields without an error of
 * their own got no result at all: the batch failed with a DataLoader TypeError, or those fields
 * failed alone, and the client received masked INTERNAL_SERVER_ERRORs instead of Healthie's error
 * (UPSTREAM_ERROR with its healthieCode), depending on the order of the fields. With every root
 * key present and null, each field gets its own error or null, and the subgraph's execution then
 * nulls `data` for the failed non-null field, as Healthie did.
 */
import { Kind, type DocumentNode, type ExecutionResult, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { normalizedOnce } from '../operation/normalize.js';

/**
 * Response keys of the root selection, read from the operation as Healthie received it (fragments
 * inlined, so only fields and inline fragments remain): the client normalized this document to
 * send it, so this is a cache hit (or the same expansion again when defaults were filled in).
 */
function rootKeys(document: DocumentNode, operationName: string | undefined): string[] {
  const operation = normalizedOnce(document, operationName).normalized.definitions[0] as OperationDefinitionNode;
  const keys = new Set<string>();
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) keys.add(selection.alias?.value ?? selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
    }
  };
  collect(operation.selectionSet);
  return [...keys];
}

export function withRootNulls<T>(executor: Executor<T>): Executor<T> {
  return (async (request: ExecutionRequest<Record<string, unknown>, T>) => {
    const result = (await executor(request as never)) as ExecutionResult;
    if (!result || typeof result !== 'object' || !('data' in result) || result.data !== null) return result;
    const data: Record<string, null> = {};
    for (const key of rootKeys(request.document, request.operationName)) data[key] = null;
    return { ...result, data };
  }) as Executor<T>;
}

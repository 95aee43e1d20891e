/**
 * Healthie's errors that delegation has no place for, reported beside the answer.
 *
 * Why: graphql-tools hands each of Healthie's errors to execution by writing it into the answer
 * where its path meets a null, for the resolver there to throw. An error at a field Healthie
 * answered with a value, or past the end of a list, meets no null: graphql-tools keeps it aside
 * and reports it only if some field of that object happens to resolve to null (then at Healthie's
 * own root key, not the client's), so the client usually never learned of it. The GraphQL spec
 * reports every field error, and the planned path reports these at their paths, the value kept.
 *
 * So before graphql-tools reads an answer, the errors it could not place are taken out of it,
 * at their client paths (the delegating field's path, then Healthie's path below it, in the
 * client's keys: colliding-aliases.ts), and kept per request; plugins/upstream-errors.ts adds
 * them to the response's errors. The others are left to graphql-tools, which places them exactly
 * as this decides (mergeDataAndErrors in @graphql-tools/delegate).
 */
import type { DelegationContext, Transform } from '@graphql-tools/delegate';
import { GraphQLError, responsePathAsArray, type ExecutionResult } from 'graphql';
import { clientPath } from './colliding-aliases.js';

/**
 * Errors taken out per request, until the response is sent. Keyed by the request's scope, the
 * object every copy of its context shares (src/context.ts).
 */
const unplacedByRequest = new WeakMap<object, GraphQLError[]>();
const requestOf = (context: object): object => (context as { scope?: object }).scope ?? context;
/** The errors taken out of each answer (for an answer replayed at another position: loaders/entities.ts). */
const unplacedByAnswer = new WeakMap<object, readonly GraphQLError[]>();

/**
 * Whether graphql-tools places an error at `path` (below the delegated field) in `value` (the
 * field's answer): where the path first meets a null, or at once when the answer is null.
 */
function placeable(value: unknown, path: ReadonlyArray<string | number>): boolean {
  let current = value;
  for (const key of path) {
    if (current === null || current === undefined) return true;
    if (typeof current !== 'object') return false;
    current = (current as Record<string | number, unknown>)[key];
    if (current === undefined) return false;
  }
  return current === null || current === undefined;
}

/** The subschema transform taking out the errors graphql-tools cannot place (the last of the subschema's to read an answer). */
export const takingUnplacedErrors: Transform = {
  transformResult(result: ExecutionResult, delegationContext: DelegationContext) {
    const errors = result.errors;
    const { info, context } = delegationContext;
    if (!errors?.length || !info || !context) return result;
    const value = result.data == null ? undefined : (result.data as Record<string, unknown>)[delegationContext.fieldName];
    const kept: GraphQLError[] = [];
    const unplaced: GraphQLError[] = [];
    for (const error of errors) (error.path && error.path.length > 0 && !placeable(value, error.path.slice(1)) ? unplaced : kept).push(error);
    if (unplaced.length === 0) return result;
    const at = responsePathAsArray(info.path);
    const reported = unplacedByRequest.get(requestOf(context)) ?? [];
    unplacedByRequest.set(requestOf(context), reported);
    for (const error of unplaced) {
      const below = error.path!.slice(1);
      reported.push(new GraphQLError(error.message, { path: [...at, ...(clientPath(below) ?? below)], extensions: error.extensions, originalError: error }));
    }
    const next = { ...result, errors: kept };
    unplacedByAnswer.set(next, unplaced);
    return next;
  },
};

/** The errors taken out of `answer` (an answer this transform returned). */
export function unplacedErrorsOf(answer: object): readonly GraphQLError[] {
  return unplacedByAnswer.get(answer) ?? [];
}

/** The request's errors taken out so far, handed over once. */
export function takeUnplacedErrors(context: object): GraphQLError[] | undefined {
  const errors = unplacedByRequest.get(requestOf(context));
  unplacedByRequest.delete(requestOf(context));
  return errors;
}

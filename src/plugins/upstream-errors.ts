/**
 * Several Healthie errors on one path stay several errors, each at its own path; and a value of
 * the wrong kind in Healthie's answer is Healthie's bad answer, not this server's bug.
 *
 * graphql-tools merges the errors it finds on one path of a delegated result into one
 * AggregateError, whose message joins theirs and which carries no code: the client would get one
 * masked INTERNAL_SERVER_ERROR and the log every message. Before errors are formatted (and before
 * any plugin logs them), each AggregateError is replaced by its errors, in order, each with its
 * own code (the client's UPSTREAM_ERROR) and its own, already sanitised, message. At most
 * MAX_UPSTREAM_ERRORS are kept per aggregate.
 *
 * Each keeps the path graphql-tools gave it (Healthie's path, already cut to what the request
 * selected, below the delegating field's client path), not the aggregate's: errors Healthie put
 * under the field (`x.nodes.0.id`) stay there, as they are when Healthie sends one error and on
 * the planned path. For the same reason each keeps its own locations (Healthie's errors have
 * none), not the aggregate's, which are those of the field where the aggregate surfaced.
 * (graphql-js keeps the path and locations of an error that already has a path, so a single
 * Healthie error reaches the client that way on both paths.)
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { SubgraphContext } from '../context.js';
import { BAD_ANSWER_MESSAGE, ErrorCode } from '../errors.js';
import { MAX_UPSTREAM_ERRORS } from '../upstream/healthie-errors.js';
import { formatErrors } from '../plan/plugin.js';
import { clientPath } from '../subgraph/colliding-aliases.js';
import { takeUnplacedErrors } from '../subgraph/unplaced-errors.js';

/**
 * Whether `path` is `at` or below it. An item's own path is trusted only then: graphql-tools
 * relocates Healthie's paths below the path of the field that delegated (for `_entities`, the
 * reference's position: loaders/entities.ts), so an item elsewhere was not placed by that
 * delegation; such an item, like one without a path, stays where the aggregate surfaced.
 */
function isUnder(path: ReadonlyArray<string | number> | undefined, at: ReadonlyArray<string | number> | undefined): boolean {
  return path !== undefined && at !== undefined && path.length >= at.length && at.every((key, i) => path[i] === key);
}

/** `errors` with every AggregateError (as such or as originalError) replaced by its items. */
export function splitAggregateErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((error) => {
    const aggregate = error.originalError;
    if (!(aggregate instanceof AggregateError)) return [error];
    return aggregate.errors.slice(0, MAX_UPSTREAM_ERRORS).map((inner: unknown) => {
      const item = inner instanceof Error ? inner : new Error(String(inner));
      // Compared in the client's keys: the aggregate surfaced at a field the client aliased.
      const itemPath = item instanceof GraphQLError && item.path ? (clientPath(item.path) ?? item.path) : undefined;
      const own = item instanceof GraphQLError && isUnder(itemPath, error.path) ? item : undefined;
      const nodes = own ? own.nodes : error.nodes;
      const path = own ? itemPath : error.path;
      return new GraphQLError(item.message, {
        ...(nodes ? { nodes } : {}),
        ...(path ? { path } : {}),
        originalError: item,
        extensions: item instanceof GraphQLError ? item.extensions : {},
      });
    });
  });
}

/**
 * Whether `error` is graphql-js or graphql-tools refusing a value Healthie answered on the
 * delegation path: null for a non-null field (Healthie nulls a field only with an error of its
 * own, which is reported instead), a leaf its scalar or enum cannot represent, a list that is not
 * one, or text where an object belongs (graphql-tools cannot annotate it). Every value there is
 * Healthie's, so such a failure is Healthie's bad answer (the planned path's completion says so
 * itself), not a bug of this server; and its message may quote the value (patient text).
 */
function refusesHealthieValue(error: GraphQLError): boolean {
  if (error.extensions?.code !== undefined || !error.path) return false;
  const original = error.originalError;
  if (original instanceof TypeError) return original.message === 'Object.defineProperties called on non-object';
  const message = original?.message ?? '';
  return (
    message.startsWith('Cannot return null for non-nullable field ') ||
    message.startsWith('Expected Iterable, but did not find one for field ') ||
    (original instanceof GraphQLError && / cannot represent /.test(message))
  );
}

/** `errors` with each refused Healthie value (see refusesHealthieValue) as UPSTREAM_BAD_RESPONSE. */
export function classifyBadAnswers(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((error) =>
    refusesHealthieValue(error)
      ? new GraphQLError(BAD_ANSWER_MESSAGE, { ...(error.nodes ? { nodes: error.nodes } : {}), path: error.path, extensions: { code: ErrorCode.UPSTREAM_BAD_RESPONSE } })
      : error,
  );
}

/**
 * `errors` with every path in the client's response keys: a field sent to Healthie under a
 * reserved alias (subgraph/colliding-aliases.ts) has its errors there, as Healthie reported them.
 */
export function withClientPaths(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((error) => {
    const path = error.path && clientPath(error.path);
    if (!path) return error;
    return new GraphQLError(error.message, { ...(error.nodes ? { nodes: error.nodes } : {}), path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  });
}

export function upstreamErrorsPlugin(): ApolloServerPlugin<SubgraphContext> {
  // The hooks keep no state of their own per request: one listener serves every request.
  const listener: GraphQLRequestListener<SubgraphContext> = {
    async didEncounterErrors(requestContext) {
      // Apollo formats this very array after the hook: replace its items in place. This
      // plugin is registered before the logging plugin, whose hook then sees the split errors.
      const errors = requestContext.errors as GraphQLError[];
      const split = errors.some((e) => e.originalError instanceof AggregateError) ? splitAggregateErrors(errors) : errors;
      const classified = classifyBadAnswers(withClientPaths(split));
      // Healthie's errors delegation could not place in the answer (subgraph/unplaced-errors.ts).
      const unplaced = takeUnplacedErrors(requestContext.contextValue) ?? [];
      if (classified.some((error, i) => error !== errors[i]) || classified.length !== errors.length || unplaced.length > 0) errors.splice(0, errors.length, ...classified, ...unplaced);
    },
    // Synchronous up to its change: the logging plugin, registered after this one, reads the errors sent.
    async willSendResponse(requestContext) {
      // An answer without errors of execution's own: didEncounterErrors did not run.
      const unplaced = takeUnplacedErrors(requestContext.contextValue);
      const body = requestContext.response.body;
      if (!unplaced || body.kind !== 'single') return;
      body.singleResult.errors = [...(body.singleResult.errors ?? []), ...formatErrors(unplaced, false)];
    },
  };
  return { requestDidStart: async () => listener };
}

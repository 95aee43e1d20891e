/**
 * Several Healthie errors on one path stay several errors.
 *
 * graphql-tools merges the errors it finds on one path of a delegated result into one
 * AggregateError, whose message joins theirs and which carries no code: the client would get one
 * masked INTERNAL_SERVER_ERROR and the log every message. Before errors are formatted (and before
 * any plugin logs them), each AggregateError is replaced by its errors, in order, each on the
 * path where the aggregate surfaced, with its own code (the client's UPSTREAM_ERROR) and its own,
 * already sanitised, message. At most MAX_UPSTREAM_ERRORS are kept per aggregate.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { SubgraphContext } from '../context.js';
import { MAX_UPSTREAM_ERRORS } from '../upstream/healthie-errors.js';

/** `errors` with every AggregateError (as such or as originalError) replaced by its items. */
export function splitAggregateErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((error) => {
    const aggregate = error.originalError;
    if (!(aggregate instanceof AggregateError)) return [error];
    return aggregate.errors.slice(0, MAX_UPSTREAM_ERRORS).map((inner: unknown) => {
      const item = inner instanceof Error ? inner : new Error(String(inner));
      const extensions = item instanceof GraphQLError ? item.extensions : {};
      return new GraphQLError(item.message, {
        ...(error.nodes ? { nodes: error.nodes } : {}),
        ...(error.path ? { path: error.path } : {}),
        originalError: item,
        extensions,
      });
    });
  });
}

export function upstreamErrorsPlugin(): ApolloServerPlugin<SubgraphContext> {
  // The hooks keep no state of their own per request: one listener serves every request.
  const listener: GraphQLRequestListener<SubgraphContext> = {
    async didEncounterErrors(requestContext) {
      // Apollo formats this very array after the hook: replace its items in place. This
      // plugin is registered before the logging plugin, whose hook then sees the split errors.
      const errors = requestContext.errors as GraphQLError[];
      if (!errors.some((e) => e.originalError instanceof AggregateError)) return;
      const split = splitAggregateErrors(errors);
      errors.splice(0, errors.length, ...split);
    },
  };
  return { requestDidStart: async () => listener };
}

/**
 * The planned path inside Apollo Server's pipeline: a plugin answering `responseForOperation`
 * for the operations the planner covers, after parsing, validation and every
 * `didResolveOperation` check (limits, cost, scheduling) have run. Everything else returns null
 * and keeps the delegation path: same HTTP endpoint, landing page, APQ, plugins and logging.
 *
 * Routing, explicitly:
 * - mutations always take the delegation path, so every booking guard applies by construction;
 * - a request for a federated trace (`apollo-federation-include-trace: ftv1`) too, since the
 *   trace is built by execution;
 * - a document the planner does not cover (see planner.ts), or a request the forwarder hands
 *   back (variables that do not coerce, representations the guard refuses).
 *
 * Plans are cached per document hash and operation name in an LRU bounded in count
 * (PLAN_CACHE_SIZE) and in the bytes the plans keep (PLAN_CACHE_MAX_MB, retained.ts); "keeps the
 * delegation path" is cached too, so it is decided once per document.
 *
 * A response from `responseForOperation` skips Apollo's formatError and didEncounterErrors, so
 * errors are formatted and logged here exactly as the pipeline does it.
 */
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestListener, type GraphQLResponse } from '@apollo/server';
import type { Executor } from '@graphql-tools/utils';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { SubgraphContext } from '../context.js';
import { formatError } from '../format-error.js';
import { logUnexpectedErrors } from '../plugins/logging.js';
import { coercedVariablesOf } from '../operation/variables.js';
import { createForwarder } from './forward.js';
import { createSchemaMapping } from './mapping.js';
import { createPlanner, Fallback, type Plan } from './planner.js';
import { jsonBytes } from './retained.js';

export interface PlanPluginOptions {
  /** The schema served (subgraph names). */
  readonly schema: GraphQLSchema;
  /** The approved subset in Healthie's names. */
  readonly approved: GraphQLSchema;
  readonly executor: Executor<SubgraphContext>;
  readonly cacheSize: number;
  /** Bytes the cached plans may keep (retained.ts). */
  readonly cacheMaxBytes: number;
  readonly includeStacktrace: boolean;
}

export interface PlanStats {
  /** Planned requests whose plan came from the cache, and those that built it. */
  hits: number;
  misses: number;
  /** Requests answered by the planned path, and those left to delegation (any reason). */
  planned: number;
  delegated: number;
  /** Plans cached now, and the bytes they keep by the cache's estimate. */
  cachedPlans: number;
  cachedBytes: number;
}

export const TRACE_HEADER = 'apollo-federation-include-trace';

/** What a cached "keeps the delegation path" weighs: its reason and the cache's own entry. */
const FALLBACK_BYTES = 256;

/** Apollo Server's error normalisation (errorNormalize.ts), then the subgraph's formatError. */
export function formatErrors(errors: readonly GraphQLError[], includeStacktrace: boolean): GraphQLFormattedError[] {
  return errors.map((error) => {
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' };
    delete extensions.http;
    if (includeStacktrace) extensions.stacktrace = error.stack?.split('\n');
    try {
      return formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
}

export function planPlugin(options: PlanPluginOptions): { plugin: ApolloServerPlugin<SubgraphContext>; stats: () => PlanStats } {
  const mapping = createSchemaMapping(options.schema, options.approved);
  const planner = createPlanner(mapping);
  const forward = createForwarder(mapping, options.executor);
  const cache = new LRUCache<string, Plan | Fallback>({
    max: options.cacheSize,
    maxSize: options.cacheMaxBytes,
    // A plan too large for the bound is not cached: it is planned again on every request.
    sizeCalculation: (plan) => (plan instanceof Fallback ? FALLBACK_BYTES : Math.max(1, plan.retained.bytes)),
  });
  const stats = { hits: 0, misses: 0, planned: 0, delegated: 0 };

  // The hook keeps no state of its own per request: one listener serves every request.
  const listener: GraphQLRequestListener<SubgraphContext> = {
    async responseForOperation(requestContext): Promise<GraphQLResponse | null> {
      const { operation, document, queryHash, request, contextValue } = requestContext;
      // No operation (an unknown operationName): the cost check refuses it first; execution would too.
      if (!operation || operation.operation !== 'query' || request.http?.headers.get(TRACE_HEADER) === 'ftv1') {
        stats.delegated += 1;
        return null;
      }
      const key = `${queryHash}\u0000${request.operationName ?? ''}`;
      let plan = cache.get(key);
      if (plan) stats.hits += 1;
      else {
        stats.misses += 1;
        plan = planner(document, request.operationName);
        if (!(plan instanceof Fallback)) plan.retained.bytes += jsonBytes(document);
        cache.set(key, plan);
      }
      let result;
      if (!(plan instanceof Fallback)) {
        const weighed = plan.retained.bytes;
        result = await forward(plan, { variables: request.variables, coerced: coercedVariablesOf(requestContext), context: contextValue, operationName: request.operationName });
        // The plan cached another Healthie document: weigh it again, which may drop other plans
        // (the cache weighs an entry only when it is set anew, not when set to itself again).
        if (plan.retained.bytes !== weighed && cache.peek(key) === plan) {
          cache.delete(key);
          cache.set(key, plan);
        }
      }
      if (!result) {
        stats.delegated += 1;
        return null;
      }
      stats.planned += 1;
      if (result.errors.length > 0) logUnexpectedErrors(contextValue, result.errors);
      const singleResult = result.errors.length > 0 ? { errors: formatErrors(result.errors, options.includeStacktrace), data: result.data } : { data: result.data };
      return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult } };
    },
  };
  const plugin: ApolloServerPlugin<SubgraphContext> = { requestDidStart: async () => listener };
  return { plugin, stats: () => ({ ...stats, cachedPlans: cache.size, cachedBytes: cache.calculatedSize }) };
}

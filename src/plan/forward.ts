/**
 * The forwarder: one plan, one request's variables and credentials, one Healthie request (or,
 * for `_entities`, one per MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST references: forward-entities.ts),
 * and Healthie's answer returned with only the changes the plan lists.
 *
 * Why: the answer of a planned request is already in the client's shape (the plan keeps every
 * response key as an alias), so instead of executing the operation a second time the forwarder
 * has it completed in one walk (complete.ts), as graphql-js would have done on the delegation
 * path. Requests go through the same Healthie client (timeouts, error codes, the request's own
 * credentials) as delegation.
 *
 * Per request: the variables are coerced and renamed, the conditions of root fields that
 * depend on variables are evaluated (one bit each) to pick the cached Healthie document, and the
 * answer is completed. No document is walked, parsed or printed for a cached plan.
 *
 * Returns undefined when the request is better served by the delegation path, before anything
 * is sent: variables that do not coerce, or representations the `_entities` guard would refuse.
 * Their answers (BAD_USER_INPUT, QUERY_TOO_COMPLEX) are then exactly the delegation path's.
 */
import { getVariableValues, locatedError, type DocumentNode, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import type { SubgraphContext } from '../context.js';
import type { PreparedOperation } from '../operation/normalize.js';
import type { HealthieRequest } from '../upstream/client.js';
import { createCompleter, INVALID, nodesOf, type Run } from './complete.js';
import { createEntityForwarder } from './forward-entities.js';
import type { SchemaMapping } from './mapping.js';
import type { Plan, RootPlan, ShapeField, VariablesPlan } from './planner.js';
import { variantFor } from './roots.js';

export interface Forwarded {
  readonly data: Record<string, unknown> | null;
  /** Unformatted, as execution would have produced them. */
  readonly errors: readonly GraphQLError[];
}

export interface ForwardRequest {
  readonly variables: Record<string, unknown> | undefined;
  /** The variables as the cost check already coerced them (coercedVariablesOf), when it did. */
  readonly coerced?: Readonly<Record<string, unknown>> | undefined;
  readonly context: SubgraphContext;
  readonly operationName: string | undefined;
}

export interface CoercedVariables {
  /** The client's variables, coerced (subgraph names): conditions are evaluated on them. */
  readonly coerced: Record<string, unknown>;
  /** Every defined variable with a value, in Healthie's names. */
  readonly sent: Record<string, unknown>;
}

export interface ForwardTools {
  variablesFor(plan: VariablesPlan, request: ForwardRequest): CoercedVariables | undefined;
  /**
   * Sends `document`, whose one operation is named `operationName` (undefined: anonymous), as
   * `prepared` when given (its text, made without printing the document).
   */
  send(
    document: DocumentNode,
    variables: Record<string, unknown>,
    request: ForwardRequest,
    operationName: string | undefined,
    prepared?: PreparedOperation,
  ): Promise<ExecutionResult>;
}

/** Healthie's errors by the root key their path starts with; others are recorded at once. */
function errorsByRootKey(errors: readonly GraphQLError[], fields: readonly ShapeField[], run: Run): Map<string, GraphQLError[]> {
  const byKey = new Map<string, GraphQLError[]>();
  for (const error of errors) {
    const key = error.path?.[0];
    if (typeof key !== 'string' || !fields.some((field) => field.key === key)) run.errors.push(error);
    else byKey.get(key)?.push(error) ?? byKey.set(key, [error]);
  }
  return byKey;
}

export function createForwarder(mapping: SchemaMapping, executor: Executor<SubgraphContext>) {
  const completer = createCompleter(mapping);
  const queryTypeName = mapping.subgraph.getQueryType()!.name;

  const tools: ForwardTools = {
    variablesFor(plan, request) {
      // The cost check coerced them against the same definitions; coerce here only without it.
      let coerced = request.coerced;
      if (!coerced) {
        const result = getVariableValues(mapping.subgraph, plan.client, request.variables ?? {}, { maxErrors: 1 });
        if (result.errors) return undefined;
        coerced = result.coerced;
      }
      const sent: Record<string, unknown> = {};
      for (const definition of plan.definitions) {
        const name = definition.variable.name.value;
        if (!Object.hasOwn(coerced, name)) continue;
        const value = coerced[name];
        const mapper = plan.mappers.get(name);
        sent[name] = mapper && value != null ? mapper(value) : value;
      }
      return { coerced: coerced as Record<string, unknown>, sent };
    },
    async send(document, variables, request, operationName, prepared) {
      const upstream: HealthieRequest<SubgraphContext> = { document, variables, context: request.context, operationType: 'query' as never, operationName, prepared };
      return (await executor(upstream)) as ExecutionResult;
    },
  };
  const forwardEntities = createEntityForwarder(tools, completer);

  async function forwardRoot(plan: RootPlan, request: ForwardRequest): Promise<Forwarded | undefined> {
    const variables = tools.variablesFor(plan.variables, request);
    if (!variables) return undefined;
    const variant = variantFor(plan, variables.coerced);
    const run: Run = { errors: [], variables: variables.coerced };
    // No prototype: a response key such as `constructor` or `toString` must not read an inherited
    // member when Healthie answered nothing (`data: null`) or the key is answered here.
    let data: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    let byKey: Map<string, GraphQLError[]> | undefined;
    let nulled = false;
    if (variant.document) {
      let sent = variables.sent;
      if (variant.variables) {
        sent = {};
        for (const name of variant.variables) if (Object.hasOwn(variables.sent, name)) sent[name] = variables.sent[name];
      }
      let result: ExecutionResult;
      try {
        result = await tools.send(variant.document, sent, request, request.operationName);
      } catch (error) {
        // The whole request failed: every root field it carried fails with that error, as each
        // did on delegation.
        byKey = new Map();
        for (const field of variant.fields) {
          if (!variant.typenames.includes(field.key)) byKey.set(field.key, [locatedError(error, nodesOf(field, variables.coerced), [field.key])]);
        }
        result = { data: null };
      }
      // Healthie's errors belong to the root field at their path's start, reported with it.
      if (result.errors?.length) byKey = errorsByRootKey(result.errors, variant.fields, run);
      // Healthie's `data` is null when a non-null root field failed; the included keys still
      // complete (to null, propagated) so that the answer is execution's, but for those Healthie
      // computed and dropped (completeRoot).
      if (result.data) data = result.data as Record<string, unknown>;
      else nulled = true;
    }
    if (variant.typenames.length > 0) {
      // Answered here, in execution's order of keys.
      const ordered: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const field of variant.fields) ordered[field.key] = variant.typenames.includes(field.key) ? queryTypeName : data[field.key];
      data = ordered;
    }
    const completed = completer.completeRoot(variant.fields, data, run, byKey, nulled);
    return { data: completed === INVALID ? null : (completed as Record<string, unknown>), errors: run.errors };
  }

  return function forward(plan: Plan, request: ForwardRequest): Promise<Forwarded | undefined> {
    return plan.kind === 'root' ? forwardRoot(plan, request) : forwardEntities(plan, request);
  };
}

export type Forwarder = ReturnType<typeof createForwarder>;

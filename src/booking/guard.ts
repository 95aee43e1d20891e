/**
 * The booking guard: an Apollo Server plugin that decides, from the operation alone and before
 * anything is executed or sent, whether a mutation may run at all. At `didResolveOperation`, so
 * every execution path (delegation, or a plan answering from `responseForOperation`) sees it.
 *
 * - Scheduling is granted, never assumed: HEALTHIE_ALLOW_SCHEDULING, narrowed per request by the
 *   router's `x-healthie-scopes` header.
 * - At most one booking per operation. Mutation root fields are counted with fragments expanded,
 *   by response key (fields of one key are one execution): aliases, named and inline fragments
 *   all count, and so does a field under @include/@skip unless the directive provably skips it
 *   (a literal, or a variable sent as a boolean). Variables that do not fit their types are left
 *   to execution, which refuses them before any field runs.
 * - The Idempotency-Key header is well formed, and present when HEALTHIE_REQUIRE_IDEMPOTENCY_KEY.
 * Reads are never affected. It also sets `Idempotent-Replayed: true` on replayed answers.
 */
import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import { Kind, type DirectiveNode, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { SubgraphContext } from '../context.js';
import { ErrorCode, subgraphError } from '../errors.js';
import { excludes, knownCondition } from '../operation/conditions.js';
import { expandOperation, ExpansionLimitError } from '../operation/expand.js';
import { coerceVariables, coercedVariablesOf, VariableCoercionError } from '../operation/variables.js';
import { bookingRequestOf, SCOPES_HEADER } from './request.js';

export const REPLAYED_HEADER = 'idempotent-replayed';

export interface GuardOptions {
  readonly allowScheduling: boolean;
  readonly requireIdempotencyKey: boolean;
}

type Variables = Readonly<Record<string, unknown>> | undefined;

/** True only when @skip/@include certainly exclude the selection. */
function provablySkipped(directives: readonly DirectiveNode[] | undefined, variables: Variables, operation: OperationDefinitionNode): boolean {
  for (const directive of directives ?? []) {
    if (excludes(directive.name.value, knownCondition(directive, variables, operation))) return true;
  }
  return false;
}

/** Adds to `keys` the response key of every root field the selection may execute. */
function collectRootKeys(selectionSet: SelectionSetNode, variables: Variables, operation: OperationDefinitionNode, keys: Set<string>): void {
  for (const selection of selectionSet.selections) {
    if (provablySkipped(selection.directives, variables, operation)) continue;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') keys.add(selection.alias?.value ?? selection.name.value);
    }
    // expandOperation leaves only fields and inline fragments.
    else if (selection.kind === Kind.INLINE_FRAGMENT) collectRootKeys(selection.selectionSet, variables, operation, keys);
  }
}

/**
 * Mutation root fields an operation may execute (`__typename` aside), counted by response key:
 * GraphQL merges the fields of one response key into one field, executed once (a fragment spread
 * twice books once), and validation refuses fields of one key with different names or
 * arguments, so the keys are the executions. An operation too large to expand counts as many:
 * it is refused, never waved through.
 */
export function countMutationFields(document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  if (operation.operation !== 'mutation') return 0;
  try {
    const expanded = expandOperation(document, operation).definitions[0] as OperationDefinitionNode;
    const keys = new Set<string>();
    collectRootKeys(expanded.selectionSet, variables, operation, keys);
    return keys.size;
  } catch (error) {
    if (error instanceof ExpansionLimitError) return Number.POSITIVE_INFINITY;
    throw error;
  }
}

/**
 * Whether the request's variables fit their types. When they do not, execution refuses the
 * operation with BAD_USER_INPUT naming each variable before any field runs, so nothing is
 * booked; counting bookings first would answer a count (`@skip(if: $s)` with `$s: Boolean!`
 * sent as null is neither skipped nor kept) instead of the client's actual mistake.
 */
function variablesFit(requestContext: { readonly request: GraphQLRequest; readonly schema: GraphQLSchema }, operation: OperationDefinitionNode): boolean {
  if (coercedVariablesOf(requestContext)) return true;
  try {
    coerceVariables(requestContext.schema, operation, requestContext.request.variables ?? {});
    return true;
  } catch (error) {
    if (error instanceof VariableCoercionError) return false;
    throw error;
  }
}

export function bookingGuardPlugin(options: GuardOptions): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart({ contextValue }) {
      const booking = bookingRequestOf(contextValue);
      return {
        async didResolveOperation(requestContext) {
          const { document, operation, request } = requestContext;
          if (!operation) return;
          const fields = countMutationFields(document, operation, request.variables);
          if (fields === 0) return;
          // HTTP 200, as for any GraphQL error: a router or gateway turns a subgraph's non-2xx
          // answer into a transport error of its own, and the client would lose the code.
          const refuse = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) => {
            booking?.service.auditRefusal(contextValue, code);
            return subgraphError(code, message, { ...extensions, http: { status: 200 } });
          };
          if (!options.allowScheduling) {
            throw refuse(
              ErrorCode.FORBIDDEN,
              'Booking is not enabled on this subgraph: HEALTHIE_ALLOW_SCHEDULING is false. Set HEALTHIE_ALLOW_SCHEDULING=true on the server that should book appointments.',
            );
          }
          if (!booking) throw refuse(ErrorCode.INTERNAL_SERVER_ERROR, 'Booking state missing for this request.');
          const scopes = booking.scopes;
          if (scopes.kind === 'invalid') {
            throw refuse(ErrorCode.FORBIDDEN, `Booking refused: ${scopes.problem}. The router must send ${SCOPES_HEADER} once, as a comma-separated list of read, schedule.`);
          }
          if (scopes.kind === 'granted' && !scopes.scopes.includes('schedule')) {
            throw refuse(
              ErrorCode.FORBIDDEN,
              `Booking refused: ${SCOPES_HEADER} does not include "schedule" for this request. Grant the schedule scope to the tenant in the router's settings.`,
            );
          }
          // Execution refuses these variables (BAD_USER_INPUT) before anything runs.
          if (!variablesFit(requestContext, operation)) return;
          if (fields > 1) {
            throw refuse(
              ErrorCode.QUERY_TOO_COMPLEX,
              `An operation may book at most one appointment; this one has ${Number.isFinite(fields) ? fields : 'too many'} mutation fields (aliases and fragments count). Send one healthieCreateAppointment per operation.`,
              { mutationFields: Number.isFinite(fields) ? fields : null, maxMutationFields: 1 },
            );
          }
          if (booking.idempotencyKey.problem) throw refuse(ErrorCode.BAD_USER_INPUT, booking.idempotencyKey.problem);
          if (options.requireIdempotencyKey && booking.idempotencyKey.value === undefined) {
            throw refuse(
              ErrorCode.BAD_USER_INPUT,
              'Bookings need an Idempotency-Key header on this subgraph (HEALTHIE_REQUIRE_IDEMPOTENCY_KEY=true): send a new UUID per booking, and the same one when retrying it.',
            );
          }
        },
        async willSendResponse({ response }) {
          if (booking?.replayed) response.http.headers.set(REPLAYED_HEADER, 'true');
        },
      };
    },
  };
}

/**
 * What one Healthie answer means: the HTTP status and body text of a request that reached
 * Healthie, read into the operation's result or the failure to throw, with the outcome the client
 * records for it (metrics, the debug line).
 *
 * Why apart from the client (client.ts): the client decides when and how often a request is sent
 * (credentials, limits, slots, retries); this module only reads what came back, in order:
 * 1. a status outside 2xx: statusError (http-failures.ts), or Healthie's version refusal;
 * 2. a body outside GraphQL's response contract: UPSTREAM_BAD_RESPONSE (response-body.ts);
 * 3. Healthie refusing the API version (version.ts);
 * 4. Healthie's errors, split into one for the whole request and field errors (healthie-errors.ts);
 * 5. root fields left out or added (response-body.ts).
 * Failures carry whether Healthie ran anything (execution.ts).
 */
import type { ExecutionResult, GraphQLError, OperationDefinitionNode } from 'graphql';
import { ErrorCode } from '../errors.js';
import { answeredFailure } from './execution.js';
import { UpstreamFailure } from './failure.js';
import { translateErrors, type HealthieErrorPayload } from './healthie-errors.js';
import { statusError } from './http-failures.js';
import { answeredFields, graphQLResponse } from './response-body.js';
import type { VersionMonitor } from './version.js';

export interface AnswerReading {
  /** The operation's result; absent when `failure` is set. */
  readonly result?: ExecutionResult;
  /** What the client throws (an UpstreamFailure, or Healthie's refusal marked by answeredFailure). */
  readonly failure?: GraphQLError;
  /** `ok` or the error code: the outcome the client records. */
  readonly outcome: string;
  /** What the debug line says of the answer (status, codes, counts; never its content). */
  readonly fields: Record<string, unknown>;
  /** Healthie answered that the key is over its rate (HTTP 429 or its TOO_MANY_REQUESTS error). */
  readonly rateLimited: boolean;
}

export interface AnswerContext {
  /** The operation sent (fragments inlined), which the answer's errors and fields are read against. */
  readonly operation: OperationDefinitionNode;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
  /** A write (booking): a failure may not be retried. */
  readonly write: boolean;
  readonly version?: VersionMonitor;
}

function failed(failure: GraphQLError, status: number, rateLimited = false, extra: Record<string, unknown> = {}): AnswerReading {
  const code = failure.extensions.code as string;
  return { failure, outcome: code, fields: { upstreamStatus: status, code, ...extra }, rateLimited };
}

export function readAnswer(status: number, text: string, context: AnswerContext): AnswerReading {
  if (status < 200 || status >= 300) {
    // 401/403, 429 and a GraphQL request error say that Healthie ran nothing (execution.ts).
    const failure = answeredFailure(context.version?.inspectText(text, status) ?? statusError(status, context.write), status, graphQLResponse(text));
    return failed(failure, status, status === 429);
  }
  const payload = graphQLResponse(text);
  if (!payload) return failed(new UpstreamFailure(ErrorCode.UPSTREAM_BAD_RESPONSE, 'Healthie answered with a body that is not a GraphQL response.', { sent: true }), status);
  // Errors of the whole request: with no `data` in the answer, Healthie ran nothing (execution.ts).
  const unsupported = context.version?.inspect(payload, status);
  if (unsupported) return failed(answeredFailure(unsupported, status, payload), status);
  const received = Array.isArray(payload.errors) ? (payload.errors as HealthieErrorPayload[]) : [];
  const { fatal, fieldErrors, dropped } = translateErrors(received, context.operation);
  const rateLimited = fatal?.extensions.code === ErrorCode.UPSTREAM_RATE_LIMITED;
  if (fatal) return failed(answeredFailure(fatal, status, payload), status, rateLimited, { fieldErrors: fieldErrors.length, droppedErrors: dropped });
  // Every root field asked has its entry, and no other (response-body.ts).
  const answered = payload.data ? answeredFields(payload.data, context.operation, context.variables, fieldErrors) : undefined;
  if (answered?.badAnswers.length) fieldErrors.push(...answered.badAnswers);
  const shape = answered && (answered.missing.length > 0 || answered.unasked > 0) ? { missingFields: answered.missing.length, unaskedFields: answered.unasked } : {};
  return {
    result: { data: answered?.data ?? payload.data ?? null, ...(fieldErrors.length > 0 ? { errors: fieldErrors } : {}) } as ExecutionResult,
    outcome: 'ok',
    fields: { upstreamStatus: status, code: undefined, fieldErrors: fieldErrors.length, droppedErrors: dropped, ...shape },
    rateLimited,
  };
}

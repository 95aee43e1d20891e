/**
 * Whether Healthie ran a request it answered: the one rule that tells "certainly not executed"
 * from "may have been executed".
 *
 * Why: a booking that failed may be sent again without looking first only when Healthie certainly
 * did not run it; everything else may have made the appointment (src/booking/uncertain.ts). An
 * answer proves that nothing ran only when it says so by its form, never by its wording:
 * - HTTP 401 or 403: the key was refused before anything ran;
 * - HTTP 429: the request was refused for the rate before anything ran;
 * - a GraphQL response without a `data` entry (HTTP 2xx or 4xx). The GraphQL specification
 *   ("Response") leaves `data` out exactly when an error was raised before execution began: a
 *   parse error, a validation error, a variable that does not coerce, or a refusal of the whole
 *   request (Healthie's TOO_MANY_REQUESTS, UNSUPPORTED_API_VERSION, a refused key). Once
 *   execution began, `data` is present, null included.
 * Everything else may have run: no answer, a 5xx (a gateway in front of Healthie answers 502 or
 * 504 after the application ran, with a body of its own, even one without `data`), a 3xx, a body
 * that is not a GraphQL response, and any answer with `data`, even `null` or beside an error
 * coded TOO_MANY_REQUESTS. An answer without `data` whose errors sit on fields of the request
 * (execution errors, so a contradictory answer) reaches the booking as a field error, which
 * counts as "may have" too. When in doubt, it may have run.
 */
import type { GraphQLError } from 'graphql';
import { notExecuted } from './failure.js';
import type { GraphQLResponseBody } from './response-body.js';

/** `body`: the answer read as a GraphQL response (response-body.ts), undefined when it is not one. */
export function certainlyNotExecuted(status: number, body: GraphQLResponseBody | undefined): boolean {
  if (status === 401 || status === 403 || status === 429) return true;
  const refusedStatus = (status >= 200 && status < 300) || (status >= 400 && status < 500);
  return refusedStatus && body !== undefined && !('data' in body) && Array.isArray(body.errors) && body.errors.length > 0;
}

/** `error`, the failure an answer (`status`, `body`) came to, marked as not executed when the answer proves it. */
export function answeredFailure(error: GraphQLError, status: number, body: GraphQLResponseBody | undefined): GraphQLError {
  return certainlyNotExecuted(status, body) ? notExecuted(error) : error;
}

/**
 * The log line and count of a request refused before any GraphQL operation runs: by the router
 * secret or Host check, by the body reader, by Apollo Server's own HTTP checks (CSRF prevention,
 * batches, methods, body shape), by Node itself (malformed HTTP, headers too large, too slow), or
 * as an unknown route. The logging and metrics plugins see only requests that reach Apollo's
 * operation pipeline; without this, such refusals left no trace, a guessed ROUTER_SECRET among them.
 *
 * Refusals are recorded where they are answered, so requests that are not refused pay nothing
 * for it. The line has the fields of the "graphql request" line that apply (request id, duration,
 * error codes) and the HTTP status; never headers, body, query text or variables.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { REQUEST_ID_HEADER, requestIdFrom } from '../context.js';
import { codeOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** A refusal's JSON body, as every refusal here is written. */
export interface ErrorBody {
  readonly errors: ReadonlyArray<{ readonly message: string; readonly extensions?: Record<string, unknown> }>;
}

export interface RequestLog {
  readonly logger: Logger;
  /**
   * Logs and counts one refused request: `body` is the answer sent (or its JSON text) and
   * `started` the `performance.now()` at which the request reached its handler, when known.
   */
  refused(requestId: string, status: number, body: ErrorBody | string, started?: number): void;
}

export function requestLog(logger: Logger, metrics: Metrics): RequestLog {
  return {
    logger,
    refused(requestId, status, body, started) {
      const errorCodes = codesOf(body);
      logger.info(
        { requestId, status, ...(started === undefined ? {} : { durationMs: Math.round(performance.now() - started) }), errorCodes },
        'request refused',
      );
      // Counted as requests whose operation never ran: the operation type is `none`.
      for (const code of errorCodes) metrics.requests.inc({ operation_type: 'none', code });
    },
  };
}

/** The request id a refusal is logged and answered under: the router's when usable, else a new one. */
export function refusalRequestId(req: IncomingMessage | undefined): string {
  return requestIdFrom(req?.headersDistinct ?? {});
}

/** Writes `body` as JSON with `status` and the request id, then logs and counts the refusal. */
export function refuse(
  res: ServerResponse,
  status: number,
  body: ErrorBody,
  log: RequestLog,
  started?: number,
  requestId = refusalRequestId(res.req),
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader(REQUEST_ID_HEADER, requestId);
  res.end(text);
  log.refused(requestId, status, body, started);
}

/** The distinct codes of a refusal's errors; a body that is not the expected JSON counts as one unknown error. */
function codesOf(body: ErrorBody | string): string[] {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const errors = (parsed as Partial<ErrorBody> | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return [codeOf(undefined)];
  return [...new Set(errors.map((error: ErrorBody['errors'][number]) => codeOf(error)))];
}

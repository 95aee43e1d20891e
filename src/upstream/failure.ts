/**
 * The error the Healthie client throws, and whether the request may have reached Healthie.
 *
 * Why a property: a failed booking is safe to send again only when Healthie certainly never saw
 * it. `sent` is false only when no byte of the request left this process for Healthie (no
 * credentials, a limit refused it, the breaker was open, the per-key queue timed out, or the
 * connection was refused or could not be opened); every other failure (timeouts, resets,
 * any HTTP answer) is `sent: true`, meaning "may have been processed". Among those, an answer
 * that proves Healthie did not run the request (execution.ts: a refused key, a rate-limit refusal,
 * a GraphQL response without `data`) is also `executed: false`: a booking refused that way was
 * certainly not made. Errors travel through graphql-tools and graphql-js wrapped in other errors;
 * `mayHaveReachedHealthie` and `mayHaveExecuted` find the client's own error inside them.
 */
import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../errors.js';

/** Why a read may be sent again: Healthie asked for a pause, failed, or was never reached. */
export type RetryReason = 'rate_limited' | 'http_5xx' | 'connect';

export interface FailureOptions {
  /** False only when Healthie certainly never received the request. */
  readonly sent: boolean;
  /** False when Healthie answered and its answer proves it did not run the request (execution.ts). */
  readonly executed?: false;
  readonly extensions?: Record<string, unknown>;
  /** Set when a read failing this way may be retried. */
  readonly retry?: RetryReason;
  /** True for failures that say the endpoint is unhealthy (5xx, timeouts, connection errors). */
  readonly endpointFailure?: boolean;
}

export class UpstreamFailure extends GraphQLError {
  readonly sent: boolean;
  /** False only when Healthie certainly did not run the request (never sent, or refused unrun). */
  readonly executed: boolean;
  readonly retry: RetryReason | undefined;
  readonly endpointFailure: boolean;

  constructor(code: ErrorCode, message: string, options: FailureOptions) {
    super(message, { extensions: { ...options.extensions, code } });
    this.name = 'UpstreamFailure';
    this.sent = options.sent;
    this.executed = options.sent && options.executed !== false;
    this.retry = options.retry;
    this.endpointFailure = options.endpointFailure ?? false;
  }
}

/**
 * `error` (a failure of a request Healthie answered) marked as certainly not executed, with the
 * same code, message, extensions and retry reason. Used only where execution.ts says so.
 */
export function notExecuted(error: GraphQLError): UpstreamFailure {
  const { code, ...extensions } = error.extensions;
  const failure = error instanceof UpstreamFailure ? error : undefined;
  return new UpstreamFailure(code as ErrorCode, error.message, {
    sent: true,
    executed: false,
    extensions,
    ...(failure?.retry ? { retry: failure.retry } : {}),
    endpointFailure: failure?.endpointFailure ?? false,
  });
}

/** The client's UpstreamFailure inside `error` (itself, an originalError, or an AggregateError item). */
export function findUpstreamFailure(error: unknown, depth = 0): UpstreamFailure | undefined {
  if (error instanceof UpstreamFailure) return error;
  if (!error || typeof error !== 'object' || depth > 8) return undefined;
  const inner = (error as { originalError?: unknown }).originalError;
  if (inner) return findUpstreamFailure(inner, depth + 1);
  if (error instanceof AggregateError) {
    for (const item of error.errors) {
      const found = findUpstreamFailure(item, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Whether a failed operation may have been received (and acted on) by Healthie. Unknown errors
 * count as "may have": only a positive "not sent" makes a retry safe.
 */
export function mayHaveReachedHealthie(error: unknown): boolean {
  return findUpstreamFailure(error)?.sent ?? true;
}

/**
 * Whether a failed operation may have been run by Healthie (a booking: may have been made). False
 * when nothing was sent, or when Healthie's answer proves it did not run it (execution.ts).
 * Unknown errors count as "may have".
 */
export function mayHaveExecuted(error: unknown): boolean {
  return findUpstreamFailure(error)?.executed ?? true;
}

/**
 * What an HTTP answer that is not a GraphQL response, or a failed connection, means for this
 * subgraph: the client's translation of statuses and network errors into stable codes, kept apart
 * from the request flow in client.ts. Nothing of a body is read here; Healthie's text never
 * reaches an error or a log through this module.
 *
 * Messages say whether the request was sent. A write (a booking) that may have reached Healthie
 * gets no advice to retry here: sending it again could book twice, and only the booking layer
 * (src/booking/uncertain.ts) knows what makes a retry safe, so it adds that advice.
 */
import { errors as undiciErrors } from 'undici';
import { ErrorCode } from '../errors.js';
import { UpstreamFailure } from './failure.js';
import { REJECTED_KEY_MESSAGE } from './healthie-errors.js';

/** Connection failures that happen before any byte of the request is written. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** `write`: the request was a mutation, sent once and never retried (see the module comment). */
export function statusError(status: number, write = false): UpstreamFailure {
  const extensions = { upstreamStatus: status };
  if (status === 401 || status === 403) return new UpstreamFailure(ErrorCode.UNAUTHENTICATED, REJECTED_KEY_MESSAGE, { sent: true });
  if (status === 429) {
    return new UpstreamFailure(ErrorCode.UPSTREAM_RATE_LIMITED, 'Healthie is rate limiting this account (HTTP 429); retry after a pause.', {
      sent: true,
      retry: 'rate_limited',
    });
  }
  if (status >= 500) {
    return new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE, write ? `Healthie answered HTTP ${status}.` : `Healthie answered HTTP ${status}; retry later.`, {
      sent: true,
      extensions,
      retry: 'http_5xx',
      endpointFailure: true,
    });
  }
  return new UpstreamFailure(ErrorCode.UPSTREAM_BAD_RESPONSE, `Healthie answered HTTP ${status} to a GraphQL request.`, { sent: true, extensions });
}

export function transportError(error: unknown, timeoutMs: number, write = false): UpstreamFailure {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError' || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamFailure(ErrorCode.UPSTREAM_TIMEOUT, `Healthie did not answer within ${timeoutMs} ms (HEALTHIE_TIMEOUT_MS).`, {
      sent: true,
      endpointFailure: true,
    });
  }
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) {
    return new UpstreamFailure(ErrorCode.UPSTREAM_BAD_RESPONSE, "Healthie's response exceeded the size limit; request fewer records or fields.", { sent: true });
  }
  const raw = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  const code = typeof raw === 'string' && /^[A-Z_]{2,40}$/.test(raw) ? raw : 'network error';
  const sent = !NOT_SENT_CODES.has(code);
  const message = !sent
    ? `Healthie could not be reached (${code}); nothing was sent. Check HEALTHIE_API_URL and the network, then retry.`
    : write
      ? `The connection to Healthie failed (${code}) before its answer arrived.`
      : `The connection to Healthie failed (${code}) before its answer arrived; check HEALTHIE_API_URL and the network, then retry.`;
  return new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE, message, {
    sent,
    endpointFailure: true,
    ...(sent ? {} : { retry: 'connect' as const }),
  });
}

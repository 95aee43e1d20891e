/**
 * Failures before GraphQL begins (a request that is not HTTP, headers too large, a body that is
 * not JSON, too large, compressed wrongly, an unknown route) answered as GraphQL-shaped JSON with
 * a stable code, never as an HTML page with a stack or an empty body: clients and routers read
 * `errors[0].extensions.code` whatever went wrong.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { describeForLog } from '../plugins/logging.js';

/** A JSON answer on a plain Node response (Express's `res.json` is not there outside Express). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(text);
}

/** Largest accepted request body. Operations are small; large bodies are abuse or mistakes. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** What the client did wrong, by body-parser error type or by status. */
const HTTP_MESSAGES: Record<string | number, string> = {
  'entity.parse.failed': 'Request body must be a JSON object: {"query": "...", "variables": {...}} with Content-Type: application/json.',
  'entity.too.large': `Request body exceeds ${MAX_REQUEST_BYTES} bytes; send a smaller operation.`,
  'charset.unsupported': 'Request body must be UTF-8 JSON (Content-Type: application/json; charset=utf-8).',
  'encoding.unsupported': 'Request body must not be compressed.',
  400: 'Request body could not be read: send uncompressed UTF-8 JSON with Content-Type: application/json.',
  404: 'Not found: GraphQL is served at /graphql, health at /healthz and /readyz.',
};

export function httpError(status: number, message = HTTP_MESSAGES[status] ?? 'Internal server error.') {
  return { errors: [{ message, extensions: { code: status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL_SERVER_ERROR } }] };
}

/**
 * Answers `thrown` (a body-parser error carries `status` and `type`; anything else is a 500).
 * A 500 is logged with its type and stack but not its message, which can quote the request.
 */
export function answerHttpError(thrown: unknown, res: ServerResponse, logger: Logger): void {
  const error = thrown as { status?: unknown; type?: unknown } | undefined;
  const status = typeof error?.status === 'number' ? error.status : 500;
  if (status >= 500) logger.error({ error: describeForLog(thrown) }, 'http error');
  if (res.headersSent) {
    // Part of an answer is out: all that is left is to end the connection.
    res.destroy();
    return;
  }
  sendJson(res, status, httpError(status, HTTP_MESSAGES[error?.type as string]));
}

/** Node's own refusals (its HTTP parser and timeouts), by error code: status and message. */
const CLIENT_ERRORS: Record<string, readonly [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request headers are too large; send at most 16 KB of headers.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request did not arrive in time; send it again, whole.'],
};

/**
 * The server's `clientError` handler: a request Node refuses before any route sees it (malformed
 * HTTP, oversized headers, a request too slow to arrive) gets the same JSON as every other
 * refusal, with BAD_REQUEST, instead of Node's bare status line. As Node does, it answers only
 * when nothing of a response has been written on that connection yet, then closes it.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'The request is not valid HTTP/1.1; send a POST to /graphql with a JSON body.'];
    const body = JSON.stringify(httpError(status, message));
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy();
}

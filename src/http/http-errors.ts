/**
 * Failures before GraphQL begins (a request that is not HTTP, headers too large, a body that is
 * not JSON, too large, in an encoding not accepted or not decompressing, an unknown route, a
 * check's refusal) answered as GraphQL-shaped JSON with a stable code, never as an HTML page with
 * a stack or an empty body: clients and routers read `errors[0].extensions.code` whatever went
 * wrong. Each is logged and counted once (refusals.ts).
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { REQUEST_ID_HEADER } from '../context.js';
import { ErrorCode } from '../errors.js';
import { describeForLog } from '../plugins/logging.js';
import { BODY_ENCODINGS } from './json-body.js';
import { refusalRequestId, refuse, type ErrorBody, type RequestLog } from './refusals.js';

/**
 * A check's refusal (router secret, Host), passed to `next` rather than written by the check, so
 * that one place answers, logs and counts every refusal, on `/graphql` and Express routes alike.
 */
export class Refusal {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {}
}

/** Largest accepted request body. Operations are small; large bodies are abuse or mistakes. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** How a body may be sent, as its refusals state it. */
const ENCODINGS_ACCEPTED = `uncompressed (no Content-Encoding, or identity) or compressed once with one of ${BODY_ENCODINGS.join(', ')}`;

/** What the client did wrong, by body-parser error type or by status. */
const HTTP_MESSAGES: Record<string | number, string> = {
  'entity.parse.failed': 'Request body must be a JSON object: {"query": "...", "variables": {...}} with Content-Type: application/json.',
  'entity.too.large': `Request body exceeds ${MAX_REQUEST_BYTES} bytes (counted once decompressed); send a smaller operation.`,
  'charset.unsupported': 'Request body must be UTF-8 JSON (Content-Type: application/json; charset=utf-8).',
  'encoding.unsupported': `Request body's Content-Encoding is not accepted: send it ${ENCODINGS_ACCEPTED}.`,
  400: 'Request body could not be read: send UTF-8 JSON with Content-Type: application/json.',
  404: 'Not found: GraphQL is served at /graphql, health at /healthz and /readyz.',
};

/** The client's header value, lower-cased and cut short: echoed only to that client, never logged. */
function quoted(value: string): string {
  const lower = value.toLowerCase();
  return `"${lower.length > 40 ? `${lower.slice(0, 40)}…` : lower}"`;
}

/**
 * The refusal of a Content-Encoding body-parser does not decode (415), naming it: one it does not
 * know, or several stacked in one header (`gzip, identity`), which it does not take apart.
 */
function encodingMessage(encoding: unknown): string | undefined {
  if (typeof encoding !== 'string' || encoding === '') return undefined;
  const stacked = encoding.includes(',') ? ' (several encodings in one header are not accepted)' : '';
  return `Request body's Content-Encoding ${quoted(encoding)} is not accepted${stacked}: send it ${ENCODINGS_ACCEPTED}.`;
}

/**
 * The refusal of a body that does not decompress as its Content-Encoding says (400): body-parser
 * passes the decompressor's error on untyped, where every failure of its own reading is typed.
 */
function decompressionMessage(error: { status?: unknown; type?: unknown }, res: ServerResponse): string | undefined {
  const encoding = res.req?.headers['content-encoding'];
  if (error.status !== 400 || error.type !== undefined || typeof encoding !== 'string' || !BODY_ENCODINGS.includes(encoding.toLowerCase())) return undefined;
  return `Request body did not decompress as its Content-Encoding ${quoted(encoding)} says: send it compressed with that encoding, or uncompressed without Content-Encoding.`;
}

/**
 * The refusal of a body's charset, naming the charset sent (body-parser's `charset`, lower-cased,
 * cut short: it is the client's header, echoed only to that client and never logged).
 */
function charsetMessage(charset: unknown): string | undefined {
  if (typeof charset !== 'string' || charset === '') return undefined;
  const named = charset.length > 40 ? `${charset.slice(0, 40)}…` : charset;
  return `Request body must be UTF-8 JSON, not charset "${named}": send Content-Type: application/json; charset=utf-8, or no charset.`;
}

export function httpError(status: number, message = HTTP_MESSAGES[status] ?? 'Internal server error.') {
  return { errors: [{ message, extensions: { code: status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL_SERVER_ERROR } }] };
}

/**
 * Requests Node's clientError handler has already answered (a body too slow to arrive): their
 * handler then sees the body fail too, and must neither answer nor log them a second time.
 */
const answeredByNode = new WeakSet<ServerResponse>();

/**
 * Answers `thrown`: a check's `Refusal`, or a body-parser error (it carries `status` and `type`);
 * anything else is a 500, logged with its type and stack but not its message, which can quote
 * the request. `started` is when the request reached its handler, for the log line's duration.
 */
export function answerHttpError(thrown: unknown, res: ServerResponse, log: RequestLog, started?: number): void {
  if (answeredByNode.has(res)) return;
  if (thrown instanceof Refusal && !res.headersSent) {
    refuse(res, thrown.status, thrown.body, log, started);
    return;
  }
  const error = thrown as { status?: unknown; type?: unknown; charset?: unknown; encoding?: unknown } | undefined;
  const status = typeof error?.status === 'number' ? error.status : 500;
  // Once an answer is under way, its id is the one the request line was logged under.
  const requestId = (res.getHeader(REQUEST_ID_HEADER) as string | undefined) ?? refusalRequestId(res.req);
  if (status >= 500) log.logger.error({ requestId, error: describeForLog(thrown) }, 'http error');
  if (res.headersSent) {
    // Part of an answer is out (and its request line logged): all that is left is to end the connection.
    res.destroy();
    return;
  }
  const message =
    (error?.type === 'charset.unsupported' ? charsetMessage(error.charset) : undefined) ??
    (error?.type === 'encoding.unsupported' ? encodingMessage(error.encoding) : undefined) ??
    (error ? decompressionMessage(error, res) : undefined) ??
    HTTP_MESSAGES[error?.type as string];
  refuse(res, status, httpError(status, message), log, started, requestId);
}

/** The last handlers of an Express app: unknown routes, then every refusal or failure, as JSON, logged and counted. */
export function expressFallbacks(log: RequestLog): [RequestHandler, ErrorRequestHandler] {
  return [(_req, res) => refuse(res, 404, httpError(404), log), (error, _req, res, _next) => answerHttpError(error, res, log)];
}

/** Node's own refusals (its HTTP parser and timeouts), by error code: status and message. */
const CLIENT_ERRORS: Record<string, readonly [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request headers are too large; send at most 16 KB of headers.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request did not arrive in time; send it again, whole.'],
};

/**
 * The server's `clientError` handler: a request Node refuses before any route sees it (malformed
 * HTTP, oversized headers, a request too slow to arrive) gets the same JSON as every other
 * refusal, with BAD_REQUEST, instead of Node's bare status line, and its log line. As Node does,
 * it answers only when nothing of a response has been written on that connection yet, then
 * closes it. A client that reset the connection is not answered, and not logged as refused.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex, log: RequestLog): void {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'The request is not valid HTTP/1.1; send a POST to /graphql with a JSON body.'];
    // A request whose headers arrived (its body did not in time) keeps the router's request id.
    const requestId = refusalRequestId(inFlight?.req);
    const body = httpError(status, message);
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
    if (inFlight) answeredByNode.add(inFlight);
    log.refused(requestId, status, body);
  }
  socket.destroy();
}

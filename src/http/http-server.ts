/**
 * The Node HTTP servers this subgraph listens with (GraphQL and, on METRICS_PORT, metrics): how
 * long a client may take to send its request, how precisely that holds, and the JSON answer and
 * log line for what Node refuses itself (http-errors.ts). Slow senders must not hold sockets.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerClientError } from './http-errors.js';
import type { RequestLog } from './refusals.js';

export interface HttpTimeouts {
  /** Time from a request's first byte until its headers are in. */
  readonly headersMs: number;
  /** Time from a request's first byte until all of it (headers and body) is in. */
  readonly requestMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000 };

/**
 * How often Node compares open requests with those limits, and so how late past a limit a slow
 * request may be cut off. Node's default (30 s) let a 10 s header limit hold for up to 40 s; a
 * check every second walks the list of open connections once a second, which costs nothing
 * measurable.
 */
export const TIMEOUT_CHECK_MS = 1_000;

export function createHttpServer(handler: RequestListener, log: RequestLog, timeouts: HttpTimeouts = HTTP_TIMEOUTS): Server {
  const server = createServer(
    { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: TIMEOUT_CHECK_MS },
    handler,
  );
  // Every header is read. Node otherwise keeps the first 2,000 header lines and drops the rest
  // without a word: a Content-Length, an API key or a repeated x-healthie-scopes placed after them
  // went unseen, and the scope check read the one copy it was shown. The 16 KiB bound on all
  // headers together (Node's maxHeaderSize, answered 431) still bounds the work.
  server.maxHeadersCount = 0;
  server.on('clientError', (error: Error & { code?: string }, socket) => answerClientError(error, socket, log));
  return server;
}

/** Starts `server` listening; resolves with the port bound (0 picks one). */
export function listenOn(server: Server, port: number | undefined, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Stops `server` when it is listening. */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
}

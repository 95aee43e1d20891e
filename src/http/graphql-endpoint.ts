/**
 * `/graphql` as a plain Node request handler: the checks in front of Apollo Server (Host, CORS,
 * router secret), the JSON body, then Apollo's `executeHTTPGraphQLRequest`, whose pipeline
 * (CSRF prevention, APQ, parsing, validation, plugins, error formatting) answers every operation.
 *
 * Why not Express here: every GraphQL request paid for Express's router, its response helpers
 * (an ETag hashed over each answer nobody caches) and an integration layer, which together cost
 * about as much CPU as the whole request does in a plain proxy. The other routes (`/healthz`,
 * `/readyz`, `/metrics`, 404s) keep Express; they are not on the hot path. The body is still read
 * by body-parser (limits, charsets, compressed bodies), the same library Express uses.
 *
 * A request Apollo Server refuses before running an operation (CSRF prevention, a batch, a
 * method, a body of the wrong shape) never reaches the logging and metrics plugins; the handler
 * logs and counts it here (refusals.ts), as `onError` does for the checks and the body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import { REQUEST_ID_HEADER, type SubgraphContext } from '../context.js';
import { refusalRequestId, type RequestLog } from './refusals.js';

/** The signature Express and Connect middleware share, so the same checks serve both. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface GraphQLEndpointOptions {
  readonly apollo: ApolloServer<SubgraphContext>;
  /** Builds the operation's context (credentials, loaders) from the request. */
  readonly context: (req: IncomingMessage) => Promise<SubgraphContext>;
  /** Run in order before the body is read; any of them may answer and stop the request. */
  readonly checks: readonly Middleware[];
  /** Reads the JSON body into `req.body`. */
  readonly body: Middleware;
  /**
   * Answers a failure of a check, of the body or of the handler itself; `started` is the
   * `performance.now()` at which the request reached the handler.
   */
  readonly onError: (error: unknown, req: IncomingMessage, res: ServerResponse, started: number) => void;
  /** Where requests Apollo Server refuses itself are logged and counted. */
  readonly log: RequestLog;
}

/** The path this endpoint serves, without its query string. */
export const GRAPHQL_PATH = '/graphql';

export function isGraphQLPath(url: string | undefined): boolean {
  if (!url?.startsWith(GRAPHQL_PATH)) return false;
  const rest = url.charCodeAt(GRAPHQL_PATH.length);
  // Exactly /graphql, optionally followed by a query string (GET operations) or a slash.
  return Number.isNaN(rest) || rest === 0x3f /* ? */ || (rest === 0x2f /* / */ && url.length === GRAPHQL_PATH.length + 1);
}

export function graphqlEndpoint(options: GraphQLEndpointOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const steps: Middleware[] = [...options.checks, options.body];
  return (req, res) => {
    // The one cost every request pays for refusals to be logged with a duration: a clock read.
    const started = performance.now();
    const fail = (error: unknown) => options.onError(error, req, res, started);
    let index = 0;
    const next = (error?: unknown): void => {
      if (error) return fail(error);
      const step = steps[index++];
      if (!step) {
        execute(options, req, res, started).catch(fail);
        return;
      }
      try {
        step(req, res, next);
      } catch (thrown) {
        fail(thrown);
      }
    };
    next();
  };
}

async function execute(options: GraphQLEndpointOptions, req: IncomingMessage, res: ServerResponse, started: number): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const httpGraphQLRequest: HTTPGraphQLRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    headers,
    search: query === -1 ? '' : url.slice(query),
    body: (req as { body?: unknown }).body,
  };
  const response = await options.apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => options.context(req) });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  const status = (res.statusCode = response.status ?? 200);
  if (response.body.kind === 'complete') {
    // The logging plugin sets the request id on every answer of the operation pipeline (and
    // logged it there); an error without one is Apollo Server's own refusal of the request.
    if (status >= 400 && !response.headers.has(REQUEST_ID_HEADER)) {
      const requestId = refusalRequestId(req);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      res.end(response.body.string);
      options.log.refused(requestId, status, response.body.string, started);
      return;
    }
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

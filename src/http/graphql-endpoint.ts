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
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import type { SubgraphContext } from '../context.js';

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
  /** Answers a failure of a check, of the body or of the handler itself. */
  readonly onError: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
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
    const fail = (error: unknown) => options.onError(error, req, res);
    let index = 0;
    const next = (error?: unknown): void => {
      if (error) return fail(error);
      const step = steps[index++];
      if (!step) {
        execute(options, req, res).catch(fail);
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

async function execute(options: GraphQLEndpointOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

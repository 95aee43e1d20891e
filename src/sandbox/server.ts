/**
 * The sandbox's HTTP server: `POST /graphql` with Healthie's headers, limits and status codes.
 *
 * Order of checks, as a request meets them upstream: route and method → body size → (artificial
 * latency) → API version → authentication → per-account rate → JSON → GraphQL. Requests are
 * recorded in memory for tests; nothing about a request is logged.
 */
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNTS } from './accounts.js';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { UNAUTHENTICATED_MESSAGE, authenticate, header } from './auth.js';
import { seedAccount, type AccountData } from './data.js';
import { readRequestBody, runGraphQL, type GraphQLRequestBody } from './execute.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimit } from './limits.js';
import { loadSandboxSchema } from './resolvers.js';
import { API_VERSION_HEADER, servedVersions, unsupportedVersion, versionWarnings } from './versions.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Healthie's documented answer over the rate: HTTP 200 with only this error, no data. */
export const RATE_LIMITED_MESSAGE = 'Too many requests. Please try again later.';
/** Requests kept for inspection; the oldest are dropped beyond this so a long-running sandbox cannot grow without bound. */
export const MAX_RECORDED_REQUESTS = 10_000;

export interface SandboxOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port to bind; default 0 (ephemeral). */
  port?: number;
  /** Per-account request rate; default 600 requests per 60 s. */
  rateLimit?: RateLimit;
  /** Artificial delay before answering (benchmarks, timeout tests); default 0. */
  latencyMs?: number;
  /** Clock for "today", past-date validation and is_upcoming; also anchors the seeded calendar. */
  now?: () => Date;
  /**
   * More API versions to answer, each with a Healthie SDL whose fields all resolve to null:
   * enough to introspect another version (the upstream drift check), not to query it.
   */
  extraVersions?: Readonly<Record<string, string>>;
}

/** One HTTP request received; kept in memory for tests, never logged. */
export interface RecordedRequest {
  /** Every request header, lower-cased (authorization, authorizationsource, authorizationshard, …). */
  headers: Record<string, string | undefined>;
  /** The GraphQL document; empty when the body was not a GraphQL request. */
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** 'demo' | 'second' | 'sharded' once authenticated. */
  account?: string;
  /** HTTP status returned (0 while the request is still being answered). */
  status: number;
}

export interface StartedSandbox {
  /** e.g. http://127.0.0.1:PORT/graphql */
  url: string;
  /** Everything received, oldest first. */
  requests: RecordedRequest[];
  /** The Healthie API version the sandbox's data is served on (that of schema/healthie-approved.graphql). */
  apiVersion: string;
  clearRequests(): void;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

const errorReply = (status: number, code: string, message: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { errors: [{ message, extensions: { code } }] },
  ...(headers ? { headers } : {}),
});

/**
 * The body as text, or undefined when it exceeds MAX_BODY_BYTES. An oversized body keeps being
 * read and discarded after the answer is decided, so the client receives the 413 instead of a
 * reset connection.
 */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      request.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        resolve(undefined);
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
    request.on('close', () => reject(new Error('The client closed the connection')));
  });
}

function recordHeaders(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  const payload = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  response.end(payload);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<StartedSandbox> {
  const { schema, apiVersion } = await loadSandboxSchema();
  const schemas = new Map<string, GraphQLSchema>([[apiVersion, schema]]);
  for (const [version, sdl] of Object.entries(options.extraVersions ?? {})) schemas.set(version, buildSchema(sdl, { assumeValidSDL: true }));
  const available = [...schemas.keys()];
  const now = options.now ?? (() => new Date());
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const seededAt = now();
  const accounts: AccountData[] = ACCOUNTS.map((definition) => seedAccount(definition, seededAt));
  const keyed = accounts.map((data) => ({ apiKey: data.definition.apiKey, shard: data.definition.shard, data }));
  const requests: RecordedRequest[] = [];
  // Aborted on close so a pending artificial delay never keeps the process alive. Every delayed
  // request listens on it until its delay ends, so concurrent requests may exceed the default 10.
  const closing = new AbortController();
  setMaxListeners(0, closing.signal);

  async function answer(request: IncomingMessage, record: RecordedRequest): Promise<Reply> {
    const path = new URL(request.url ?? '/', 'http://sandbox').pathname;
    if (path !== '/graphql') {
      request.resume();
      return errorReply(404, 'NOT_FOUND', 'Not found: the GraphQL endpoint is POST /graphql');
    }
    if (request.method !== 'POST') {
      request.resume();
      return errorReply(405, 'METHOD_NOT_ALLOWED', 'Use POST with a JSON body', { allow: 'POST' });
    }
    const raw = await readBody(request);
    if (raw === undefined) return errorReply(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${MAX_BODY_BYTES} bytes`);
    const body = readRequestBody(raw);
    if ('query' in body) copyRequest(record, body);
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: closing.signal });

    const version = header(request.headers, API_VERSION_HEADER);
    const served = servedVersions(available, now());
    const versionSchema = version !== undefined && served.includes(version) ? schemas.get(version) : undefined;
    if (!versionSchema || version === undefined) return { status: 200, body: { errors: [unsupportedVersion(version, served, now())] } };

    const account = authenticate(request.headers, keyed);
    if (!account) return errorReply(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
    record.account = account.data.definition.name;

    if (limiter.take(account.data.definition.name) > 0) return errorReply(200, 'TOO_MANY_REQUESTS', RATE_LIMITED_MESSAGE);
    if (!('query' in body)) return errorReply(400, 'BAD_REQUEST', body.problem);
    const result = await runGraphQL(versionSchema, body, { account: account.data, now });
    const warnings = versionWarnings(version);
    return { status: 200, body: warnings.length > 0 ? { ...result, extensions: { ...result.extensions, warnings } } : result };
  }

  const server = createServer((request, response) => {
    const record: RecordedRequest = { headers: recordHeaders(request), query: '', status: 0 };
    requests.push(record);
    if (requests.length > MAX_RECORDED_REQUESTS) requests.splice(0, requests.length - MAX_RECORDED_REQUESTS);
    answer(request, record)
      // The error itself is neither echoed nor logged: it could quote request contents.
      .catch(() =>
        closing.signal.aborted
          ? errorReply(503, 'SERVICE_UNAVAILABLE', 'The sandbox is shutting down')
          : errorReply(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'),
      )
      .then((reply) => {
        record.status = reply.status;
        send(response, reply);
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/graphql`,
    requests,
    apiVersion,
    clearRequests: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}

function copyRequest(record: RecordedRequest, body: GraphQLRequestBody): void {
  record.query = body.query;
  if (body.variables) record.variables = body.variables;
  if (body.operationName) record.operationName = body.operationName;
}

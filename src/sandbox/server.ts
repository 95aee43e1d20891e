/**
 * The sandbox's HTTP server: `POST /graphql` with Healthie's headers, limits and status codes.
 *
 * Order of checks, as a request meets them upstream: route and method → body size → (artificial
 * latency) → authentication → per-account rate → JSON → GraphQL. Requests are recorded in memory
 * for tests; nothing about a request is logged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNTS, type AccountName } from './accounts.js';
import { UNAUTHENTICATED_MESSAGE, authenticate } from './auth.js';
import { seedAccount, type AccountData } from './data.js';
import { readRequestBody, runGraphQL, type GraphQLRequestBody } from './execute.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimit } from './limits.js';
import { loadSandboxSchema } from './resolvers.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface SandboxOptions {
  host?: string;
  port?: number;
  rateLimit?: RateLimit;
  latencyMs?: number;
  now?: () => Date;
}

export interface RecordedRequest {
  headers: Record<string, string | undefined>;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  account?: string;
  status: number;
}

export interface StartedSandbox {
  url: string;
  requests: RecordedRequest[];
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

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage): Promise<string> {
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
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
  const schema = await loadSandboxSchema();
  const now = options.now ?? (() => new Date());
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const seededAt = now();
  const accounts: AccountData[] = ACCOUNTS.map((definition) => seedAccount(definition, seededAt));
  const keyed = accounts.map((data) => ({ apiKey: data.definition.apiKey, shard: data.definition.shard, data }));
  const requests: RecordedRequest[] = [];
  // Aborted on close so a pending artificial delay never keeps the process alive.
  const closing = new AbortController();

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
    let raw: string;
    try {
      raw = await readBody(request);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      return errorReply(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
    }
    const body = readRequestBody(raw);
    if ('query' in body) copyRequest(record, body);
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: closing.signal });

    const account = authenticate(request.headers, keyed);
    if (!account) return errorReply(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
    record.account = account.data.definition.name satisfies AccountName;

    const retryAfterMs = limiter.take(account.data.definition.name);
    if (retryAfterMs > 0) {
      const message = `Too many requests: retry in ${Math.ceil(retryAfterMs / 1000)} seconds`;
      return { status: 200, body: { data: null, errors: [{ message, extensions: { code: 'TOO_MANY_REQUESTS' } }] } };
    }
    if (!('query' in body)) return errorReply(400, 'BAD_REQUEST', body.problem);
    const result = await runGraphQL(schema, body, { account: account.data, now });
    return { status: 200, body: result };
  }

  const server = createServer((request, response) => {
    const record: RecordedRequest = { headers: recordHeaders(request), query: '', status: 0 };
    requests.push(record);
    answer(request, record)
      .catch((error: unknown) => {
        if (closing.signal.aborted) return errorReply(503, 'SERVICE_UNAVAILABLE', 'The sandbox is shutting down');
        // The error itself is not echoed: it could quote request contents.
        void error;
        return errorReply(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      })
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
    clearRequests: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
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

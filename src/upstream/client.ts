/**
 * The Healthie client: the one place where HTTP statuses, network failures and Healthie's own
 * errors become this subgraph's error codes.
 *
 * It is a @graphql-tools executor: it POSTs one GraphQL document as JSON and returns the result.
 * Each request, in order:
 * 1. is refused without credentials (UNAUTHENTICATED);
 * 2. has its fragments inlined (src/operation/normalize.ts): Healthie never receives the
 *    client's fragment structure, only the normalized operation, bounded in size;
 * 3. fails at once while the breaker is open (UPSTREAM_UNAVAILABLE, see resilience.ts);
 * 4. takes a token of its key's rate when HEALTHIE_RATE_LIMIT_RPS is set (UPSTREAM_RATE_LIMITED);
 * 5. waits for one of its key's in-flight slots, at most HEALTHIE_QUEUE_TIMEOUT_MS (UPSTREAM_BUSY);
 * 6. is sent; HEALTHIE_TIMEOUT_MS runs from here, not from queueing. Reads are retried as
 *    resilience.ts says; mutations (bookings) are sent exactly once.
 *
 * Every error thrown is an UpstreamFailure whose `sent` says whether Healthie may have received
 * the request (failure.ts): false for steps 1-5 and for a connection that could not be opened.
 * Healthie's own error text never reaches a log, and reaches a client only as healthie-errors.ts
 * allows.
 */
import { performance } from 'node:perf_hooks';
import { print, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { Agent, request as httpRequest, errors as undiciErrors } from 'undici';
import { healthieHeaders, type CredentialResolution } from '../credentials.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { ExpansionLimitError } from '../operation/expand.js';
import { upstreamOperation } from '../operation/normalize.js';
import { UpstreamFailure } from './failure.js';
import { TenantBusyError, TenantLimiter, tenantId } from './fairness.js';
import { REJECTED_KEY_MESSAGE, translateErrors, type HealthieErrorPayload } from './healthie-errors.js';
import type { RateLimiter } from './rate-limit.js';
import { createResilience, type Resilience } from './resilience.js';

import { API_VERSION_HEADER, type VersionMonitor } from './version.js';

export { mayHaveReachedHealthie, UpstreamFailure } from './failure.js';

/** What the client needs from the per-request context. */
export interface UpstreamRequestContext {
  readonly requestId: string;
  readonly credentials: CredentialResolution;
  readonly logger: Logger;
}

export interface HealthieClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly apiVersion?: string;
  /** Reads Healthie's version signals (warnings, UNSUPPORTED_API_VERSION) of every answer. */
  readonly version?: VersionMonitor;
  /** Largest response body accepted, in bytes. */
  readonly maxResponseBytes?: number;
  /** Upper bound of concurrent connections to Healthie (HEALTHIE_CONNECTIONS). */
  readonly connections?: number;
  /** Healthie requests in flight per key (HEALTHIE_MAX_IN_FLIGHT_PER_KEY); below `connections`. */
  readonly maxInFlightPerKey?: number;
  /** Longest wait for a per-key slot (HEALTHIE_QUEUE_TIMEOUT_MS). */
  readonly queueTimeoutMs?: number;
  /** Retries of a read (HEALTHIE_RETRIES). */
  readonly retries?: number;
  /** How long the breaker stays open (HEALTHIE_BREAKER_COOLDOWN_MS). */
  readonly breakerCooldownMs?: number;
  /** Per-key request rate, when HEALTHIE_RATE_LIMIT_RPS is set. */
  readonly rateLimiter?: RateLimiter;
  readonly metrics?: Metrics;
}

export interface HealthieClient {
  readonly executor: Executor<UpstreamRequestContext>;
  /** True when Healthie answers HTTP at all (any status): used by /readyz. */
  probe(): Promise<boolean>;
  /** True while the breaker refuses calls: /readyz answers 503 without probing. */
  breakerOpen(): boolean;
  readonly resilience: Resilience;
  close(): Promise<void>;
}

/** Connection failures that happen before any byte of the request is written. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function statusError(status: number): UpstreamFailure {
  const extensions = { upstreamStatus: status };
  if (status === 401 || status === 403) return new UpstreamFailure(ErrorCode.UNAUTHENTICATED, REJECTED_KEY_MESSAGE, { sent: true });
  if (status === 429) {
    return new UpstreamFailure(ErrorCode.UPSTREAM_RATE_LIMITED, 'Healthie is rate limiting this account (HTTP 429); retry after a pause.', {
      sent: true,
      retry: 'rate_limited',
    });
  }
  if (status >= 500) {
    return new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE, `Healthie answered HTTP ${status}; retry later.`, {
      sent: true,
      extensions,
      retry: 'http_5xx',
      endpointFailure: true,
    });
  }
  return new UpstreamFailure(ErrorCode.UPSTREAM_BAD_RESPONSE, `Healthie answered HTTP ${status} to a GraphQL request.`, { sent: true, extensions });
}

function transportError(error: unknown, timeoutMs: number): UpstreamFailure {
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
  return new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE, `Healthie could not be reached (${code}); check HEALTHIE_API_URL and the network, then retry.`, {
    sent,
    endpointFailure: true,
    ...(sent ? {} : { retry: 'connect' as const }),
  });
}

/**
 * The normalized operation and its text, once per document: a planned document (src/plan) is the
 * same object on every request, so it is normalized and printed once, not per request.
 */
const normalizedDocuments = new WeakMap<DocumentNode, { operationName: string | undefined; normalized: DocumentNode; query: string }>();
function normalizedOnce(document: DocumentNode, operationName: string | undefined) {
  const known = normalizedDocuments.get(document);
  if (known && known.operationName === operationName) return known;
  const normalized = upstreamOperation(document, operationName);
  const entry = { operationName, normalized, query: print(normalized) };
  normalizedDocuments.set(document, entry);
  return entry;
}

export function createHealthieClient(options: HealthieClientOptions): HealthieClient {
  const agent = new Agent({
    connections: options.connections ?? 32,
    maxResponseSize: options.maxResponseBytes ?? 10 * 1024 * 1024,
    keepAliveTimeout: 10_000,
  });
  const metrics = options.metrics;
  const fairness = new TenantLimiter({ maxInFlight: options.maxInFlightPerKey ?? 8, queueTimeoutMs: options.queueTimeoutMs ?? 2_000 });
  const resilience = createResilience({ retries: options.retries ?? 2, cooldownMs: options.breakerCooldownMs ?? 10_000, ...(metrics ? { metrics } : {}) });
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiVersion) baseHeaders[API_VERSION_HEADER] = options.apiVersion;

  async function post(headers: Record<string, string>, body: string, timeoutMs: number) {
    const response = await httpRequest(options.url, {
      method: 'POST',
      dispatcher: agent,
      headers: { ...baseHeaders, ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  const refuse = (code: ErrorCode, message: string, limit: string) => {
    metrics?.rejections.inc({ limit });
    return new UpstreamFailure(code, message, { sent: false, extensions: { limit } });
  };

  const executor = async (request: ExecutionRequest<Record<string, any>, UpstreamRequestContext>): Promise<ExecutionResult> => {
    const context = request.context;
    // Every delegation carries the request's context; without one there is no tenant to act for.
    if (!context) throw new UpstreamFailure(ErrorCode.INTERNAL_SERVER_ERROR, 'A Healthie request was attempted outside a GraphQL request.', { sent: false });
    const resolution = context.credentials;
    if ('problem' in resolution) throw new UpstreamFailure(ErrorCode.UNAUTHENTICATED, resolution.problem, { sent: false });
    const operationType = request.operationType ?? 'query';
    // Mutations (bookings) are writes: sent exactly once, never retried (a second send could book twice).
    const kind = operationType === 'mutation' ? 'write' : 'read';
    // One line per GraphQL request at info is the logging plugin's; each Healthie call is debug.
    const log = (fields: Record<string, unknown>) => context.logger.debug({ requestId: context.requestId, operationType, ...fields }, 'healthie request');

    let normalized: DocumentNode;
    let query: string;
    try {
      ({ normalized, query } = normalizedOnce(request.document, request.operationName));
    } catch (error) {
      if (error instanceof ExpansionLimitError) throw refuse(ErrorCode.QUERY_TOO_COMPLEX, error.message, 'expanded_fields');
      throw error;
    }
    if (resilience.isOpen()) {
      metrics?.rejections.inc({ limit: 'breaker' });
      log({ code: ErrorCode.UPSTREAM_UNAVAILABLE, breaker: 'open' });
      throw resilience.openFailure();
    }
    const tenant = tenantId(resolution.credentials);
    const rateLimiter = options.rateLimiter;
    const takeToken = async () => {
      if (!rateLimiter || (await rateLimiter.take(tenant))) return;
      metrics?.rateLimited.inc({ source: 'subgraph' });
      throw refuse(ErrorCode.UPSTREAM_RATE_LIMITED, "This key is over the subgraph's request rate (HEALTHIE_RATE_LIMIT_RPS); nothing was sent. Retry after a pause.", 'subgraph_rate');
    };
    await takeToken();

    let slot;
    try {
      slot = await fairness.acquire(tenant);
    } catch (error) {
      if (!(error instanceof TenantBusyError)) throw error;
      log({ code: ErrorCode.UPSTREAM_BUSY, reason: error.reason });
      throw refuse(
        ErrorCode.UPSTREAM_BUSY,
        `This key already has ${options.maxInFlightPerKey ?? 8} Healthie requests in flight (HEALTHIE_MAX_IN_FLIGHT_PER_KEY) and this one waited too long for its turn (HEALTHIE_QUEUE_TIMEOUT_MS); nothing was sent. Send fewer requests at once.`,
        error.reason,
      );
    }
    metrics?.queueWait.observe(slot.waitedMs / 1000);

    const headers = healthieHeaders(resolution.credentials);
    const body = JSON.stringify({ query, variables: request.variables, operationName: request.operationName });
    const deadline = Date.now() + options.timeoutMs;
    const attempt = async (n: number, remainingMs: number): Promise<ExecutionResult> => {
      if (n > 1) await takeToken();
      const started = performance.now();
      const finish = (outcome: string, fields: Record<string, unknown>) => {
        const durationMs = performance.now() - started;
        metrics?.upstreamLatency.observe({ outcome }, durationMs / 1000);
        log({ attempt: n, durationMs: Math.round(durationMs), ...fields });
      };
      let status: number;
      let text: string;
      try {
        ({ status, text } = await post(headers, body, Math.max(1, Math.min(options.timeoutMs, remainingMs))));
      } catch (error) {
        const translated = transportError(error, options.timeoutMs);
        finish(translated.extensions.code as string, { upstreamStatus: null, code: translated.extensions.code });
        throw translated;
      }
      if (status < 200 || status >= 300) {
        const translated = options.version?.inspectText(text) ?? statusError(status);
        if (status === 429) metrics?.rateLimited.inc({ source: 'healthie' });
        finish(translated.extensions.code as string, { upstreamStatus: status, code: translated.extensions.code });
        throw translated;
      }
      let payload: { data?: unknown; errors?: unknown };
      try {
        payload = JSON.parse(text) as typeof payload;
        if (!payload || typeof payload !== 'object') throw new Error('not an object');
      } catch {
        finish(ErrorCode.UPSTREAM_BAD_RESPONSE, { upstreamStatus: status, code: ErrorCode.UPSTREAM_BAD_RESPONSE });
        throw new UpstreamFailure(ErrorCode.UPSTREAM_BAD_RESPONSE, 'Healthie answered with a body that is not a GraphQL response.', { sent: true });
      }
      const unsupported = options.version?.inspect(payload);
      if (unsupported) {
        finish(unsupported.extensions.code as string, { upstreamStatus: status, code: unsupported.extensions.code });
        throw unsupported;
      }
      const received = Array.isArray(payload.errors) ? (payload.errors as HealthieErrorPayload[]) : [];
      const { fatal, fieldErrors, dropped } = translateErrors(received, normalized.definitions[0] as OperationDefinitionNode);
      if (fatal?.extensions.code === ErrorCode.UPSTREAM_RATE_LIMITED) metrics?.rateLimited.inc({ source: 'healthie' });
      const code = fatal?.extensions.code as string | undefined;
      finish(code ?? 'ok', { upstreamStatus: status, code, fieldErrors: fieldErrors.length, droppedErrors: dropped });
      if (fatal) throw fatal;
      return { data: payload.data ?? null, ...(fieldErrors.length > 0 ? { errors: fieldErrors } : {}) } as ExecutionResult;
    };
    try {
      return await resilience.run(kind, deadline, attempt);
    } finally {
      slot.release();
    }
  };

  return {
    executor: executor as Executor<UpstreamRequestContext>,
    resilience,
    breakerOpen: () => resilience.isOpen(),
    async probe() {
      try {
        const { text } = await post({}, JSON.stringify({ query: '{ __typename }' }), options.timeoutMs);
        options.version?.inspectText(text);
        return true;
      } catch {
        return false;
      }
    },
    close: () => agent.close(),
  };
}

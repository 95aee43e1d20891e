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
 * 4. fails at once when Healthie refused its key moments ago (UNAUTHENTICATED, fairness.ts);
 * 5. takes a token of its key's rate when HEALTHIE_RATE_LIMIT_RPS is set (UPSTREAM_RATE_LIMITED);
 * 6. waits for a slot, fairly shared between keys (fairness.ts), at most
 *    HEALTHIE_QUEUE_TIMEOUT_MS (UPSTREAM_BUSY);
 * 7. is sent with the API version header (transport.ts); HEALTHIE_TIMEOUT_MS runs from here, not
 *    from queueing.
 *    Reads are retried as resilience.ts says; mutations (bookings) are sent exactly once.
 *
 * Every error thrown is an UpstreamFailure whose `sent` says whether Healthie may have received
 * the request (failure.ts): false for steps 1-6 and for a connection that could not be opened;
 * `executed` is also false when Healthie's answer proves it ran nothing (execution.ts).
 * Network errors are translated in http-failures.ts, and each answer is read in answer.ts.
 * Healthie's own error text never reaches a log, and reaches a client only as healthie-errors.ts
 * allows.
 */
import { performance } from 'node:perf_hooks';
import type { DocumentNode, ExecutionResult, OperationDefinitionNode } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { healthieHeaders, type CredentialResolution, type Credentials } from '../credentials.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { ExpansionLimitError } from '../operation/expand.js';
import { normalizedOnce, type PreparedOperation } from '../operation/normalize.js';
import { readAnswer } from './answer.js';
import { UpstreamFailure } from './failure.js';
import { credentialsId, keyId, RefusedKeys, TenantBusyError, TenantLimiter } from './fairness.js';
import { REJECTED_KEY_MESSAGE } from './healthie-errors.js';
import { transportError } from './http-failures.js';
import { isGraphQLAnswer } from './response-body.js';
import type { RateLimiter } from './rate-limit.js';
import { createResilience, type Resilience } from './resilience.js';
import { createTransport } from './transport.js';
import type { VersionMonitor } from './version.js';

export { mayHaveExecuted, mayHaveReachedHealthie, UpstreamFailure } from './failure.js';

/** What the client needs from the per-request context. */
export interface UpstreamRequestContext {
  readonly requestId: string;
  readonly credentials: CredentialResolution;
  readonly logger: Logger;
}

/**
 * A request to the client: graphql-tools' request and, from the planned path, its text already
 * made (`preparedOperation` in normalize.ts, which bounds it), so nothing is derived from the
 * document. Without it the document is normalized and printed, once per document object.
 */
export type HealthieRequest<TContext = UpstreamRequestContext> = ExecutionRequest<Record<string, any>, TContext> & {
  readonly prepared?: PreparedOperation;
};

export interface HealthieClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
  /** Healthie API version sent with every request (Healthie-GraphQL-API-Version). */
  readonly apiVersion: string;
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
  /** Per-key request rate, when HEALTHIE_RATE_LIMIT_RPS is set, and the name of a key's bucket. */
  readonly rateLimiter?: { readonly limiter: RateLimiter; readonly tenant: (credentials: Credentials) => string };
  readonly metrics?: Metrics;
  /** Where the breaker's changes of state are logged (at warn); request lines use the request's logger. */
  readonly logger?: Logger;
}

export interface HealthieClient {
  readonly executor: Executor<UpstreamRequestContext>;
  /** True when Healthie gives a GraphQL answer (isGraphQLAnswer): used by /readyz. */
  probe(): Promise<boolean>;
  /** True while the breaker refuses calls: /readyz answers 503 without probing. */
  breakerOpen(): boolean;
  readonly resilience: Resilience;
  close(): Promise<void>;
}

export function createHealthieClient(options: HealthieClientOptions): HealthieClient {
  const connections = options.connections ?? 32;
  const transport = createTransport({
    url: options.url,
    apiVersion: options.apiVersion,
    connections,
    maxResponseBytes: options.maxResponseBytes ?? 10 * 1024 * 1024,
  });
  const post = transport.post;
  const metrics = options.metrics;
  const maxInFlightPerKey = options.maxInFlightPerKey ?? 8;
  // One connection stays free of requests, for the readiness probe.
  const maxTotal = Math.max(1, connections - 1);
  const fairness = new TenantLimiter({
    maxInFlight: maxInFlightPerKey,
    maxTotal,
    queueTimeoutMs: options.queueTimeoutMs ?? 2_000,
  });
  metrics?.watchUpstreamSlots(fairness);
  const refusedKeys = new RefusedKeys();
  const policy = { retries: options.retries ?? 2, cooldownMs: options.breakerCooldownMs ?? 10_000 };
  const resilience = createResilience({ ...policy, ...(metrics ? { metrics } : {}), ...(options.logger ? { logger: options.logger } : {}) });

  const refuse = (code: ErrorCode, message: string, limit: string) => {
    metrics?.rejections.inc({ limit });
    return new UpstreamFailure(code, message, { sent: false, extensions: { limit } });
  };

  const executor = async (request: HealthieRequest): Promise<ExecutionResult> => {
    const context = request.context;
    // Every delegation carries the request's context; without one there is no tenant to act for.
    if (!context) throw new UpstreamFailure(ErrorCode.INTERNAL_SERVER_ERROR, 'A Healthie request was attempted outside a GraphQL request.', { sent: false });
    const resolution = context.credentials;
    if ('problem' in resolution) throw new UpstreamFailure(ErrorCode.UNAUTHENTICATED, resolution.problem, { sent: false });
    const operationType = request.operationType ?? 'query';
    // Mutations (bookings) are writes: sent exactly once, never retried (a second send could book twice).
    const kind = operationType === 'mutation' ? 'write' : 'read';
    // Each Healthie call is a debug line (`finish` gathers its fields only when debug is on).
    const debug = context.logger.isLevelEnabled('debug');
    const log = (fields: Record<string, unknown>) => context.logger.debug({ requestId: context.requestId, operationType, ...fields }, 'healthie request');

    let normalized: DocumentNode;
    let query: string;
    try {
      ({ normalized, query } = request.prepared ?? normalizedOnce(request.document, request.operationName));
    } catch (error) {
      if (error instanceof ExpansionLimitError) throw refuse(ErrorCode.QUERY_TOO_COMPLEX, error.message, `expanded_${error.what}`);
      throw error;
    }
    if (resilience.isOpen()) {
      metrics?.rejections.inc({ limit: 'breaker' });
      log({ code: ErrorCode.UPSTREAM_UNAVAILABLE, breaker: 'open' });
      throw resilience.openFailure();
    }
    const key = keyId(resolution.credentials);
    const credentials = credentialsId(resolution.credentials, key);
    if (refusedKeys.has(credentials)) {
      log({ code: ErrorCode.UNAUTHENTICATED, reason: 'refused_key_remembered' });
      throw refuse(ErrorCode.UNAUTHENTICATED, `${REJECTED_KEY_MESSAGE} Healthie refused this key less than ${refusedKeys.ttlMs / 1000} s ago; nothing was sent.`, 'refused_key');
    }
    const rateLimiter = options.rateLimiter;
    const takeToken = async (limiter: NonNullable<typeof rateLimiter>) => {
      if (await limiter.limiter.take(limiter.tenant(resolution.credentials))) return;
      metrics?.rateLimited.inc({ source: 'subgraph' });
      throw refuse(ErrorCode.UPSTREAM_RATE_LIMITED, "This key is over the subgraph's request rate (HEALTHIE_RATE_LIMIT_RPS); nothing was sent. Retry after a pause.", 'subgraph_rate');
    };
    if (rateLimiter) await takeToken(rateLimiter);

    let slot;
    try {
      slot = await fairness.acquire(key);
    } catch (error) {
      if (!(error instanceof TenantBusyError)) throw error;
      log({ code: ErrorCode.UPSTREAM_BUSY, reason: error.reason });
      throw refuse(
        ErrorCode.UPSTREAM_BUSY,
        `This request waited too long for its turn (HEALTHIE_QUEUE_TIMEOUT_MS): this key may have ${maxInFlightPerKey} Healthie requests in flight (HEALTHIE_MAX_IN_FLIGHT_PER_KEY) and all keys together ${maxTotal} (HEALTHIE_CONNECTIONS - 1); nothing was sent. Send fewer requests at once.`,
        error.reason,
      );
    }
    metrics?.queueWait.observe(slot.waitedMs / 1000);

    const operation = normalized.definitions[0] as OperationDefinitionNode;
    const headers = healthieHeaders(resolution.credentials);
    const body = JSON.stringify({ query, variables: request.variables, operationName: request.operationName });
    const deadline = Date.now() + options.timeoutMs;
    const attempt = async (n: number, remainingMs: number): Promise<ExecutionResult> => {
      if (n > 1 && rateLimiter) await takeToken(rateLimiter);
      const started = performance.now();
      const finish = (outcome: string, fields: Record<string, unknown>) => {
        const durationMs = performance.now() - started;
        metrics?.upstreamLatency.observe({ outcome }, durationMs / 1000);
        if (debug) log({ attempt: n, durationMs: Math.round(durationMs), ...fields });
      };
      let status: number;
      let text: string;
      try {
        ({ status, text } = await post(headers, body, Math.max(1, Math.min(options.timeoutMs, remainingMs))));
      } catch (error) {
        const translated = transportError(error, options.timeoutMs, kind === 'write');
        finish(translated.extensions.code as string, { upstreamStatus: null, code: translated.extensions.code });
        throw translated;
      }
      const answer = readAnswer(status, text, { operation, variables: request.variables, write: kind === 'write', ...(options.version ? { version: options.version } : {}) });
      if (answer.rateLimited) metrics?.rateLimited.inc({ source: 'healthie' });
      finish(answer.outcome, answer.fields);
      if (answer.failure) throw answer.failure;
      return answer.result!;
    };
    try {
      return await resilience.run(kind, deadline, attempt);
    } catch (error) {
      // A refused key is remembered, so its next requests do not hold connections.
      if (error instanceof UpstreamFailure && error.sent && error.extensions.code === ErrorCode.UNAUTHENTICATED) refusedKeys.remember(credentials);
      throw error;
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
        const { status, text } = await post({}, JSON.stringify({ query: '{ __typename }' }), options.timeoutMs);
        options.version?.inspectText(text, status);
        return isGraphQLAnswer(status, text);
      } catch {
        return false;
      }
    },
    close: () => transport.close(),
  };
}

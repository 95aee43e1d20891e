/**
 * Prometheus metrics (prom-client), one Registry per server instance: tests run several servers
 * in one process, and the global registry would mix (and reject) their metrics.
 *
 * No label ever holds an API key, a tenant id, an operation name or patient data: labels are
 * operation types, error codes, outcomes, reasons and limits, all from small fixed sets.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SubgraphContext } from './context.js';
import { codeOf, ErrorCode } from './errors.js';
import { Refusal } from './http/http-errors.js';

export interface Metrics {
  readonly registry: Registry;
  /** Requests by operation type (query, mutation; `none` when no operation ran, refusals included) and error code (`none` when clean). */
  readonly requests: Counter<'operation_type' | 'code'>;
  /** Healthie request latency by outcome (`ok` or the error code), in seconds. */
  readonly upstreamLatency: Histogram<'outcome'>;
  /** Retries of reads, by what was retried (rate_limited, http_5xx, connect). */
  readonly retries: Counter<'reason'>;
  /** Rate-limit answers: from Healthie (`healthie`) or this subgraph's own per-key rate (`subgraph`). */
  readonly rateLimited: Counter<'source'>;
  /** Breaker state of the Healthie endpoint: 0 closed, 1 open, 2 half-open. */
  readonly breakerState: Gauge;
  /** Time spent waiting for a per-key slot, in seconds. */
  readonly queueWait: Histogram;
  /** Healthie requests holding a slot now, and requests waiting for one (fairness.ts). */
  readonly upstreamInFlight: Gauge;
  readonly upstreamWaiting: Gauge;
  /**
   * Where those two gauges read their values, at scrape time. Setting them on every acquire
   * and release was work on every request for values read once per scrape.
   */
  watchUpstreamSlots(source: UpstreamSlots): void;
  /**
   * The Healthie API version's state, at scrape time: when Healthie stops serving the version sent
   * (as its sunset warnings announce), and whether it refuses it now. Alerting on the first, days
   * ahead, is what keeps a version's sunset from becoming an outage.
   */
  watchApiVersion(source: ApiVersionState): void;
  /** Requests refused by a limit before reaching Healthie, by limit. */
  readonly rejections: Counter<'limit'>;
  /** Per-key rate decisions taken in-process because Redis did not answer. */
  readonly rateLimiterFallbacks: Counter;
  /** Bookings answered from the idempotency store instead of being sent again. */
  readonly idempotencyReplays: Counter;
  /** Idempotency-Key reused with a different input, or while in progress. */
  readonly idempotencyConflicts: Counter<'reason'>;
}

/** What the API version gauges read (upstream/version.ts's VersionMonitor). */
export interface ApiVersionState {
  readonly hasAnswered: boolean;
  readiness(): { readonly healthieApiVersion: string; readonly sunsetDate?: string; readonly unsupported?: unknown };
}

/** The counts of the fairness limiter (fairness.ts) the slot gauges report. */
export interface UpstreamSlots {
  readonly inFlight: number;
  readonly waitingCount: number;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  let slots: UpstreamSlots | undefined;
  let apiVersion: ApiVersionState | undefined;
  new Gauge({
    name: 'healthie_api_version_sunset_timestamp_seconds',
    help: 'When Healthie stops serving the API version sent (Unix time), from its sunset warnings; absent until one is received.',
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.reset();
      const state = apiVersion?.readiness();
      const sunset = state?.sunsetDate ? Date.parse(state.sunsetDate) : Number.NaN;
      if (state && Number.isFinite(sunset)) this.set({ version: state.healthieApiVersion }, sunset / 1000);
    },
  });
  new Gauge({
    name: 'healthie_api_version_unsupported',
    help: "Whether Healthie refuses the API version sent (1) or serves it (0); absent until Healthie's first answer.",
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.reset();
      if (!apiVersion?.hasAnswered) return;
      const state = apiVersion.readiness();
      this.set({ version: state.healthieApiVersion }, state.unsupported ? 1 : 0);
    },
  });
  collectDefaultMetrics({ register: registry, prefix: 'healthie_subgraph_' });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'healthie_subgraph_requests_total', help: 'GraphQL requests by operation type and error code.', labelNames: ['operation_type', 'code'], registers }),
    upstreamLatency: new Histogram({
      name: 'healthie_upstream_request_duration_seconds',
      help: 'Healthie request latency by outcome.',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    retries: new Counter({ name: 'healthie_upstream_retries_total', help: 'Reads retried, by reason.', labelNames: ['reason'], registers }),
    rateLimited: new Counter({ name: 'healthie_rate_limited_total', help: 'Rate-limit answers, by source.', labelNames: ['source'], registers }),
    breakerState: new Gauge({ name: 'healthie_breaker_state', help: 'Healthie endpoint breaker: 0 closed, 1 open, 2 half-open.', registers }),
    queueWait: new Histogram({
      name: 'healthie_queue_wait_seconds',
      help: 'Time waiting for a per-key Healthie slot.',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    upstreamInFlight: new Gauge({
      name: 'healthie_upstream_in_flight',
      help: 'Healthie requests in flight, over all keys.',
      registers,
      collect() {
        if (slots) this.set(slots.inFlight);
      },
    }),
    upstreamWaiting: new Gauge({
      name: 'healthie_upstream_waiting',
      help: 'Requests waiting for a Healthie slot, over all keys.',
      registers,
      collect() {
        if (slots) this.set(slots.waitingCount);
      },
    }),
    watchUpstreamSlots: (source) => {
      slots = source;
    },
    watchApiVersion: (source) => {
      apiVersion = source;
    },
    rejections: new Counter({ name: 'healthie_rejections_total', help: 'Requests refused before reaching Healthie, by limit.', labelNames: ['limit'], registers }),
    rateLimiterFallbacks: new Counter({ name: 'healthie_rate_limiter_fallbacks_total', help: 'Rate decisions taken in-process because Redis did not answer.', registers }),
    idempotencyReplays: new Counter({ name: 'healthie_idempotency_replays_total', help: 'Bookings answered from the idempotency store.', registers }),
    idempotencyConflicts: new Counter({ name: 'healthie_idempotency_conflicts_total', help: 'Idempotency-Key conflicts, by reason.', labelNames: ['reason'], registers }),
  };
}

/**
 * Whether `presented` equals `secret`, in time independent of where they differ. Both are hashed
 * first so their lengths do not leak either.
 */
export function secretMatches(presented: string | undefined, secret: string): boolean {
  if (presented === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(secret));
}

/** Counts every GraphQL request by operation type and each distinct error code it returned. */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<SubgraphContext> {
  // The hooks keep no state of their own per request: one listener serves every request.
  const listener: GraphQLRequestListener<SubgraphContext> = {
    async willSendResponse({ operation, response }) {
      const body = response.body;
      const errors = body.kind === 'single' ? (body.singleResult.errors ?? []) : [];
      const codes = [...new Set(errors.map((e) => codeOf(e)))];
      const operationType = operation?.operation ?? 'none';
      for (const code of codes.length > 0 ? codes : ['none']) metrics.requests.inc({ operation_type: operationType, code });
    },
  };
  return { requestDidStart: async () => listener };
}

/**
 * GET /metrics. With a router secret, only callers presenting it in `router-authorization` get
 * the metrics (a tiny constant-time check: the router-trust middleware covers /graphql). A
 * refusal goes to `next`, which answers, logs and counts it like every other refusal.
 */
export function metricsHandler(metrics: Metrics, routerSecret: string | undefined): RequestHandler {
  return async (req, res, next) => {
    if (routerSecret && !secretMatches(req.get('router-authorization'), routerSecret)) {
      next(
        new Refusal(401, {
          errors: [{ message: 'GET /metrics needs the router-authorization header (ROUTER_SECRET).', extensions: { code: ErrorCode.UNAUTHENTICATED } }],
        }),
      );
      return;
    }
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

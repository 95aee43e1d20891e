/**
 * Booking, assembled from configuration: the guard plugin, the idempotency store (memory, or
 * Redis when REDIS_URL is set), the keyed hasher, the outcome lookup and the audit line. The
 * server creates one and attaches it to every request's context.
 */
import { once } from 'node:events';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Executor } from '@graphql-tools/utils';
import type { Config } from '../config.js';
import type { SubgraphContext } from '../context.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createRedis } from '../redis.js';
import type { UpstreamRequestContext } from '../upstream/client.js';
import { auditBooking, type AuditOutcome } from './audit.js';
import { bookingGuardPlugin } from './guard.js';
import { createBookingHasher, type BookingHasher } from './keys.js';
import { findBookedAppointment, type BookingInput } from './outcome-lookup.js';
import { createRedisStore } from './redis-store.js';
import { createOutcomeSeal } from './sealed-outcome.js';
import { attachBookingRequest, bookingRequestOf } from './request.js';
import { createMemoryStore, type IdempotencyStore } from './store.js';

export interface BookingService {
  readonly plugin: ApolloServerPlugin<SubgraphContext>;
  readonly hasher: BookingHasher;
  readonly store: IdempotencyStore;
  /** How long a duplicate waits for the request that owns its key. */
  readonly waitMs: number;
  attach(context: SubgraphContext, headers: Readonly<Record<string, readonly string[] | undefined>>): SubgraphContext;
  findBooked(context: SubgraphContext, input: BookingInput): Promise<string | undefined>;
  audit(context: SubgraphContext, idempotencyKey: boolean, outcome: AuditOutcome): void;
  auditRefusal(context: SubgraphContext, code: string): void;
  close(): Promise<void>;
}

/** Metric reasons of the refusals that are Idempotency-Key conflicts. */
const CONFLICTS: Record<string, string> = { IDEMPOTENCY_KEY_REUSED: 'key_reused', IDEMPOTENCY_IN_PROGRESS: 'in_progress' };

export interface BookingServiceOptions {
  readonly config: Config;
  readonly executor: Executor<UpstreamRequestContext>;
  readonly logger: Logger;
  /** Counts replays and key conflicts (healthie_idempotency_*). */
  readonly metrics?: Pick<Metrics, 'idempotencyReplays' | 'idempotencyConflicts'>;
}

export async function createBookingService({ config, executor, logger, metrics }: BookingServiceOptions): Promise<BookingService> {
  const { booking } = config;
  const timeoutMs = config.healthie.timeoutMs;
  // A lease outlives everything its owner does with Healthie: a lookup and a booking, each
  // waiting for a slot (HEALTHIE_QUEUE_TIMEOUT_MS) and then bounded by HEALTHIE_TIMEOUT_MS, plus
  // a margin for Redis and scheduling. An owner whose lease ran out while it waited could still
  // send, beside the request that took the key over.
  const leaseMs = 2 * (timeoutMs + config.healthie.queueTimeoutMs) + 10_000;
  const times = { ttlMs: booking.idempotencyTtlS * 1000, leaseMs, settleMs: booking.settleMs };
  let store: IdempotencyStore;
  // Redis only when booking is enabled: without bookings the store is never consulted.
  const redisUrl = booking.allowScheduling ? config.redisUrl : undefined;
  if (redisUrl) {
    const redis = createRedis({ url: redisUrl });
    // Give the first connection a moment so the first booking after start-up does not fail;
    // if Redis is down, bookings fail (UPSTREAM_UNAVAILABLE) until it is back.
    await Promise.race([once(redis, 'ready'), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]).catch(() => {});
    // TENANT_HASH_SECRET is required with Redis (config.ts): the same on every replica.
    store = createRedisStore(redisUrl, times, createOutcomeSeal(booking.hashSecret!), redis);
  } else {
    store = createMemoryStore(times);
  }
  const hasher = createBookingHasher(booking.hashSecret);
  const entry = (context: SubgraphContext, idempotencyKey: boolean) => ({
    requestId: context.requestId,
    tenant: 'credentials' in context.credentials ? hasher.auditTenant(context.credentials.credentials) : null,
    idempotencyKey,
  });

  const service: BookingService = {
    plugin: bookingGuardPlugin({ allowScheduling: booking.allowScheduling, requireIdempotencyKey: booking.requireIdempotencyKey }),
    hasher,
    store,
    waitMs: timeoutMs + 2_000,
    attach: (context, headers) => attachBookingRequest(context, headers, service),
    findBooked: (context, input) => findBookedAppointment(executor, context, input),
    audit(context, idempotencyKey, outcome) {
      if (outcome.outcome === 'replayed') metrics?.idempotencyReplays.inc();
      if (outcome.outcome === 'refused' && CONFLICTS[outcome.code]) metrics?.idempotencyConflicts.inc({ reason: CONFLICTS[outcome.code] });
      auditBooking(logger, entry(context, idempotencyKey), outcome);
    },
    auditRefusal(context, code) {
      const key = bookingRequestOf(context)?.idempotencyKey;
      auditBooking(logger, entry(context, key?.value !== undefined || key?.problem !== undefined), { outcome: 'refused', code });
    },
    close: () => store.close(),
  };
  return service;
}

/**
 * The Redis connection shared by the stores that must agree across replicas (booking
 * idempotency, per-key request rates). Created only when REDIS_URL is set.
 *
 * Why these options: a command must fail fast when Redis is down rather than wait in a queue,
 * because its callers fail closed (a booking without its idempotency record is refused, not sent).
 * So the offline queue is off, each command gets one attempt, and reconnection keeps trying in
 * the background so that service resumes by itself when Redis is back.
 */
import { Redis } from 'ioredis';

export type { Redis };

export interface RedisOptions {
  readonly url: string;
  /** How long a connection attempt may take. */
  readonly connectTimeoutMs?: number;
  /** How long one command may take before it fails. */
  readonly commandTimeoutMs?: number;
}

export function createRedis(options: RedisOptions): Redis {
  const redis = new Redis(options.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    // Back off up to 2 s between reconnection attempts, forever.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
  });
  // Without a listener ioredis reports connection errors as unhandled; callers see them as
  // failed commands, which is where they are handled.
  redis.on('error', () => {});
  return redis;
}

/**
 * An optional per-key request rate (HEALTHIE_RATE_LIMIT_RPS), enforced before a request is sent,
 * so Healthie's own per-account limit never has to: a refused request costs Healthie nothing and
 * fails at once with UPSTREAM_RATE_LIMITED (`limit: "subgraph_rate"`).
 *
 * A token bucket per key (named by `rateLimitTenant`): `rps` tokens per second, holding at most one second's worth (`rps`),
 * so short bursts pass and a sustained rate above `rps` does not.
 * - Without Redis the bucket lives in this process (an LRU of hashed keys, bounded).
 * - With REDIS_URL every replica shares one bucket per key, updated atomically by a Lua script
 *   that reads Redis's own clock (so replicas' clocks do not matter).
 * - When Redis is down, each replica falls back to its own in-process bucket at the same rate,
 *   rather than refusing reads or letting them through unlimited: a limiter outage must not
 *   become a read outage, and each replica still holds a key to the rate on its own. The
 *   fallback is counted (`healthie_rate_limiter_fallbacks_total`), never logged per request.
 */
import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Credentials } from '../credentials.js';
import type { Redis } from '../redis.js';

/**
 * The name of a key's bucket: an HMAC-SHA-256 keyed by TENANT_HASH_SECRET (as booking
 * idempotency names tenants, with its own purpose label), so Redis never holds anything from
 * which a key could be recovered by trying candidates, and every replica names a key alike. The
 * key alone names it, as Healthie's own rate is per key: a shard header chosen per request must
 * not give a key a fresh bucket each time.
 */
export function rateLimitTenant(credentials: Credentials, secret: string): string {
  return createHmac('sha256', secret).update('rate-limit-key').update('\0').update(credentials.apiKey).digest('hex');
}

export interface RateLimiter {
  /** True when `tenant` may send one more request now (and takes the token). */
  take(tenant: string): Promise<boolean>;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;

  constructor(
    private readonly rps: number,
    private readonly now: () => number = Date.now,
    maxKeys = 10_000,
  ) {
    this.buckets = new LRUCache({ max: maxKeys });
  }

  async take(tenant: string): Promise<boolean> {
    return this.takeNow(tenant);
  }

  takeNow(tenant: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(tenant) ?? { tokens: this.rps, at: now };
    bucket.tokens = Math.min(this.rps, bucket.tokens + ((now - bucket.at) * this.rps) / 1000);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(tenant, bucket);
    return allowed;
  }
}

/** KEYS[1] bucket; ARGV[1] rate per second (also the capacity). Returns 1 when a token was taken. */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or rate
local at = tonumber(bucket[2]) or now
tokens = math.min(rate, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 2000)
return allowed
`;

export class RedisRateLimiter implements RateLimiter {
  private readonly fallback: MemoryRateLimiter;

  constructor(
    private readonly redis: Redis,
    private readonly rps: number,
    private readonly onFallback: () => void = () => {},
    private readonly prefix = 'healthie-subgraph:rate:',
  ) {
    this.fallback = new MemoryRateLimiter(rps);
  }

  async take(tenant: string): Promise<boolean> {
    try {
      const allowed = await this.redis.eval(TAKE_SCRIPT, 1, this.prefix + tenant, String(this.rps));
      return allowed === 1;
    } catch {
      this.onFallback();
      return this.fallback.takeNow(tenant);
    }
  }
}

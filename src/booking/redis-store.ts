/**
 * The idempotency store in Redis, for replicas behind one router: the same transitions as the
 * memory store (see store.ts), each one Lua script so that it is atomic across replicas. Leases
 * and settle windows are measured on Redis's clock (TIME), so replicas with skewed clocks still
 * agree. Redis bounds its own memory (maxmemory), so there is no per-tenant share here.
 *
 * Records are JSON under `healthie-subgraph:idempotency:<hmac>`; the outcome is kept sealed
 * (sealed-outcome.ts: it may quote patient data) as a string inside the record, so Lua never
 * re-encodes it.
 * Any Redis failure surfaces as UPSTREAM_UNAVAILABLE: a booking is refused rather than sent
 * without protection.
 */
import { randomUUID } from 'node:crypto';
import { createRedis, type Redis } from '../redis.js';
import { ErrorCode, subgraphError } from '../errors.js';
import type { OutcomeSeal } from './sealed-outcome.js';
import type { Claim, IdempotencyStore, StoreTimes } from './store.js';

const PREFIX = 'healthie-subgraph:idempotency:';

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] record; ARGV fingerprint, token, leaseMs, ttlMs, settleMs → {kind, payload}. A record
 * whose booking may still run is kept for ttlMs after its lease and settle window end.
 */
const CLAIM = `${NOW}
local keep = tonumber(ARGV[3]) + tonumber(ARGV[5]) + tonumber(ARGV[4])
local raw = redis.call('GET', KEYS[1])
if not raw then
  redis.call('SET', KEYS[1], cjson.encode({s = 'in-flight', f = ARGV[1], t = ARGV[2], l = now + tonumber(ARGV[3]), r = false}), 'PX', keep)
  return {'claimed', '0'}
end
local r = cjson.decode(raw)
if r.f ~= ARGV[1] then return {'reused', ''} end
if r.s == 'done' then return {'done', r.o} end
local settled = nil
if r.s == 'unknown' then
  settled = tonumber(r.u) or 0
elseif r.l < now then
  -- A crashed owner may have sent the booking up to the end of its lease.
  settled = r.l + tonumber(ARGV[5])
end
if not settled then return {'in-flight', ''} end
if settled > now then return {'settling', tostring(settled - now)} end
redis.call('SET', KEYS[1], cjson.encode({s = 'in-flight', f = r.f, t = ARGV[2], l = now + tonumber(ARGV[3]), r = true}), 'PX', keep)
return {'claimed', '1'}`;

/** The record if ARGV[1] (token) still owns it. */
const OWNED = `local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local r = cjson.decode(raw)
if r.s ~= 'in-flight' or r.t ~= ARGV[1] then return 0 end`;

/** ARGV token, outcome JSON, ttlMs. */
const COMPLETE = `${OWNED}
redis.call('SET', KEYS[1], cjson.encode({s = 'done', f = r.f, o = ARGV[2]}), 'PX', ARGV[3])
return 1`;

/** ARGV token, ttlMs, settleMs: nobody may look and book until `u`. */
const MARK_UNKNOWN = `${OWNED}
${NOW}
redis.call('SET', KEYS[1], cjson.encode({s = 'unknown', f = r.f, u = now + tonumber(ARGV[3])}), 'PX', tonumber(ARGV[3]) + tonumber(ARGV[2]))
return 1`;

/**
 * ARGV token. Back to "unknown" when an earlier attempt may have booked (it has settled: that is
 * how this owner got the key), else gone.
 */
const RELEASE = `${OWNED}
if r.r then
  redis.call('SET', KEYS[1], cjson.encode({s = 'unknown', f = r.f}), 'KEEPTTL')
else
  redis.call('DEL', KEYS[1])
end
return 1`;

interface ScriptedRedis extends Redis {
  idempotencyClaim(key: string, fingerprint: string, token: string, leaseMs: number, ttlMs: number, settleMs: number): Promise<[string, string]>;
  idempotencyComplete(key: string, token: string, outcome: string, ttlMs: number): Promise<number>;
  idempotencyMarkUnknown(key: string, token: string, ttlMs: number, settleMs: number): Promise<number>;
  idempotencyRelease(key: string, token: string): Promise<number>;
}

function unavailable(): never {
  throw subgraphError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    'The idempotency store (Redis, REDIS_URL) is unreachable, so the booking was not sent. Retry with the same Idempotency-Key once it is back.',
  );
}

export function createRedisStore(url: string, times: StoreTimes, seal: OutcomeSeal, redis: Redis = createRedis({ url })): IdempotencyStore {
  const scripted = redis as ScriptedRedis;
  scripted.defineCommand('idempotencyClaim', { numberOfKeys: 1, lua: CLAIM });
  scripted.defineCommand('idempotencyComplete', { numberOfKeys: 1, lua: COMPLETE });
  scripted.defineCommand('idempotencyMarkUnknown', { numberOfKeys: 1, lua: MARK_UNKNOWN });
  scripted.defineCommand('idempotencyRelease', { numberOfKeys: 1, lua: RELEASE });
  const run = <T>(command: () => Promise<T>): Promise<T> => command().catch(unavailable);

  return {
    async claim(key, fingerprint): Promise<Claim> {
      const token = randomUUID();
      const [kind, payload] = await run(() => scripted.idempotencyClaim(PREFIX + key, fingerprint, token, times.leaseMs, times.ttlMs, times.settleMs));
      if (kind === 'claimed') return { kind, token, recovering: payload === '1' };
      if (kind === 'done') return { kind, outcome: seal.open(key, payload) };
      if (kind === 'settling') return { kind, retryAfterMs: Number(payload) };
      return { kind: kind as 'reused' | 'in-flight' };
    },
    async complete(key, token, outcome) {
      const sealed = seal.seal(key, outcome);
      await run(() => scripted.idempotencyComplete(PREFIX + key, token, sealed, times.ttlMs));
    },
    async markUnknown(key, token) {
      await run(() => scripted.idempotencyMarkUnknown(PREFIX + key, token, times.ttlMs, times.settleMs));
    },
    async release(key, token) {
      await run(() => scripted.idempotencyRelease(PREFIX + key, token));
    },
    async close() {
      redis.disconnect();
    },
  };
}

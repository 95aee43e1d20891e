/**
 * The idempotency store: what happened to each (tenant, Idempotency-Key), so that a retried or
 * duplicated booking gets the first outcome instead of a second appointment.
 *
 * A record holds no patient data in the clear: the fingerprint (a keyed hash of the input), the
 * state, and once known the outcome (appointment id, or Healthie's `messages`, which may quote
 * patient data and are sealed in Redis, sealed-outcome.ts). States:
 * - in-flight: one request owns it (random token) until its lease ends. The lease bounds how long
 *   a crashed replica can hold a key; an expired lease is treated like "unknown", because the
 *   crashed owner may have sent the booking.
 * - done: the outcome, replayed to every later request with the same key and input.
 * - unknown: the booking may have reached Healthie (timeout, connection lost after sending). The
 *   next owner looks for the appointment in Healthie before booking again, but only once the
 *   attempt has settled: Healthie may still be running a booking whose answer we gave up on, and
 *   a lookup made before it lands finds nothing and books a second appointment. So for
 *   `settleMs` after the outcome became unknown (after the lease, for a crashed owner) a claim
 *   gets "settling" and nothing is sent.
 *
 * Every transition is one atomic step (a Lua script in Redis, synchronous code in memory), so
 * two concurrent requests can never both own a key. Records live IDEMPOTENCY_TTL_S; one whose
 * booking may still be running lives IDEMPOTENCY_TTL_S after its lease and settle window end.
 *
 * In memory each tenant has a bounded share of the records (MemoryLimits), so that one tenant
 * filling the store cannot stop every other tenant's keyed bookings.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, subgraphError } from '../errors.js';

export interface FieldMessage {
  readonly field: string | null;
  readonly message: string;
}

/** What a booking came to: an appointment, or Healthie's validation messages. */
export interface BookingOutcome {
  readonly appointmentId: string | null;
  readonly messages: readonly FieldMessage[] | null;
}

export type Claim =
  /** This request owns the key now. `recovering`: an earlier attempt may have booked; look first. */
  | { readonly kind: 'claimed'; readonly token: string; readonly recovering: boolean }
  | { readonly kind: 'done'; readonly outcome: BookingOutcome }
  /** The key was first used with a different input. */
  | { readonly kind: 'reused' }
  /** Another request owns the key and its lease has not ended. */
  | { readonly kind: 'in-flight' }
  /** An earlier attempt may still be running at Healthie: nobody may look and book for `retryAfterMs`. */
  | { readonly kind: 'settling'; readonly retryAfterMs: number };

export interface IdempotencyStore {
  /** `tenant`: a keyed hash of the tenant, for its share of a bounded store (memory). */
  claim(key: string, fingerprint: string, tenant: string): Promise<Claim>;
  /** Records the outcome, if `token` still owns the key. */
  complete(key: string, token: string, outcome: BookingOutcome): Promise<void>;
  /** The booking may have reached Healthie: the next owner looks before booking, once it has settled. */
  markUnknown(key: string, token: string): Promise<void>;
  /** Nothing was sent: forget the attempt (back to "unknown" if an earlier one may have booked). */
  release(key: string, token: string): Promise<void>;
  close(): Promise<void>;
}

export interface StoreTimes {
  readonly ttlMs: number;
  readonly leaseMs: number;
  /** How long an attempt whose outcome is unknown is left to settle before anyone looks and books. */
  readonly settleMs: number;
}

/** Records kept in memory at most; beyond it new keys are refused rather than old ones forgotten. */
export const MAX_MEMORY_RECORDS = 100_000;

/**
 * One tenant's share of MAX_MEMORY_RECORDS: 10,000 keys within IDEMPOTENCY_TTL_S (a day by
 * default) is a booking every 9 s around the clock from one API key, far beyond one
 * organisation's support flows, and it takes ten tenants at their share to fill the store.
 */
export const MAX_MEMORY_RECORDS_PER_TENANT = 10_000;

export interface MemoryLimits {
  readonly total: number;
  readonly perTenant: number;
}

const MEMORY_LIMITS: MemoryLimits = { total: MAX_MEMORY_RECORDS, perTenant: MAX_MEMORY_RECORDS_PER_TENANT };

interface MemoryRecord {
  state: 'in-flight' | 'done' | 'unknown';
  fingerprint: string;
  tenant: string;
  token?: string;
  leaseEnd?: number;
  recovering?: boolean;
  /** "unknown": when the attempt has settled and the next owner may look and book. */
  settleEnd?: number;
  outcome?: BookingOutcome;
  expires: number;
}

const full = (message: string, limit: string) => subgraphError(ErrorCode.UPSTREAM_UNAVAILABLE, message, { limit });

/**
 * One replica: a Map with the same transitions as the Redis store. `now` and `limits` are
 * injectable for tests.
 */
export function createMemoryStore(times: StoreTimes, now: () => number = Date.now, limits: MemoryLimits = MEMORY_LIMITS): IdempotencyStore {
  const records = new Map<string, MemoryRecord>();
  /** Each tenant's keys, to bound its share and to sweep only its own when it is full. */
  const byTenant = new Map<string, Set<string>>();
  // A full share (or store) is swept for expired records at most once a second: otherwise every
  // claim against it would walk up to all its records again.
  const sweptAt = new Map<string, number>();
  const forget = (key: string) => {
    const record = records.get(key);
    if (!record) return;
    records.delete(key);
    const keys = byTenant.get(record.tenant);
    keys?.delete(key);
    if (keys?.size === 0) {
      byTenant.delete(record.tenant);
      sweptAt.delete(record.tenant);
    }
  };
  const live = (key: string): MemoryRecord | undefined => {
    const record = records.get(key);
    if (record && record.expires <= now()) forget(key);
    return record && record.expires > now() ? record : undefined;
  };
  const owned = (key: string, token: string) => {
    const record = live(key);
    return record?.state === 'in-flight' && record.token === token ? record : undefined;
  };
  const sweep = (scope: string, keys: Iterable<string>) => {
    const at = now();
    if (at - (sweptAt.get(scope) ?? Number.NEGATIVE_INFINITY) < 1_000) return;
    sweptAt.set(scope, at);
    for (const key of [...keys]) live(key);
  };
  /** A record that may have booked is kept for the TTL after it has settled (for a crashed owner: after its lease). */
  const unsettledExpiry = (at: number) => at + times.leaseMs + times.settleMs + times.ttlMs;

  return {
    async claim(key, fingerprint, tenant) {
      const record = live(key);
      const at = now();
      if (!record) {
        if ((byTenant.get(tenant)?.size ?? 0) >= limits.perTenant) sweep(tenant, byTenant.get(tenant)!);
        if ((byTenant.get(tenant)?.size ?? 0) >= limits.perTenant) {
          throw full(
            `This API key holds ${limits.perTenant} Idempotency-Keys in the in-memory idempotency store, its share (of ${limits.total} for all tenants); the booking was not sent. Keys are kept for IDEMPOTENCY_TTL_S: retry once older ones expire, or have the operator set REDIS_URL or lower IDEMPOTENCY_TTL_S.`,
            'idempotency_tenant_share',
          );
        }
        if (records.size >= limits.total) sweep('', records.keys());
        if (records.size >= limits.total) {
          throw full(`The in-memory idempotency store holds ${limits.total} keys, its limit; the booking was not sent. Set REDIS_URL, or lower IDEMPOTENCY_TTL_S.`, 'idempotency_store');
        }
        const token = randomUUID();
        records.set(key, { state: 'in-flight', fingerprint, tenant, token, leaseEnd: at + times.leaseMs, expires: unsettledExpiry(at) });
        const keys = byTenant.get(tenant) ?? new Set<string>();
        byTenant.set(tenant, keys.add(key));
        return { kind: 'claimed', token, recovering: false };
      }
      if (record.fingerprint !== fingerprint) return { kind: 'reused' };
      if (record.state === 'done') return { kind: 'done', outcome: record.outcome! };
      // A crashed owner may have sent the booking up to the end of its lease.
      const settled = record.state === 'unknown' ? (record.settleEnd ?? 0) : record.leaseEnd! < at ? record.leaseEnd! + times.settleMs : undefined;
      if (settled === undefined) return { kind: 'in-flight' };
      if (settled > at) return { kind: 'settling', retryAfterMs: settled - at };
      const token = randomUUID();
      Object.assign(record, { state: 'in-flight', token, leaseEnd: at + times.leaseMs, recovering: true, settleEnd: undefined, expires: unsettledExpiry(at) });
      return { kind: 'claimed', token, recovering: true };
    },
    async complete(key, token, outcome) {
      const record = owned(key, token);
      if (record) Object.assign(record, { state: 'done', token: undefined, leaseEnd: undefined, recovering: undefined, outcome, expires: now() + times.ttlMs });
    },
    async markUnknown(key, token) {
      const record = owned(key, token);
      const at = now();
      if (record) {
        Object.assign(record, { state: 'unknown', token: undefined, leaseEnd: undefined, recovering: undefined, settleEnd: at + times.settleMs });
        record.expires = at + times.settleMs + times.ttlMs;
      }
    },
    async release(key, token) {
      const record = owned(key, token);
      if (!record) return;
      // Recovering: the earlier attempt has settled already (that is how this owner got the key).
      if (record.recovering) Object.assign(record, { state: 'unknown', token: undefined, leaseEnd: undefined, recovering: undefined, settleEnd: undefined });
      else forget(key);
    },
    async close() {
      records.clear();
      byTenant.clear();
    },
  };
}

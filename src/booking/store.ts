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
 *   next owner looks for the appointment in Healthie before booking again.
 *
 * Every transition is one atomic step (a Lua script in Redis, synchronous code in memory), so
 * two concurrent requests can never both own a key. Records live IDEMPOTENCY_TTL_S.
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
  | { readonly kind: 'in-flight' };

export interface IdempotencyStore {
  claim(key: string, fingerprint: string): Promise<Claim>;
  /** Records the outcome, if `token` still owns the key. */
  complete(key: string, token: string, outcome: BookingOutcome): Promise<void>;
  /** The booking may have reached Healthie: the next owner looks before booking. */
  markUnknown(key: string, token: string): Promise<void>;
  /** Nothing was sent: forget the attempt (back to "unknown" if an earlier one may have booked). */
  release(key: string, token: string): Promise<void>;
  close(): Promise<void>;
}

export interface StoreTimes {
  readonly ttlMs: number;
  readonly leaseMs: number;
}

/** Records kept in memory at most; beyond it new keys are refused rather than old ones forgotten. */
export const MAX_MEMORY_RECORDS = 100_000;

interface MemoryRecord {
  state: 'in-flight' | 'done' | 'unknown';
  fingerprint: string;
  token?: string;
  leaseEnd?: number;
  recovering?: boolean;
  outcome?: BookingOutcome;
  expires: number;
}

/** One replica: a Map with the same transitions as the Redis store. `now` is injectable for tests. */
export function createMemoryStore(times: StoreTimes, now: () => number = Date.now): IdempotencyStore {
  const records = new Map<string, MemoryRecord>();
  const live = (key: string): MemoryRecord | undefined => {
    const record = records.get(key);
    if (record && record.expires <= now()) records.delete(key);
    return record && record.expires > now() ? record : undefined;
  };
  const owned = (key: string, token: string) => {
    const record = live(key);
    return record?.state === 'in-flight' && record.token === token ? record : undefined;
  };
  const sweep = () => {
    for (const [key, record] of records) if (record.expires <= now()) records.delete(key);
  };

  return {
    async claim(key, fingerprint) {
      const record = live(key);
      const at = now();
      if (!record) {
        if (records.size >= MAX_MEMORY_RECORDS) sweep();
        if (records.size >= MAX_MEMORY_RECORDS) {
          throw subgraphError(
            ErrorCode.UPSTREAM_UNAVAILABLE,
            `The in-memory idempotency store holds ${MAX_MEMORY_RECORDS} keys, its limit; the booking was not sent. Set REDIS_URL, or lower IDEMPOTENCY_TTL_S.`,
          );
        }
        const token = randomUUID();
        records.set(key, { state: 'in-flight', fingerprint, token, leaseEnd: at + times.leaseMs, expires: at + times.ttlMs });
        return { kind: 'claimed', token, recovering: false };
      }
      if (record.fingerprint !== fingerprint) return { kind: 'reused' };
      if (record.state === 'done') return { kind: 'done', outcome: record.outcome! };
      if (record.state === 'unknown' || record.leaseEnd! < at) {
        const token = randomUUID();
        Object.assign(record, { state: 'in-flight', token, leaseEnd: at + times.leaseMs, recovering: true, expires: at + times.ttlMs });
        return { kind: 'claimed', token, recovering: true };
      }
      return { kind: 'in-flight' };
    },
    async complete(key, token, outcome) {
      const record = owned(key, token);
      if (record) records.set(key, { state: 'done', fingerprint: record.fingerprint, outcome, expires: now() + times.ttlMs });
    },
    async markUnknown(key, token) {
      const record = owned(key, token);
      if (record) records.set(key, { state: 'unknown', fingerprint: record.fingerprint, expires: now() + times.ttlMs });
    },
    async release(key, token) {
      const record = owned(key, token);
      if (!record) return;
      if (record.recovering) records.set(key, { state: 'unknown', fingerprint: record.fingerprint, expires: record.expires });
      else records.delete(key);
    },
    async close() {
      records.clear();
    },
  };
}

/**
 * Keyed hashes for booking: the tenant an Idempotency-Key belongs to, the fingerprint of a
 * booking input, and the short tenant fingerprint of the audit log. API keys, idempotency keys
 * and inputs (which hold patient ids and times) are never stored or logged, only these HMACs.
 *
 * The key must be the same on every replica that shares the idempotency store, or their records
 * would not match: TENANT_HASH_SECRET, required with REDIS_URL. In memory mode (one replica) a
 * random key is drawn at start-up; records die with the process anyway.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Credentials } from '../credentials.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Printable ASCII, space included: what the Idempotency-Key draft allows in practice. */
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;

export type KeyReading = { readonly value?: string; readonly problem?: string };

/** The Idempotency-Key header, given as all of its values; absent, valid, or why not. */
export function readIdempotencyKey(values: readonly string[] | undefined): KeyReading {
  if (values === undefined) return {};
  if (values.length !== 1) return { problem: `Idempotency-Key was sent ${values.length} times; send it once per request.` };
  const value = values[0]!;
  const rule = `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`;
  if (value.length < 1 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH) return { problem: `${rule} (got ${value.length}); use a new UUID per booking.` };
  if (!PRINTABLE_ASCII.test(value)) return { problem: `${rule} (got control or non-ASCII characters); use a new UUID per booking.` };
  return { value };
}

/** JSON with object keys sorted and null/absent fields dropped: one text per logical input. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface BookingHasher {
  /** Store key of one tenant's Idempotency-Key: the same key under two API keys never collides. */
  recordKey(credentials: Credentials, idempotencyKey: string): string;
  /**
   * The API key as the idempotency store counts its share: a keyed hash, never logged. The key
   * alone, as the per-key cap and rate count it: a shard header chosen per request must not
   * open a fresh share each time.
   */
  storeTenant(credentials: Credentials): string;
  /** Fingerprint of a booking input (as executed: variables and defaults applied). */
  fingerprint(input: unknown): string;
  /** 12 hex characters identifying a tenant in the audit log. */
  auditTenant(credentials: Credentials): string;
}

export function createBookingHasher(secret: string | undefined): BookingHasher {
  const key = secret ?? randomBytes(32).toString('hex');
  // One key, separate purposes: a label per use keeps one hash from standing in for another.
  const hmac = (purpose: string, ...parts: string[]) => {
    const mac = createHmac('sha256', key).update(purpose);
    for (const part of parts) mac.update('\0').update(part, 'utf8');
    return mac.digest('hex');
  };
  const tenant = (credentials: Credentials) => hmac('tenant', credentials.apiKey, credentials.shard ?? '');
  return {
    recordKey: (credentials, idempotencyKey) => hmac('idempotency-key', tenant(credentials), idempotencyKey),
    storeTenant: (credentials) => hmac('store-tenant', credentials.apiKey),
    fingerprint: (input) => hmac('booking-input', canonicalJson(input)),
    auditTenant: (credentials) => hmac('audit-tenant', tenant(credentials)).slice(0, 12),
  };
}

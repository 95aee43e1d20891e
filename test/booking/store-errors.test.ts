/**
 * The in-memory store is bounded: once it holds MAX_MEMORY_RECORDS live keys it refuses new ones
 * (the booking is not sent) rather than forgetting keys that still protect bookings.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, MAX_MEMORY_RECORDS } from '../../src/booking/store.js';

describe('the in-memory idempotency store when full', () => {
  it('refuses a new key with UPSTREAM_UNAVAILABLE, still answers known keys, and accepts new ones once old ones expire', async () => {
    let now = 0;
    const store = createMemoryStore({ ttlMs: 1_000, leaseMs: 500 }, () => now);
    for (let n = 0; n < MAX_MEMORY_RECORDS; n++) await store.claim(`k${n}`, 'fp');
    await expect(store.claim('one-too-many', 'fp')).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    await expect(store.claim('k0', 'fp')).resolves.toEqual({ kind: 'in-flight' });
    now = 1_001;
    await expect(store.claim('one-too-many', 'fp')).resolves.toMatchObject({ kind: 'claimed' });
  });
});

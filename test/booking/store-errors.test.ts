/**
 * The in-memory store is bounded, in all and per tenant: once it holds its limit of live keys it
 * refuses new ones (the booking is not sent) rather than forgetting keys that still protect
 * bookings, and one tenant at its share is refused alone, so it cannot lock every other tenant
 * out. Small limits are injected; the real ones are MAX_MEMORY_RECORDS and
 * MAX_MEMORY_RECORDS_PER_TENANT.
 */
import { describe, expect, it } from 'vitest';
import { createBookingHasher } from '../../src/booking/keys.js';
import { createMemoryStore } from '../../src/booking/store.js';

const TIMES = { ttlMs: 1_000, leaseMs: 500, settleMs: 0 };

describe('the in-memory idempotency store when full', () => {
  it('refuses a new key with UPSTREAM_UNAVAILABLE, still answers known keys, and accepts new ones once old ones expire', async () => {
    let now = 0;
    const store = createMemoryStore(TIMES, () => now, { total: 12, perTenant: 4 });
    for (let n = 0; n < 12; n++) await store.claim(`k${n}`, 'fp', `tenant-${n % 3}`);
    const refused = store.claim('one-too-many', 'fp', 'tenant-new');
    await expect(refused).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', limit: 'idempotency_store' } });
    await expect(refused).rejects.toThrow(/holds 12 keys, its limit; the booking was not sent\. Set REDIS_URL, or lower IDEMPOTENCY_TTL_S\./);
    await expect(store.claim('k0', 'fp', 'tenant-0')).resolves.toEqual({ kind: 'in-flight' });
    now = TIMES.leaseMs + TIMES.ttlMs + 1;
    await expect(store.claim('one-too-many', 'fp', 'tenant-new')).resolves.toMatchObject({ kind: 'claimed' });
  });

  it("refuses only the tenant at its share, saying the rule and the fix; others still book, and its share frees as its keys expire or are released", async () => {
    let now = 0;
    const store = createMemoryStore(TIMES, () => now, { total: 12, perTenant: 3 });
    const mine = await Promise.all([1, 2, 3].map((n) => store.claim(`mine-${n}`, 'fp', 'greedy')));
    expect(mine.map((claim) => claim.kind)).toEqual(['claimed', 'claimed', 'claimed']);

    const refused = store.claim('mine-4', 'fp', 'greedy');
    await expect(refused).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', limit: 'idempotency_tenant_share' } });
    await expect(refused).rejects.toThrow(
      'This API key holds 3 Idempotency-Keys in the in-memory idempotency store, its share (of 12 for all tenants); the booking was not sent. Keys are kept for IDEMPOTENCY_TTL_S: retry once older ones expire, or have the operator set REDIS_URL or lower IDEMPOTENCY_TTL_S.',
    );
    // Its own keys are still answered, and every other tenant still gets keys.
    await expect(store.claim('mine-1', 'fp', 'greedy')).resolves.toEqual({ kind: 'in-flight' });
    for (const other of ['a', 'b', 'c']) await expect(store.claim(`${other}-1`, 'fp', other)).resolves.toMatchObject({ kind: 'claimed' });

    // A released attempt (nothing sent) gives its place back at once.
    await store.release('mine-1', (mine[0] as { token: string }).token);
    await expect(store.claim('mine-4', 'fp', 'greedy')).resolves.toMatchObject({ kind: 'claimed' });
    await expect(store.claim('mine-5', 'fp', 'greedy')).rejects.toMatchObject({ extensions: { limit: 'idempotency_tenant_share' } });
    // Expired keys give theirs back.
    now = TIMES.leaseMs + TIMES.ttlMs + 1;
    await expect(store.claim('mine-5', 'fp', 'greedy')).resolves.toMatchObject({ kind: 'claimed' });
  });

  it('sweeps a full share for expired keys at most once a second, so claims against it do not each walk all its keys', async () => {
    let now = 0;
    const store = createMemoryStore(TIMES, () => now, { total: 12, perTenant: 3 });
    for (const n of [1, 2, 3]) await store.claim(`mine-${n}`, 'fp', 'greedy');
    const expiry = TIMES.leaseMs + TIMES.settleMs + TIMES.ttlMs;
    now = expiry - 1; // swept now: nothing has expired yet
    await expect(store.claim('mine-4', 'fp', 'greedy')).rejects.toMatchObject({ extensions: { limit: 'idempotency_tenant_share' } });
    now = expiry; // expired, but swept less than a second ago
    await expect(store.claim('mine-4', 'fp', 'greedy')).rejects.toMatchObject({ extensions: { limit: 'idempotency_tenant_share' } });
    now = expiry - 1 + 1_000;
    await expect(store.claim('mine-4', 'fp', 'greedy')).resolves.toMatchObject({ kind: 'claimed' });
  });

  it('counts a key once however often it is claimed, and counts outcomes kept (done, unknown) against the share', async () => {
    const store = createMemoryStore(TIMES, () => 0, { total: 100, perTenant: 2 });
    const first = (await store.claim('k1', 'fp', 't')) as { token: string };
    for (let n = 0; n < 5; n++) await store.claim('k1', 'fp', 't');
    await store.complete('k1', first.token, { appointmentId: '1', messages: null });
    const second = (await store.claim('k2', 'fp', 't')) as { token: string };
    await store.markUnknown('k2', second.token);
    await expect(store.claim('k3', 'fp', 't')).rejects.toMatchObject({ extensions: { limit: 'idempotency_tenant_share' } });
    await expect(store.claim('k1', 'fp', 't')).resolves.toMatchObject({ kind: 'done' });
  });
});

describe("the store's share of an API key", () => {
  it('is one share whatever shard a request names, so a new x-healthie-shard per request opens no new share', async () => {
    const hasher = createBookingHasher('a-secret-for-this-test');
    const shares = new Set(['s1', 's2', 's3', undefined].map((shard) => hasher.storeTenant({ apiKey: 'one-key', ...(shard ? { shard } : {}) })));
    expect(shares.size).toBe(1);
    expect(hasher.storeTenant({ apiKey: 'another-key' })).not.toBe([...shares][0]);

    const store = createMemoryStore(TIMES, () => 0, { total: 12, perTenant: 2 });
    for (const shard of ['s1', 's2']) await store.claim(`key-${shard}`, 'fp', hasher.storeTenant({ apiKey: 'one-key', shard }));
    await expect(store.claim('key-s3', 'fp', hasher.storeTenant({ apiKey: 'one-key', shard: 's3' }))).rejects.toMatchObject({
      extensions: { limit: 'idempotency_tenant_share' },
    });
  });
});

/**
 * The idempotency store's transitions, the same in memory and in a real redis-server: one owner
 * per key, outcomes replayed, a different input refused, "may have booked" remembered until an
 * owner settles it, and an expired lease treated as "may have booked".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/booking/redis-store.js';
import { createOutcomeSeal } from '../../src/booking/sealed-outcome.js';
import { createMemoryStore, type IdempotencyStore, type StoreTimes } from '../../src/booking/store.js';
import { createRedis, type Redis } from '../../src/redis.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const TIMES: StoreTimes = { ttlMs: 60_000, leaseMs: 60_000, settleMs: 0 };
const TENANT = 'tenant';
const BOOKED = { appointmentId: '4242', messages: null };
const MESSAGES = { appointmentId: null, messages: [] as Array<{ field: string | null; message: string }> };

let redisServer: RedisServer;
const clients: Redis[] = [];
beforeAll(async () => {
  redisServer = await startRedis();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redisServer.stop();
});

async function redisStore(times: StoreTimes = TIMES): Promise<IdempotencyStore> {
  const client = createRedis({ url: redisServer.url });
  clients.push(client);
  await client.ping().catch(async () => {
    await new Promise((resolve) => client.once('ready', resolve));
  });
  return createRedisStore(redisServer.url, times, createOutcomeSeal('a-store-test-secret-0123456789abcdef'), client);
}

let clock = 1_000_000;
const stores: Array<[string, (times?: StoreTimes) => Promise<IdempotencyStore>, (ms: number) => Promise<void>]> = [
  ['memory', async (times = TIMES) => createMemoryStore(times, () => clock), async (ms) => void (clock += ms)],
  ['redis', redisStore, (ms) => new Promise((resolve) => setTimeout(resolve, ms))],
];

let keyNumber = 0;
const newKey = () => `key-${process.pid}-${++keyNumber}`;

for (const [name, create, pass] of stores) {
  describe(`the ${name} idempotency store`, () => {
    it('gives a key to one claimant; a second sees it in flight, then the outcome', async () => {
      const store = await create();
      const key = newKey();
      const first = await store.claim(key, 'fp', TENANT);
      expect(first).toMatchObject({ kind: 'claimed', recovering: false });
      expect(await store.claim(key, 'fp', TENANT)).toEqual({ kind: 'in-flight' });
      await store.complete(key, (first as { token: string }).token, BOOKED);
      expect(await store.claim(key, 'fp', TENANT)).toEqual({ kind: 'done', outcome: BOOKED });
    });

    it('keeps an empty messages list as a list', async () => {
      const store = await create();
      const key = newKey();
      const claim = (await store.claim(key, 'fp', TENANT)) as { token: string };
      await store.complete(key, claim.token, MESSAGES);
      expect(await store.claim(key, 'fp', TENANT)).toEqual({ kind: 'done', outcome: MESSAGES });
    });

    it('refuses another fingerprint under the same key, in flight or done', async () => {
      const store = await create();
      const key = newKey();
      const claim = (await store.claim(key, 'fp', TENANT)) as { token: string };
      expect(await store.claim(key, 'other', TENANT)).toEqual({ kind: 'reused' });
      await store.complete(key, claim.token, BOOKED);
      expect(await store.claim(key, 'other', TENANT)).toEqual({ kind: 'reused' });
    });

    it('lets 20 concurrent claims produce exactly one owner', async () => {
      const store = await create();
      const key = newKey();
      const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim(key, 'fp', TENANT)));
      expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.kind === 'in-flight')).toHaveLength(19);
    });

    it('forgets a released attempt, so the next claim books afresh', async () => {
      const store = await create();
      const key = newKey();
      const claim = (await store.claim(key, 'fp', TENANT)) as { token: string };
      await store.release(key, claim.token);
      expect(await store.claim(key, 'fp', TENANT)).toMatchObject({ kind: 'claimed', recovering: false });
    });

    it('remembers "may have booked": the next owner recovers, and releasing that keeps it unknown', async () => {
      const store = await create();
      const key = newKey();
      const first = (await store.claim(key, 'fp', TENANT)) as { token: string };
      await store.markUnknown(key, first.token);
      const second = await store.claim(key, 'fp', TENANT);
      expect(second).toMatchObject({ kind: 'claimed', recovering: true });
      await store.release(key, (second as { token: string }).token);
      expect(await store.claim(key, 'fp', TENANT)).toMatchObject({ kind: 'claimed', recovering: true });
    });

    it('ignores a settlement by a token that no longer owns the key', async () => {
      const store = await create();
      const key = newKey();
      const first = (await store.claim(key, 'fp', TENANT)) as { token: string };
      await store.markUnknown(key, first.token);
      const second = (await store.claim(key, 'fp', TENANT)) as { token: string };
      await store.complete(key, first.token, BOOKED);
      await store.release(key, first.token);
      expect(await store.claim(key, 'fp', TENANT)).toEqual({ kind: 'in-flight' });
      await store.complete(key, second.token, BOOKED);
      expect(await store.claim(key, 'fp', TENANT)).toEqual({ kind: 'done', outcome: BOOKED });
    });

    it("treats an expired lease (a crashed owner) as may-have-booked, not as free", async () => {
      const store = await create({ ttlMs: 60_000, leaseMs: 5, settleMs: 0 });
      const key = newKey();
      await store.claim(key, 'fp', TENANT);
      await pass(50);
      expect(await store.claim(key, 'fp', TENANT)).toMatchObject({ kind: 'claimed', recovering: true });
    });

    it('lets an unknown outcome settle first: claims get "settling" with the time left, then the next owner recovers', async () => {
      const store = await create({ ...TIMES, settleMs: 400 });
      const key = newKey();
      const first = (await store.claim(key, 'fp', TENANT)) as { token: string };
      await store.markUnknown(key, first.token);
      const early = await store.claim(key, 'fp', TENANT);
      expect(early).toMatchObject({ kind: 'settling' });
      expect((early as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
      expect((early as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(400);
      expect(await store.claim(key, 'other', TENANT)).toEqual({ kind: 'reused' });
      await pass(500);
      expect(await store.claim(key, 'fp', TENANT)).toMatchObject({ kind: 'claimed', recovering: true });
    });

    it("lets a crashed owner's attempt settle after its lease ends, before anyone recovers the key", async () => {
      // Windows far longer than the pauses between the steps, so a busy machine cannot skip one.
      const store = await create({ ttlMs: 60_000, leaseMs: 5, settleMs: 1_500 });
      const key = newKey();
      await store.claim(key, 'fp', TENANT);
      await pass(50);
      expect(await store.claim(key, 'fp', TENANT)).toMatchObject({ kind: 'settling' });
      await pass(1_600);
      expect(await store.claim(key, 'fp', TENANT)).toMatchObject({ kind: 'claimed', recovering: true });
    });

    it('keeps a key that may have booked past a shorter TTL, until it has settled', async () => {
      const store = await create({ ttlMs: 300, leaseMs: 10, settleMs: 1_500 });
      const key = newKey();
      const first = (await store.claim(key, 'fp', TENANT)) as { token: string };
      await store.markUnknown(key, first.token);
      await pass(400);
      expect(await store.claim(key, 'fp', TENANT)).toMatchObject({ kind: 'settling' });
      await pass(1_200);
      expect(await store.claim(key, 'fp', TENANT)).toMatchObject({ kind: 'claimed', recovering: true });
    });

    it('forgets a key after its TTL', async () => {
      const store = await create({ ttlMs: 20, leaseMs: 10, settleMs: 0 });
      const key = newKey();
      const claim = (await store.claim(key, 'fp', TENANT)) as { token: string };
      await store.complete(key, claim.token, BOOKED);
      await pass(100);
      expect(await store.claim(key, 'other', TENANT)).toMatchObject({ kind: 'claimed', recovering: false });
    });
  });
}

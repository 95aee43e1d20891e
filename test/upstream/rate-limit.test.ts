/**
 * The per-key request rate: a token bucket per key, shared by replicas through Redis, enforced
 * before Healthie is called; a Redis outage falls back to each replica's own bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/redis.js';
import { createHash } from 'node:crypto';
import { MemoryRateLimiter, rateLimitTenant, RedisRateLimiter } from '../../src/upstream/rate-limit.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startStack } from '../helpers/stack.js';
import { startUpstream } from '../helpers/upstream.js';

const READ = '{ healthieCurrentUser { id } }';

describe('MemoryRateLimiter', () => {
  it('allows a burst of one second, then the rate', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(2, () => now);
    expect([await limiter.take('k'), await limiter.take('k'), await limiter.take('k')]).toEqual([true, true, false]);
    expect(await limiter.take('other')).toBe(true);
    now += 500;
    expect([await limiter.take('k'), await limiter.take('k')]).toEqual([true, false]);
  });

  it('keeps a bounded number of keys', async () => {
    const limiter = new MemoryRateLimiter(1, () => 0, 10);
    for (let i = 0; i < 100; i += 1) await limiter.take(`k${i}`);
    // The oldest keys were evicted: they start with a full bucket again.
    expect(await limiter.take('k0')).toBe(true);
    expect(await limiter.take('k99')).toBe(false);
  });
});

describe('RedisRateLimiter', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('shares one bucket per key between replicas', async () => {
    const [a, b] = [createRedis({ url: redis.url }), createRedis({ url: redis.url })];
    try {
      await Promise.all([a, b].map((client) => (client.status === 'ready' ? undefined : new Promise((resolve) => client.once('ready', resolve)))));
      const replicaA = new RedisRateLimiter(a, 1);
      const replicaB = new RedisRateLimiter(b, 1);
      expect(await replicaA.take('shared')).toBe(true);
      expect(await replicaB.take('shared')).toBe(false);
      expect(await replicaB.take('another')).toBe(true);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  it("falls back to the replica's own bucket while Redis is down, and uses Redis again once it is back", async () => {
    const client = createRedis({ url: redis.url, commandTimeoutMs: 500 });
    let fallbacks = 0;
    const limiter = new RedisRateLimiter(client, 1, { onFallback: () => (fallbacks += 1), retryAfterMs: 0 });
    try {
      await new Promise((resolve) => client.once('ready', resolve));
      expect(await limiter.take('before')).toBe(true);
      expect(fallbacks).toBe(0);
      await redis.stop();
      expect(await limiter.take('k')).toBe(true);
      expect(await limiter.take('k')).toBe(false);
      expect(fallbacks).toBe(2);
      await redis.restart();
      for (let i = 0; i < 50 && client.status !== 'ready'; i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(await limiter.take('fresh')).toBe(true);
      expect(fallbacks).toBe(2);
    } finally {
      client.disconnect();
    }
  }, 20_000);

  it('holds a key to HEALTHIE_RATE_LIMIT_RPS across two servers, refusing without calling Healthie', async () => {
    const upstream = await startUpstream();
    const secret = 'tenant-hash-secret-for-the-rate-test-0123';
    const env = { HEALTHIE_RATE_LIMIT_RPS: '1', REDIS_URL: redis.url, TENANT_HASH_SECRET: secret };
    const [one, two] = await Promise.all([startStack({ upstreamUrl: upstream.url, env }), startStack({ upstreamUrl: upstream.url, env })]);
    try {
      // Warm both servers up with other keys, then send the rated key to both at once.
      await Promise.all([one.query(READ, {}, { 'x-healthie-api-key': 'warm-1' }), two.query(READ, {}, { 'x-healthie-api-key': 'warm-2' })]);
      const sentBefore = upstream.received.length;
      const results = await Promise.all([one, two, one, two].map((stack) => stack.query(READ, {}, { 'x-healthie-api-key': 'rated' })));
      const refused = results.filter((r) => r.body.errors?.[0]?.extensions?.code === 'UPSTREAM_RATE_LIMITED');
      // One token per second, shared: at most one (two if a second passed) of the four goes out.
      expect(refused.length).toBeGreaterThanOrEqual(2);
      expect(refused.every((r) => r.body.errors![0]!.extensions!.limit === 'subgraph_rate')).toBe(true);
      expect(upstream.received.length - sentBefore).toBe(4 - refused.length);
      expect((await two.query(READ, {}, { 'x-healthie-api-key': 'other' })).body.errors).toBeUndefined();
      // Buckets are named by the keyed hash (TENANT_HASH_SECRET), never the key or its plain hash.
      const client = createRedis({ url: redis.url });
      try {
        if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
        const names = await client.keys('healthie-subgraph:rate:*');
        expect(names).toContain(`healthie-subgraph:rate:${rateLimitTenant({ apiKey: 'rated' }, secret)}`);
        const plain = createHash('sha256').update('rated').update('\0').update('').digest('base64url');
        expect(names.join(' ')).not.toMatch(new RegExp(`rated|${plain}`));
      } finally {
        client.disconnect();
      }
    } finally {
      await one.close();
      await two.close();
      await upstream.close();
    }
  });
});

/**
 * The per-key rate while Redis hangs (its process stopped, so commands wait for the command
 * timeout instead of failing at once): reads must not each wait that timeout. After one failure
 * the limiter decides in-process for a while, then lets one request at a time probe Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_RETRY_AFTER_MS } from '../../src/upstream/rate-limit.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const READ = '{ healthieCurrentUser { id } }';
const KEY = 'rate-key-never-logged-0123456789';
const auth = { 'x-healthie-api-key': KEY };
/** Well below the 2 s command timeout, far above a read's usual ~10 ms (a shared, slow machine). */
const SLOW_MS = 1_500;

describe('the per-key rate while Redis hangs', () => {
  let redis: RedisServer;
  let upstream: Upstream;
  let stack: Stack;
  let stopped = false;
  beforeAll(async () => {
    redis = await startRedis();
    upstream = await startUpstream();
    stack = await startStack({
      upstreamUrl: upstream.url,
      env: { HEALTHIE_RATE_LIMIT_RPS: '1000', REDIS_URL: redis.url, TENANT_HASH_SECRET: 'tenant-hash-secret-for-the-hang-test-0123' },
    });
  });
  afterAll(async () => {
    if (stopped) process.kill(redis.pid, 'SIGCONT');
    await stack?.close();
    await upstream?.close();
    await redis?.stop();
  });

  /** Sends `count` reads (all at once or one after another); returns how many were slow. */
  async function slowReads(count: number, together: boolean): Promise<number> {
    const one = async (): Promise<number> => {
      const started = Date.now();
      const result = await stack.query(READ, {}, auth);
      expect(result.body).toEqual({ data: { healthieCurrentUser: { id: '1' } } });
      return Date.now() - started >= SLOW_MS ? 1 : 0;
    };
    if (together) return (await Promise.all(Array.from({ length: count }, one))).reduce((a, b) => a + b, 0);
    let slow = 0;
    for (let i = 0; i < count; i += 1) slow += await one();
    return slow;
  }

  const fallbacks = () => stack.server.metrics.rateLimiterFallbacks.get().then((m) => m.values[0]?.value ?? 0);
  const warnings = () => stack.logs.filter((line) => /redis (did not answer|answers again)/.test(line));

  it('waits for the command timeout on at most one read per retry period, decides the others in-process, and uses Redis again once it answers', async () => {
    // Until the connection is up, reads fall back at once; wait until one is decided by Redis.
    for (let i = 0; i < 50; i += 1) {
      const before = await fallbacks();
      await stack.query(READ, {}, auth);
      if ((await fallbacks()) === before) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const connected = await fallbacks();
    expect(await slowReads(3, false)).toBe(0);
    expect(await fallbacks()).toBe(connected);
    expect(warnings()).toEqual([]);

    process.kill(redis.pid, 'SIGSTOP');
    stopped = true;
    // Of 10 reads one after another, only the first waits for Redis (two if a slow machine
    // lets the retry period pass meanwhile); all are answered.
    expect(await slowReads(10, false)).toBeLessThanOrEqual(2);
    expect((await fallbacks()) - connected).toBeGreaterThanOrEqual(10);
    expect(warnings()).toHaveLength(1);
    expect(JSON.parse(warnings()[0]!)).toMatchObject({ level: 'warn', retryAfterMs: REDIS_RETRY_AFTER_MS });

    // After the period, 10 reads at once: one probes Redis (and waits), the others do not.
    await new Promise((resolve) => setTimeout(resolve, REDIS_RETRY_AFTER_MS + 200));
    expect(await slowReads(10, true)).toBeLessThanOrEqual(2);
    // Still failing: still one warning, not one per probe.
    expect(warnings()).toHaveLength(1);

    process.kill(redis.pid, 'SIGCONT');
    stopped = false;
    // Within a retry period (and a reconnection) a probe is answered, and rates are shared again.
    const deadline = Date.now() + REDIS_RETRY_AFTER_MS * 3;
    while (warnings().length < 2 && Date.now() < deadline) {
      await stack.query(READ, {}, auth);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(warnings()).toHaveLength(2);
    expect(JSON.parse(warnings()[1]!)).toMatchObject({ level: 'warn', msg: expect.stringContaining('answers again') });
    const before = await fallbacks();
    expect(await slowReads(3, false)).toBe(0);
    expect(await fallbacks()).toBe(before);
    // Neither the key nor a hash of it is in any log line.
    expect(stack.logs.join('\n')).not.toContain(KEY);
  }, 60_000);
});

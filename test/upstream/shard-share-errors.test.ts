/**
 * A key's share of Healthie (HEALTHIE_MAX_IN_FLIGHT_PER_KEY, HEALTHIE_RATE_LIMIT_RPS) is the key's,
 * whatever x-healthie-shard says: a client sending a new shard with each request gets no more
 * requests in flight, and no more requests per second, than with one shard.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const READ = '{ healthieCurrentUser { id } }';

describe('a key spread over many shard headers', () => {
  let upstream: Upstream;
  let stack: Stack;
  afterEach(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('keeps at most 8 of its requests in flight at Healthie when each of 32 names another shard', async () => {
    upstream = await startUpstream({ latencyMs: 150 });
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_QUEUE_TIMEOUT_MS: '30000', HEALTHIE_TIMEOUT_MS: '10000' } });
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) => stack.query(READ, {}, { 'x-healthie-api-key': 'spread-key', 'x-healthie-shard': `shard-${i}` })),
    );
    expect(results.every((result) => result.body.errors === undefined)).toBe(true);
    expect(upstream.received).toHaveLength(32);
    expect(upstream.maxConcurrent.get('Basic spread-key')).toBe(8);
  }, 30_000);

  it('refuses requests over HEALTHIE_RATE_LIMIT_RPS with UPSTREAM_RATE_LIMITED when each names another shard, sending none of them', async () => {
    upstream = await startUpstream();
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_RATE_LIMIT_RPS: '5', HEALTHIE_RETRIES: '0' } });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => stack.query(READ, {}, { 'x-healthie-api-key': 'spread-key', 'x-healthie-shard': `shard-${i}` })),
    );
    const refused = results.filter((result) => result.body.errors?.[0]?.extensions?.limit === 'subgraph_rate');
    // A burst of one second's rate passes (5, and the tokens refilled while the 30 arrive, a few
    // on a busy machine); a bucket per shard would have refused none.
    expect(refused.length).toBeGreaterThanOrEqual(10);
    for (const result of refused) expect(result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(upstream.received).toHaveLength(30 - refused.length);
  }, 30_000);
});

/**
 * GET /metrics: Prometheus text from this server's own registry, with no key, tenant or patient
 * data in any label; behind ROUTER_SECRET when set, or on METRICS_PORT alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../src/sandbox/index.js';
import { doublingChain } from './helpers/operations.js';
import { startStack, type Stack } from './helpers/stack.js';
import { startUpstream, type Upstream } from './helpers/upstream.js';

const READ = '{ healthieCurrentUser { id firstName } }';
const SECRET = 'router-secret-of-at-least-16';

describe('metrics', () => {
  const stacks: Stack[] = [];
  let upstream: Upstream | undefined;
  afterEach(async () => {
    for (const stack of stacks.splice(0)) await stack.close();
    await upstream?.close();
    upstream = undefined;
  });
  async function start(env: Record<string, string> = {}) {
    upstream ??= await startUpstream();
    const stack = await startStack({ upstreamUrl: upstream.url, env });
    stacks.push(stack);
    return stack;
  }
  const metricsOf = (stack: Stack, headers: Record<string, string> = {}) => fetch(stack.url.replace('/graphql', '/metrics'), { headers });

  it('counts requests by operation type and code, and Healthie latency by outcome, in Prometheus format', async () => {
    const stack = await start();
    await stack.query(READ, {}, { 'x-healthie-api-key': 'tenant-key-123' });
    await stack.query(doublingChain(20), {}, { 'x-healthie-api-key': 'tenant-key-123' });
    const response = await metricsOf(stack);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/healthie_subgraph_requests_total\{operation_type="query",code="none"\} 1/);
    expect(text).toMatch(/healthie_subgraph_requests_total\{operation_type="query",code="QUERY_TOO_COMPLEX"\} 1/);
    expect(text).toMatch(/healthie_upstream_request_duration_seconds_count\{outcome="ok"\} 1/);
    for (const name of ['healthie_upstream_retries_total', 'healthie_rate_limited_total', 'healthie_breaker_state', 'healthie_queue_wait_seconds', 'healthie_rejections_total', 'healthie_idempotency_replays_total', 'healthie_idempotency_conflicts_total']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).not.toContain('tenant-key-123');
    expect(text).not.toContain('Casey');
  });

  it("reports when Healthie stops serving the API version sent, once it has said so, and whether it refuses that version now", async () => {
    const before = await startStack({ sandbox: { now: () => new Date('2026-12-15T10:00:00Z') } });
    stacks.push(before);
    // Nothing is known before Healthie's first answer.
    const unknown = await (await metricsOf(before)).text();
    expect(unknown).not.toMatch(/^healthie_api_version_sunset_timestamp_seconds/m);
    expect(unknown).not.toMatch(/^healthie_api_version_unsupported/m);
    await before.query(READ, {}, { 'x-healthie-api-key': DEMO_API_KEY });
    const served = await (await metricsOf(before)).text();
    expect(served).toContain(`healthie_api_version_sunset_timestamp_seconds{version="2026-01-01"} ${Date.parse('2027-01-31T00:00:00Z') / 1000}`);
    expect(served).toContain('healthie_api_version_unsupported{version="2026-01-01"} 0');

    const after = await startStack({ sandbox: { now: () => new Date('2027-02-01T10:00:00Z') } });
    stacks.push(after);
    expect((await after.query(READ, {}, { 'x-healthie-api-key': DEMO_API_KEY })).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_VERSION_UNSUPPORTED');
    expect(await (await metricsOf(after)).text()).toContain('healthie_api_version_unsupported{version="2026-01-01"} 1');
  });

  it('keeps one registry per server', async () => {
    const [one, two] = [await start(), await start()];
    await one.query(READ, {}, { 'x-healthie-api-key': 'k' });
    expect(await (await metricsOf(one)).text()).toMatch(/requests_total\{operation_type="query",code="none"\} 1/);
    expect(await (await metricsOf(two)).text()).not.toMatch(/requests_total\{operation_type="query"/);
  });

  it('requires router-authorization when ROUTER_SECRET is set', async () => {
    const stack = await start({ ROUTER_SECRET: SECRET });
    expect((await metricsOf(stack)).status).toBe(401);
    expect((await metricsOf(stack, { 'router-authorization': `${SECRET}x` })).status).toBe(401);
    expect((await metricsOf(stack, { 'router-authorization': SECRET })).status).toBe(200);
  });

  it('serves /metrics only on METRICS_PORT when it is set', async () => {
    const stack = await start({ METRICS_PORT: '0' });
    expect((await metricsOf(stack)).status).toBe(404);
    const url = stack.server.metricsUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('healthie_breaker_state');
  });
});

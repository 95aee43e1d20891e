/**
 * Retries and the breaker: a read survives one rate-limit answer or 5xx; timeouts and bookings
 * are never repeated; during an outage Healthie receives nothing while the breaker is open, and
 * service resumes by itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { mayHaveReachedHealthie, UpstreamFailure } from '../../src/upstream/failure.js';
import { createResilience, BREAKER_MIN_CALLS, MIN_ATTEMPT_MS } from '../../src/upstream/resilience.js';
import { ErrorCode } from '../../src/errors.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { startUpstream, type Reply, type Upstream } from '../helpers/upstream.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const RATE_LIMITED: Reply = { body: { errors: [{ message: 'Too many requests. Please try again later.', extensions: { code: 'TOO_MANY_REQUESTS' } }] } };
const READ = '{ healthieCurrentUser { id } }';
const BOOK = 'mutation { healthieCreateAppointment(input: { userId: "1" }) { messages { field } } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('retries over HTTP', () => {
  let upstream: Upstream;
  let stack: Stack;
  afterEach(async () => {
    await stack.close();
    await upstream.close();
  });
  async function start(env: Record<string, string> = {}) {
    upstream = await startUpstream();
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_TIMEOUT_MS: '2000', HEALTHIE_ALLOW_SCHEDULING: 'true', ...env } });
  }
  const failFirst = (reply: Reply, times = 1) => upstream.setReply((_request, index) => (index < times ? reply : undefined));

  it("answers a read after a single rate-limit answer from Healthie, sending it again", async () => {
    await start();
    failFirst(RATE_LIMITED);
    const result = await stack.query(READ, {}, auth);
    expect(result.body).toEqual({ data: { healthieCurrentUser: { id: '1' } } });
    expect(upstream.received).toHaveLength(2);
    const metrics = await (await fetch(stack.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/healthie_upstream_retries_total\{reason="rate_limited"\} 1/);
    expect(metrics).toMatch(/healthie_rate_limited_total\{source="healthie"\} 1/);
  });

  for (const [name, reply] of [
    ['HTTP 429', { status: 429, body: {} }],
    ['HTTP 503', { status: 503, body: 'down' }],
  ] as Array<[string, Reply]>) {
    it(`answers a read after one ${name}`, async () => {
      await start();
      failFirst(reply);
      const result = await stack.query(READ, {}, auth);
      expect(result.body).toEqual({ data: { healthieCurrentUser: { id: '1' } } });
      expect(upstream.received).toHaveLength(2);
    });
  }

  it('sends a read at most 1 + HEALTHIE_RETRIES times', async () => {
    await start({ HEALTHIE_RETRIES: '2' });
    upstream.setReply(() => ({ status: 500, body: 'no' }));
    const result = await stack.query(READ, {}, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream.received).toHaveLength(3);
  });

  it('does not retry a read that timed out', async () => {
    await start({ HEALTHIE_TIMEOUT_MS: '300' });
    upstream.setReply(() => 'hang');
    const result = await stack.query(READ, {}, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    await sleep(300);
    expect(upstream.received).toHaveLength(1);
  });

  for (const [name, reply] of [
    ['a rate-limit answer', RATE_LIMITED],
    ['HTTP 429', { status: 429, body: {} }],
    ['HTTP 500', { status: 500, body: 'no' }],
  ] as Array<[string, Reply]>) {
    it(`never sends a booking twice, even after ${name}`, async () => {
      await start({ HEALTHIE_RETRIES: '5' });
      upstream.setReply(() => reply);
      const result = await stack.query(BOOK, {}, auth);
      expect(result.body.errors?.[0]?.extensions?.code).toMatch(/UPSTREAM_(RATE_LIMITED|UNAVAILABLE)/);
      await sleep(200);
      expect(upstream.received).toHaveLength(1);
    });
  }
});

describe('breaker over HTTP', () => {
  let upstream: Upstream;
  let stack: Stack;
  afterEach(async () => {
    await stack.close();
    await upstream.close();
  });

  it('opens when most calls of its window are 5xx: no Healthie call and /readyz 503 while open, then recovers by itself', async () => {
    upstream = await startUpstream();
    // A cooldown long enough that the checks below finish while the breaker is still open, even
    // on a machine busy with other suites.
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_RETRIES: '0', HEALTHIE_BREAKER_COOLDOWN_MS: '4000', HEALTHIE_ALLOW_SCHEDULING: 'true' } });
    const readyz = stack.url.replace('/graphql', '/readyz');
    upstream.setReply(() => ({ status: 500, body: 'outage' }));
    for (let i = 0; i < BREAKER_MIN_CALLS; i += 1) {
      expect((await stack.query(READ, {}, auth)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    }
    expect(upstream.received).toHaveLength(BREAKER_MIN_CALLS);

    // Open: 20 reads and a booking fail at once, and Healthie hears nothing.
    const during = await Promise.all([...Array.from({ length: 20 }, () => stack.query(READ, {}, auth)), stack.query(BOOK, {}, auth)]);
    for (const result of during) {
      expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', breaker: 'open' });
    }
    expect(upstream.received).toHaveLength(BREAKER_MIN_CALLS);
    const open = await fetch(readyz);
    expect(open.status).toBe(503);
    expect(await open.json()).toMatchObject({ status: 'upstream failing (breaker open)', healthieApiVersion: '2026-01-01' });
    expect(await (await fetch(stack.url.replace('/graphql', '/metrics'))).text()).toMatch(/healthie_breaker_state 1/);

    // Healthie recovers; after the cooldown one call goes through, succeeds and closes the breaker.
    upstream.setReply(undefined);
    await sleep(4100);
    const after = await stack.query(READ, {}, auth);
    expect(after.body).toEqual({ data: { healthieCurrentUser: { id: '1' } } });
    expect((await stack.query(READ, {}, auth)).body.errors).toBeUndefined();
    expect(upstream.received).toHaveLength(BREAKER_MIN_CALLS + 2);
    expect((await fetch(readyz)).status).toBe(200);
    const changes = stack.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'healthie breaker state');
    expect(changes.map((line) => [line.level, line.breaker])).toEqual([['warn', 'open'], ['warn', 'half-open'], ['warn', 'closed']]);
  }, 30_000);

  it("is not opened by one tenant's reads that Healthie fails, retries included, while another tenant is served", async () => {
    upstream = await startUpstream();
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_RETRIES: '2' } });
    const failing = { 'x-healthie-api-key': 'tenant-b' };
    upstream.setReply((request) => (request.headers.authorization === 'Basic tenant-b' ? { status: 500, body: 'search failed' } : undefined));
    for (let i = 0; i < 10; i += 1) expect((await stack.query(READ, {}, auth)).body.errors).toBeUndefined();
    // Two failing reads: six attempts, which five consecutive failures used to turn into an outage for all.
    for (let i = 0; i < 2; i += 1) expect((await stack.query(READ, {}, failing)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream.received).toHaveLength(16);
    expect((await stack.query(READ, {}, auth)).body).toEqual({ data: { healthieCurrentUser: { id: '1' } } });
    expect((await fetch(stack.url.replace('/graphql', '/readyz'))).status).toBe(200);
    // Nor are eight more of them (24 failed attempts) among the 40 reads of others in a busier window.
    for (let i = 0; i < 8; i += 1) {
      for (let j = 0; j < 5; j += 1) expect((await stack.query(READ, {}, auth)).body.errors).toBeUndefined();
      await stack.query(READ, {}, failing);
    }
    expect((await stack.query(READ, {}, auth)).body.errors).toBeUndefined();
  }, 30_000);

  it('is not opened by rate-limit answers or refused keys', async () => {
    upstream = await startUpstream();
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_RETRIES: '0', HEALTHIE_ALLOW_SCHEDULING: 'true' } });
    upstream.setReply((_request, index) => (index % 2 === 0 ? RATE_LIMITED : { status: 401, body: {} }));
    // One key per request: a refused key's next requests are not sent at all (see fairness-errors).
    for (let i = 0; i < BREAKER_MIN_CALLS * 2; i += 1) await stack.query(READ, {}, { 'x-healthie-api-key': `key-${i}` });
    upstream.setReply(undefined);
    expect((await stack.query(READ, {}, auth)).body.errors).toBeUndefined();
    expect(upstream.received).toHaveLength(BREAKER_MIN_CALLS * 2 + 1);
  });
});

describe('resilience policy', () => {
  const failure = (retry?: 'rate_limited' | 'http_5xx' | 'connect', endpointFailure = true) =>
    new UpstreamFailure(ErrorCode.UPSTREAM_UNAVAILABLE, 'x', { sent: retry !== 'connect', endpointFailure, ...(retry ? { retry } : {}) });

  it('retries a connection that failed before sending, with full-jitter delays under the ceiling', async () => {
    const resilience = createResilience({ retries: 2, cooldownMs: 1000, random: () => 0.999, baseDelayMs: 10 });
    const attempts: number[] = [];
    const result = await resilience.run('read', Date.now() + 5000, async (n) => {
      attempts.push(n);
      if (n < 3) throw failure('connect');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('never retries past the deadline', async () => {
    const resilience = createResilience({ retries: 5, cooldownMs: 1000, random: () => 0.999, baseDelayMs: 10_000, maxDelayMs: 10_000 });
    const deadline = Date.now() + MIN_ATTEMPT_MS * 3;
    const starts: number[] = [];
    await expect(
      resilience.run('read', deadline, async () => {
        starts.push(Date.now());
        throw failure('http_5xx');
      }),
    ).rejects.toBeInstanceOf(UpstreamFailure);
    // Every attempt started before the deadline, however late the machine ran the backoff timers.
    expect(starts.length).toBeGreaterThanOrEqual(1);
    for (const start of starts) expect(start).toBeLessThanOrEqual(deadline);
  });

  it('runs a write exactly once, whatever the failure', async () => {
    const resilience = createResilience({ retries: 5, cooldownMs: 1000 });
    let attempts = 0;
    await expect(
      resilience.run('write', Date.now() + 5000, async () => {
        attempts += 1;
        throw failure('rate_limited', false);
      }),
    ).rejects.toThrow();
    expect(attempts).toBe(1);
  });

  it('opens only once the window holds BREAKER_MIN_CALLS calls, more than half of them failed', async () => {
    const resilience = createResilience({ retries: 0, cooldownMs: 10_000 });
    const fail = () => resilience.run('read', Date.now() + 1000, async () => Promise.reject(failure('http_5xx'))).catch(() => undefined);
    for (let i = 0; i < BREAKER_MIN_CALLS - 1; i += 1) await fail();
    expect(resilience.isOpen()).toBe(false);
    await fail();
    expect(resilience.isOpen()).toBe(true);

    const balanced = createResilience({ retries: 0, cooldownMs: 10_000 });
    for (let i = 0; i < BREAKER_MIN_CALLS; i += 1) {
      await balanced.run('read', Date.now() + 1000, async () => 'ok');
      await balanced.run('read', Date.now() + 1000, async () => Promise.reject(failure('http_5xx'))).catch(() => undefined);
    }
    expect(balanced.isOpen()).toBe(false);
  });

  it('lets exactly one call through when half-open, failing the others at once without sending', async () => {
    const resilience = createResilience({ retries: 0, cooldownMs: 50 });
    for (let i = 0; i < BREAKER_MIN_CALLS; i += 1) {
      await resilience.run('read', Date.now() + 1000, async () => Promise.reject(failure('http_5xx'))).catch(() => undefined);
    }
    expect(resilience.isOpen()).toBe(true);
    await sleep(80);
    let attempts = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = resilience.run('read', Date.now() + 1000, async () => {
      attempts += 1;
      await gate;
      return 'first';
    });
    const others = await Promise.allSettled(Array.from({ length: 3 }, () => resilience.run('read', Date.now() + 1000, async () => ((attempts += 1), 'other'))));
    expect(others.every((o) => o.status === 'rejected' && !mayHaveReachedHealthie(o.reason))).toBe(true);
    release();
    expect(await first).toBe('first');
    expect(attempts).toBe(1);
    expect(resilience.isOpen()).toBe(false);
  });
});

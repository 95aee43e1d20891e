/**
 * Redis unreachable: a booking with an Idempotency-Key is refused with UPSTREAM_UNAVAILABLE and
 * never sent without its protection; reads are unaffected; booking resumes once Redis is back.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { BOOK, bookingFixture, creates, send, type BookingFixture } from './helpers.js';

describe('when Redis stops', () => {
  let redis: RedisServer;
  let stack: Stack;
  let fixture: BookingFixture;
  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack({
      env: { HEALTHIE_ALLOW_SCHEDULING: 'true', REDIS_URL: redis.url, TENANT_HASH_SECRET: 'another-test-secret-of-at-least-32-chars' },
    });
    fixture = await bookingFixture(stack.url);
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('refuses keyed bookings with UPSTREAM_UNAVAILABLE and sends nothing, keeps serving reads, and books again once Redis is back', async () => {
    const before = await send(stack.url, BOOK, { input: fixture.input(fixture.slots[0]!) }, { 'idempotency-key': 'before-stop' });
    expect(before.body.errors).toBeUndefined();

    await redis.stop();
    stack.sandbox.clearRequests();
    const input = fixture.input(fixture.slots[1]!);
    const refused = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'while-stopped' });
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(refused.body.errors![0]!.message).toContain('REDIS_URL');
    const replay = await send(stack.url, BOOK, { input: fixture.input(fixture.slots[0]!) }, { 'idempotency-key': 'before-stop' });
    expect(replay.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(creates(stack.sandbox)).toBe(0);

    const read = await send(stack.url, '{ healthieCurrentUser { id } }');
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data!.healthieCurrentUser.id).toEqual(expect.any(String));

    await redis.restart();
    // The client reconnects in the background (backoff up to 2 s); poll, bounded.
    let resumed = refused;
    for (let attempt = 0; attempt < 100 && resumed.body.errors; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      resumed = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'while-stopped' });
    }
    expect(resumed.body.errors).toBeUndefined();
    expect(resumed.body.data!.healthieCreateAppointment.appointment.id).toEqual(expect.any(String));
    expect(creates(stack.sandbox)).toBe(1);
  });
});

describe('when Redis is down at start-up', () => {
  it('starts, serves reads, and refuses keyed bookings with UPSTREAM_UNAVAILABLE without sending them', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const stack = await startStack({
      env: { HEALTHIE_ALLOW_SCHEDULING: 'true', REDIS_URL: `redis://127.0.0.1:${port}`, TENANT_HASH_SECRET: 'another-test-secret-of-at-least-32-chars' },
    });
    try {
      const read = await send(stack.url, '{ healthieCurrentUser { id } }');
      expect(read.body.errors).toBeUndefined();
      stack.sandbox.clearRequests();
      const refused = await send(stack.url, BOOK, { input: { userId: '1' } }, { 'idempotency-key': 'redis-never-up' });
      expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(stack.sandbox.requests).toHaveLength(0);
    } finally {
      await stack.close();
    }
  });
});

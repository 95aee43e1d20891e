/**
 * Replicas sharing one real redis-server (REDIS_URL) agree on every Idempotency-Key: one key
 * gives one create across two servers, a replay survives a restart, a duplicate of a booking
 * another replica holds waits and then gets IDEMPOTENCY_IN_PROGRESS, and a crashed replica's
 * key is recovered by looking in Healthie first.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBookingHasher } from '../../src/booking/keys.js';
import { createRedisStore } from '../../src/booking/redis-store.js';
import { createOutcomeSeal } from '../../src/booking/sealed-outcome.js';
import { createRedis } from '../../src/redis.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { BOOK, bookingFixture, creates, send, type BookingFixture } from './helpers.js';

const SECRET = 'a-test-secret-shared-by-both-replicas-0123456789';

/** Another replica's store, once its connection is up (its commands fail fast while connecting). */
async function connectedStore(url: string, times: { ttlMs: number; leaseMs: number; settleMs: number }) {
  const client = createRedis({ url });
  if (client.status !== 'ready') await new Promise((resolve, reject) => client.once('ready', resolve).once('end', reject));
  return createRedisStore(url, times, createOutcomeSeal(SECRET), client);
}

describe('two replicas sharing Redis', () => {
  let redis: RedisServer;
  let a: Stack;
  let b: Stack;
  let fixture: BookingFixture;
  let slot = 0;
  const nextSlot = () => fixture.slots[slot++]!;
  // No settle window: the crashed replica's key below is taken over as soon as its lease ends.
  const env = () => ({ HEALTHIE_ALLOW_SCHEDULING: 'true', REDIS_URL: redis.url, TENANT_HASH_SECRET: SECRET, HEALTHIE_TIMEOUT_MS: '4000', HEALTHIE_BOOKING_SETTLE_MS: '0' });

  beforeAll(async () => {
    redis = await startRedis();
    a = await startStack({ env: env() });
    // The second replica talks to the same Healthie (the first stack's sandbox).
    b = await startStack({ env: env(), upstreamUrl: a.sandbox.url });
    fixture = await bookingFixture(a.url);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
  });
  beforeEach(() => a.sandbox.clearRequests());

  it('sends one create for 10 concurrent duplicates spread over both replicas', async () => {
    const input = fixture.input(nextSlot());
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => send(n % 2 === 0 ? a.url : b.url, BOOK, { input }, { 'idempotency-key': 'two-replicas' })),
    );
    for (const result of results) expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
    expect(new Set(results.map((r) => r.body.data!.healthieCreateAppointment.appointment.id)).size).toBe(1);
    expect(creates(a.sandbox)).toBe(1);
  });

  it('replays on a replica that did not book, and on a replica started after the booking', async () => {
    const input = fixture.input(nextSlot());
    const first = await send(a.url, BOOK, { input }, { 'idempotency-key': 'restart' });
    const id = first.body.data!.healthieCreateAppointment.appointment.id;
    const onB = await send(b.url, BOOK, { input }, { 'idempotency-key': 'restart' });
    expect(onB.headers.get('idempotent-replayed')).toBe('true');
    expect(onB.body.data!.healthieCreateAppointment.appointment.id).toBe(id);

    const restarted = await startStack({ env: env(), upstreamUrl: a.sandbox.url });
    try {
      const replay = await send(restarted.url, BOOK, { input }, { 'idempotency-key': 'restart' });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.data!.healthieCreateAppointment.appointment).toEqual(first.body.data!.healthieCreateAppointment.appointment);
    } finally {
      await restarted.close();
    }
    expect(creates(a.sandbox)).toBe(1);
  });

  it('answers IDEMPOTENCY_IN_PROGRESS, after waiting, while another replica holds the key; nothing is sent', async () => {
    const input = fixture.input(nextSlot());
    const hasher = createBookingHasher(SECRET);
    const elsewhere = await connectedStore(redis.url, { ttlMs: 60_000, leaseMs: 60_000, settleMs: 0 });
    try {
      const claim = await elsewhere.claim(hasher.recordKey({ apiKey: DEMO_API_KEY }, 'held-elsewhere'), hasher.fingerprint({ ...input, enforceAvailability: true }), 'tenant');
      expect(claim.kind).toBe('claimed');
      const result = await send(b.url, BOOK, { input }, { 'idempotency-key': 'held-elsewhere' });
      expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['IDEMPOTENCY_IN_PROGRESS']);
      expect(result.body.errors![0]!.message).toContain('Retry with the same key');
      expect(creates(a.sandbox)).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("keeps Healthie's messages sealed in Redis, and replays them on the other replica", async () => {
    const datetime = nextSlot();
    await send(a.url, BOOK, { input: fixture.input(datetime) }, { 'idempotency-key': 'first-of-slot' });
    const refused = await send(a.url, BOOK, { input: fixture.input(datetime) }, { 'idempotency-key': 'slot-taken' });
    const messages = refused.body.data!.healthieCreateAppointment.messages as Array<{ field: string; message: string }>;
    expect(messages.length).toBeGreaterThan(0);
    const client = createRedis({ url: redis.url });
    if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    try {
      const stored = await client.get(`healthie-subgraph:idempotency:${createBookingHasher(SECRET).recordKey({ apiKey: DEMO_API_KEY }, 'slot-taken')}`);
      expect(stored).toEqual(expect.stringContaining('"s":"done"'));
      for (const { field, message } of messages) {
        expect(stored).not.toContain(message);
        expect(stored).not.toContain(field);
      }
    } finally {
      client.disconnect();
    }
    const replay = await send(b.url, BOOK, { input: fixture.input(datetime) }, { 'idempotency-key': 'slot-taken' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.data!.healthieCreateAppointment.messages).toEqual(messages);
    // The booking and the refused one; the replay sent nothing.
    expect(creates(a.sandbox)).toBe(2);
  });

  it("recovers a crashed replica's key (lease over): looks in Healthie, then books once", async () => {
    const input = fixture.input(nextSlot());
    const hasher = createBookingHasher(SECRET);
    const crashed = await connectedStore(redis.url, { ttlMs: 60_000, leaseMs: 1, settleMs: 0 });
    try {
      await crashed.claim(hasher.recordKey({ apiKey: DEMO_API_KEY }, 'crashed-owner'), hasher.fingerprint({ ...input, enforceAvailability: true }), 'tenant');
    } finally {
      await crashed.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const result = await send(a.url, BOOK, { input }, { 'idempotency-key': 'crashed-owner' });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieCreateAppointment.appointment.id).toEqual(expect.any(String));
    const lookups = a.sandbox.requests.filter((r) => r.query.includes('BookingOutcomeLookup'));
    expect(lookups).toHaveLength(1);
    expect(creates(a.sandbox)).toBe(1);
  });

  it('forgets an attempt refused before sending (connection refused), so the retry books without a lookup', async () => {
    const closed = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await startStack({ env: env(), upstreamUrl: `http://127.0.0.1:${port}/graphql` });
    const input = fixture.input(nextSlot());
    try {
      const refused = await send(unreachable.url, BOOK, { input }, { 'idempotency-key': 'refused-before-sending' });
      expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    } finally {
      await unreachable.close();
    }
    const retry = await send(a.url, BOOK, { input }, { 'idempotency-key': 'refused-before-sending' });
    expect(retry.body.data!.healthieCreateAppointment.appointment.id).toEqual(expect.any(String));
    expect(a.sandbox.requests.filter((r) => r.query.includes('BookingOutcomeLookup'))).toHaveLength(0);
    expect(creates(a.sandbox)).toBe(1);
  });
});

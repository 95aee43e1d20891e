/**
 * A booking Healthie refuses with messages quoting a huge input: the first answer has Healthie's
 * messages whole, and the idempotency store keeps them bounded in bytes (in memory and in Redis),
 * so that one tenant's refused bookings cannot fill a replica's or Redis's memory for a day. A
 * replay answers the recorded messages: the same fields, the start of the same text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORDED_MESSAGE_BYTES } from '../../src/booking/recorded-outcome.js';
import { createRedis, type Redis } from '../../src/redis.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { BOOK, bookingFixture, creates, faultyBookingStack, schedulingStack, send, type BookingFixture } from './helpers.js';
import { errorLines } from '../helpers/stack.js';

/** A contact type the sandbox (as Healthie) quotes whole in its refusal. */
const HUGE_CONTACT_TYPE = 'V'.repeat(200_000);

type Messages = Array<{ field: string | null; message: string }>;

async function refusedTwice(stack: Stack, fixture: BookingFixture, key: string): Promise<{ first: Messages; replay: Messages }> {
  const input = fixture.input(fixture.slots[0]!, { contactType: HUGE_CONTACT_TYPE });
  const first = await send(stack.url, BOOK, { input }, { 'idempotency-key': key });
  expect(first.body.errors, JSON.stringify(first.body.errors)?.slice(0, 500)).toBeUndefined();
  const replay = await send(stack.url, BOOK, { input }, { 'idempotency-key': key });
  expect(replay.body.errors, JSON.stringify(replay.body.errors)?.slice(0, 500)).toBeUndefined();
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect(creates(stack.sandbox)).toBe(1);
  return { first: first.body.data!.healthieCreateAppointment.messages, replay: replay.body.data!.healthieCreateAppointment.messages };
}

function expectBoundedReplay({ first, replay }: { first: Messages; replay: Messages }): void {
  expect(first.some((m) => m.message.includes(HUGE_CONTACT_TYPE))).toBe(true);
  const bytes = replay.reduce((sum, m) => sum + Buffer.byteLength(m.message) + Buffer.byteLength(m.field ?? ''), 0);
  expect(bytes).toBeLessThanOrEqual(MAX_RECORDED_MESSAGE_BYTES);
  expect(replay[0]!.field).toBe(first[0]!.field);
  expect(replay[0]!.message.length).toBeGreaterThan(100);
  expect(first[0]!.message.startsWith(replay[0]!.message)).toBe(true);
}

describe('the outcome recorded for a booking refused with huge messages', () => {
  describe('in memory', () => {
    const booking = schedulingStack();

    it('keeps at most 2 KiB of their text, which a replay answers; the first answer has them whole', async () => {
      expectBoundedReplay(await refusedTwice(booking.stack, booking.fixture, 'huge-messages'));
    });

    it('keeps whole characters where the bound falls, U+FFFD among them, so a replay answers the start of the same text', async () => {
      const { stack, fixture } = booking;
      // Emoji (4 bytes) after 0-3 bytes of ASCII: the bound falls at every position inside one; and a text of U+FFFD (3 bytes).
      const contactTypes = [...['', 'a', 'ab', 'abc'].map((prefix) => prefix + '\u{1F600}'.repeat(20_000)), '\uFFFD'.repeat(5_000)];
      for (const [i, contactType] of contactTypes.entries()) {
        const input = fixture.input(fixture.slots[1]!, { contactType });
        const key = { 'idempotency-key': `cut-${i}` };
        const first = (await send(stack.url, BOOK, { input }, key)).body.data!.healthieCreateAppointment.messages as Messages;
        const replayed = await send(stack.url, BOOK, { input }, key);
        expect(replayed.headers.get('idempotent-replayed')).toBe('true');
        const replay = replayed.body.data!.healthieCreateAppointment.messages as Messages;
        const bytes = Buffer.byteLength(replay[0]!.message) + Buffer.byteLength(replay[0]!.field ?? '');
        expect(first[0]!.message.includes(contactType), contactType.slice(0, 4)).toBe(true);
        // Within the bound, short of it by less than one character, and the start of the first answer's text.
        expect(bytes).toBeLessThanOrEqual(MAX_RECORDED_MESSAGE_BYTES);
        expect(bytes).toBeGreaterThan(MAX_RECORDED_MESSAGE_BYTES - 4);
        expect(first[0]!.message.startsWith(replay[0]!.message)).toBe(true);
      }
    });
  });

  describe('in Redis', () => {
    let redis: RedisServer;
    let client: Redis;
    let stack: Stack;
    let fixture: BookingFixture;
    beforeAll(async () => {
      redis = await startRedis();
      stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true', REDIS_URL: redis.url, TENANT_HASH_SECRET: 'a-test-secret-for-the-recorded-outcome-0123' } });
      fixture = await bookingFixture(stack.url);
      stack.sandbox.clearRequests();
      client = createRedis({ url: redis.url });
    });
    afterAll(async () => {
      client?.disconnect();
      await stack?.close();
      await redis?.stop();
    });

    it('stores a record of a few kilobytes, not the quoted input, and a replay answers it', async () => {
      expectBoundedReplay(await refusedTwice(stack, fixture, 'huge-messages-redis'));
      const keys = await client.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      const sizes = await Promise.all(keys.map(async (key) => (await client.type(key)) === 'string' ? client.strlen(key) : Number(await client.memory('USAGE', key))));
      expect(Math.max(...sizes)).toBeLessThan(8 * 1024);
    });
  });
});

describe('the outcome recorded for a refusal whose messages are not text', () => {
  const faulty = faultyBookingStack({});

  it('is recorded and replayed, with no internal error, whatever Healthie put under field', async () => {
    const { stack, upstream, fixture } = faulty;
    // Healthie's answer is not type-checked where the outcome is read: a field name that is an object.
    upstream.rewrite((text) => {
      if (!text.includes('healthieSubgraphOutcomeMessages')) return text;
      const answer = JSON.parse(text) as { data: Record<string, Record<string, unknown>> };
      for (const payload of Object.values(answer.data)) {
        for (const key of Object.keys(payload)) payload[key] = /messages$/i.test(key) ? [{ field: { a: 1 }, message: 'refused' }] : null;
      }
      return JSON.stringify(answer);
    });
    try {
      const input = fixture.input(fixture.slots[0]!);
      const book = 'mutation($input: HealthieCreateAppointmentInput!) { healthieCreateAppointment(input: $input) { appointment { id } } }';
      const first = await send(stack.url, book, { input }, { 'idempotency-key': 'field-object' });
      const replay = await send(stack.url, book, { input }, { 'idempotency-key': 'field-object' });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.errors?.map((e) => e.extensions?.code)).toEqual(first.body.errors?.map((e) => e.extensions?.code));
      expect(replay.body.errors?.map((e) => e.extensions?.code)).not.toContain('INTERNAL_SERVER_ERROR');
      expect(errorLines(stack.logs)).toEqual([]);
    } finally {
      upstream.rewrite(undefined);
    }
  });
});

describe('the outcome recorded in Redis for a refusal whose messages are not text, or many and empty', () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = createRedis({ url: redis.url });
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });
  const faulty = faultyBookingStack(() => ({ REDIS_URL: redis.url, TENANT_HASH_SECRET: 'a-test-secret-for-the-recorded-outcome-0123' }));

  /** The largest record Redis holds, in bytes. */
  const largestRecord = async () => {
    const keys = await client.keys('*');
    const sizes = await Promise.all(keys.map(async (key) => ((await client.type(key)) === 'string' ? client.strlen(key) : Number(await client.memory('USAGE', key)))));
    return Math.max(0, ...sizes);
  };

  it.each([
    ['a field name that is an object of 500 KB', () => [{ field: { quoted: 'Q'.repeat(500_000) }, message: 'refused' }], 8 * 1024],
    ['100,000 empty messages after one with text', () => [{ field: 'datetime', message: 'refused' }, ...Array.from({ length: 100_000 }, () => ({ field: null, message: '' }))], 8 * 1024],
  ])('is kept bounded, and replayed with no internal error: %s', async (name, messages, bound) => {
    const { stack, upstream, fixture } = faulty;
    await client.flushall();
    upstream.rewrite((text) => {
      if (!text.includes('healthieSubgraphOutcomeMessages')) return text;
      const answer = JSON.parse(text) as { data: Record<string, Record<string, unknown>> };
      for (const payload of Object.values(answer.data)) {
        for (const key of Object.keys(payload)) payload[key] = /messages$/i.test(key) ? messages() : null;
      }
      return JSON.stringify(answer);
    });
    try {
      const input = fixture.input(fixture.slots[0]!);
      const book = 'mutation($input: HealthieCreateAppointmentInput!) { healthieCreateAppointment(input: $input) { appointment { id } } }';
      const key = { 'idempotency-key': `not-text-${name.length}` };
      const first = await send(stack.url, book, { input }, key);
      const replay = await send(stack.url, book, { input }, key);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(first.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(errorLines(stack.logs)).toEqual([]);
      expect(await largestRecord()).toBeLessThan(bound);
    } finally {
      upstream.rewrite(undefined);
    }
  });
});

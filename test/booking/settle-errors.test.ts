/**
 * A booking whose outcome is unknown is left to settle before a retry may look for it and book:
 * Healthie may still be running a booking this server stopped waiting for, and a lookup made
 * before it lands finds nothing and books a second appointment. Inside the window
 * (HEALTHIE_BOOKING_SETTLE_MS, counted from when the outcome became unknown) a retry with the
 * same Idempotency-Key gets IDEMPOTENCY_IN_PROGRESS with `retryAfterSeconds` and sends nothing;
 * after it, the lookup finds the booking that landed late and replays it. A fault-injecting
 * Healthie forwards the create only after the timeout. Both paths with the in-memory store, and
 * two replicas sharing a real redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedSandbox } from '../../src/sandbox/index.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { appointmentsAt, BOOK, creates, faultyBookingStack, loggedText, send, type HeadedResponse } from './helpers.js';

const TIMEOUT_MS = 3_000;
/** Past the timeout: the first create reaches Healthie after the client was told UPSTREAM_TIMEOUT. */
const LATE_MS = 4_500;
const SETTLE_MS = 6_000;
const ENV = { HEALTHIE_TIMEOUT_MS: String(TIMEOUT_MS), HEALTHIE_RETRIES: '0', HEALTHIE_BOOKING_SETTLE_MS: String(SETTLE_MS) };
const SETTLING = /^An earlier attempt with this Idempotency-Key may still be running at Healthie, so its outcome is not known yet, and this request sent nothing\. Retry with the same key after \d+ seconds: it then looks for the booking in Healthie before booking again\.$/;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lookups = (sandbox: StartedSandbox) => sandbox.requests.filter((request) => /BookingOutcomeLookup/.test(request.query)).length;

/** The one IDEMPOTENCY_IN_PROGRESS error of a retry refused while the first attempt settles; its retryAfterSeconds. */
function expectSettling(result: HeadedResponse): number {
  expect(result.body.data?.healthieCreateAppointment ?? null).toBeNull();
  expect(result.body.errors, JSON.stringify(result.body)).toHaveLength(1);
  const [error] = result.body.errors!;
  expect(error).toMatchObject({ path: ['healthieCreateAppointment'], extensions: { code: 'IDEMPOTENCY_IN_PROGRESS', bookingMayExist: true } });
  expect(error!.message).toMatch(SETTLING);
  const seconds = error!.extensions!.retryAfterSeconds as number;
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(SETTLE_MS / 1000);
  expect(error!.message).toContain(`after ${seconds} seconds`);
  return seconds;
}

/** Retries (as a client would, every half second) while the answer is IDEMPOTENCY_IN_PROGRESS; bounded. */
async function retryWhileSettling(retry: () => Promise<HeadedResponse>): Promise<HeadedResponse> {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const result = await retry();
    if (result.body.errors?.[0]?.extensions?.code !== 'IDEMPOTENCY_IN_PROGRESS') return result;
    await pause(500);
  }
  throw new Error('still settling after 30 s');
}

/** Waits (bounded) until the sandbox holds the late create's appointment. */
async function landed(made: () => Promise<string[]>): Promise<string[]> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const ids = await made();
    if (ids.length > 0) return ids;
    await pause(100);
  }
  return made();
}

for (const planEnabled of ['true', 'false']) {
  describe(`a retry while a booking that may have been made settles (PLAN_ENABLED=${planEnabled})`, () => {
    const faulty = faultyBookingStack({ ...ENV, PLAN_ENABLED: planEnabled });
    let slot = 0;
    const nextSlot = () => faulty.fixture.slots[slot++]!;
    const made = (datetime: string) => appointmentsAt(faulty.sandbox.url, faulty.fixture.patientId, datetime);

    it('answers a retry inside the window IDEMPOTENCY_IN_PROGRESS with the seconds to wait, and sends nothing: no lookup, no create', async () => {
      const input = faulty.fixture.input(nextSlot());
      const key = { 'idempotency-key': `settling-${planEnabled}` };
      faulty.upstream.inject('drop', /createAppointment/);
      const lost = await send(faulty.stack.url, BOOK, { input }, key);
      expect(lost.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', bookingMayExist: true });
      faulty.sandbox.clearRequests();
      faulty.stack.logs.length = 0;

      const retries = await Promise.all([1, 2, 3].map(() => send(faulty.stack.url, BOOK, { input }, key)));
      for (const retry of retries) {
        expectSettling(retry);
        expect(retry.headers.get('idempotent-replayed')).toBeNull();
      }
      expect(faulty.sandbox.requests).toHaveLength(0);
      const audits = faulty.stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.audit === 'booking');
      expect(audits.map(({ outcome, code, bookingMayExist }) => ({ outcome, code, bookingMayExist }))).toEqual(
        Array(3).fill({ outcome: 'refused', code: 'IDEMPOTENCY_IN_PROGRESS', bookingMayExist: true }),
      );
      const logged = loggedText(faulty.stack.logs);
      for (const secret of [faulty.fixture.patientId, faulty.fixture.providerId, `settling-${planEnabled}`]) expect(logged).not.toContain(secret);

      // The window does not hide a key used for another booking.
      const reused = await send(faulty.stack.url, BOOK, { input: faulty.fixture.input(nextSlot()) }, key);
      expect(reused.body.errors?.map((e) => e.extensions?.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
      expect(faulty.sandbox.requests).toHaveLength(0);
      expect(await made(input.datetime as string)).toHaveLength(1);
    });

    it('ends with one appointment when Healthie makes the booking after the timeout: retries wait for it to settle, then find it and replay it', async () => {
      // enforceAvailability false: Healthie would not refuse a second booking of the slot.
      const input = faulty.fixture.input(nextSlot(), { enforceAvailability: false });
      const key = { 'idempotency-key': `late-${planEnabled}` };
      faulty.upstream.inject({ delayMs: LATE_MS, body: {} }, /createAppointment/);
      const timedOut = await send(faulty.stack.url, BOOK, { input }, key);
      expect(timedOut.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', bookingMayExist: true });

      await pause(500);
      expectSettling(await send(faulty.stack.url, BOOK, { input }, key));
      expect(creates(faulty.sandbox)).toBe(0);
      expect(lookups(faulty.sandbox)).toBe(0);

      const [late] = await landed(() => made(input.datetime as string));
      expect(late).toEqual(expect.any(String));
      expect(creates(faulty.sandbox)).toBe(1);

      faulty.stack.logs.length = 0;
      const found = await retryWhileSettling(() => send(faulty.stack.url, BOOK, { input }, key));
      expect(found.body.errors, JSON.stringify(found.body)).toBeUndefined();
      expect(found.headers.get('idempotent-replayed')).toBe('true');
      expect(found.body.data!.healthieCreateAppointment.appointment.id).toBe(late);
      expect(faulty.stack.logs.join('')).toMatch(/"outcome":"replayed"[^\n]*"recovered":true/);
      expect(lookups(faulty.sandbox)).toBe(1);
      expect(creates(faulty.sandbox)).toBe(1);
      expect(await made(input.datetime as string)).toEqual([late]);

      const replay = await send(faulty.stack.url, BOOK, { input }, key);
      expect(replay.body.data!.healthieCreateAppointment.appointment.id).toBe(late);
      expect(creates(faulty.sandbox)).toBe(1);
    });
  });
}

describe('two replicas sharing Redis, while a booking that may have been made settles', () => {
  const SECRET = 'a-test-secret-for-settling-bookings-0123456789';
  let redis: RedisServer;
  let b: Stack;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());
  const env = () => ({ ...ENV, REDIS_URL: redis.url, TENANT_HASH_SECRET: SECRET });
  // Replica a behind the fault-injecting Healthie, and replica b behind the same one.
  const faulty = faultyBookingStack(env);
  beforeAll(async () => {
    b = await startStack({ upstreamUrl: faulty.upstream.url, env: { HEALTHIE_ALLOW_SCHEDULING: 'true', ...env() } });
  });
  afterAll(() => b?.close());

  it('refuses retries on either replica during the window the first one started, then one of them finds the late booking: one appointment', async () => {
    const input = faulty.fixture.input(faulty.fixture.slots[0]!, { enforceAvailability: false });
    const key = { 'idempotency-key': 'late-across-replicas' };
    faulty.upstream.inject({ delayMs: LATE_MS, body: {} }, /createAppointment/);
    const timedOut = await send(faulty.stack.url, BOOK, { input }, key);
    expect(timedOut.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', bookingMayExist: true });

    await pause(500);
    const onB = expectSettling(await send(b.url, BOOK, { input }, key));
    const onA = expectSettling(await send(faulty.stack.url, BOOK, { input }, key));
    // One window, on Redis's clock: both replicas count down to the same end.
    expect(Math.abs(onA - onB)).toBeLessThanOrEqual(1);
    expect(creates(faulty.sandbox)).toBe(0);

    const [late] = await landed(() => appointmentsAt(faulty.sandbox.url, faulty.fixture.patientId, input.datetime as string));
    expect(late).toEqual(expect.any(String));
    const found = await retryWhileSettling(() => send(b.url, BOOK, { input }, key));
    expect(found.body.errors, JSON.stringify(found.body)).toBeUndefined();
    expect(found.headers.get('idempotent-replayed')).toBe('true');
    expect(found.body.data!.healthieCreateAppointment.appointment.id).toBe(late);
    const onAAfter = await send(faulty.stack.url, BOOK, { input }, key);
    expect(onAAfter.body.data!.healthieCreateAppointment.appointment.id).toBe(late);
    expect(creates(faulty.sandbox)).toBe(1);
    expect(await appointmentsAt(faulty.sandbox.url, faulty.fixture.patientId, input.datetime as string)).toEqual([late]);
  });
});

/**
 * A booking Healthie refused without running it (a refused key, a rate limit, an unsupported API
 * version, a request error without `data`) was certainly not made: it keeps its code, says that
 * it booked nothing, carries no `bookingMayExist`, and leaves its Idempotency-Key free, so a
 * retry books without looking first. Answers that do not prove it (a 5xx, `data: null`, an error
 * on the booking field) keep saying that the booking may have been made. Each case keyed and
 * unkeyed, with the idempotency store in memory and in a real redis-server. The refusals come
 * from a fault-injecting Healthie that answers without passing the booking on (the sandbox never
 * sees it), with the sandbox's own bodies, and from the sandbox itself refusing a key.
 */
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis } from '../../src/redis.js';
import { UNAUTHENTICATED_MESSAGE } from '../../src/sandbox/auth.js';
import { RATE_LIMITED_MESSAGE } from '../../src/sandbox/server.js';
import { unsupportedVersion } from '../../src/sandbox/versions.js';
import type { Replacement } from '../helpers/faulty-upstream.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { appointmentsAt, BOOK, creates, faultyBookingStack, loggedText, send, type HeadedResponse } from './helpers.js';

const NOT_RUN = 'Healthie refused the booking without running it, so this attempt booked nothing.';
const KEYED_ADVICE =
  "The booking may have been made: retry only with the same Idempotency-Key, which looks for it in Healthie before booking again; without that key, check the patient's appointments before booking again.";
const UNKEYED_ADVICE =
  "The booking may have been made: check the patient's appointments before booking again, since a retry books again (an Idempotency-Key on every booking makes retries safe).";
/** Healthie's text in the answers below: it must reach neither the client nor a log. */
const HEALTHIE_TEXT = 'Jane Doe could not be booked';
const SECRET = 'a-test-secret-for-not-executed-bookings-0123456789';

/** The response key of the booking's root field in the document Healthie received. */
function rootOf(query: string): string {
  const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const root = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD)!;
  return root.alias?.value ?? root.name.value;
}

const refusedUnrun = (reply: Omit<Replacement, 'forward'>): Replacement => ({ ...reply, forward: false });

/** Answers proving Healthie ran nothing, the code the client gets, and Healthie's bodies as the sandbox writes them. */
const REFUSALS: Array<[name: string, reply: Replacement, code: string]> = [
  ['HTTP 429', refusedUnrun({ status: 429, body: '' }), 'UPSTREAM_RATE_LIMITED'],
  [
    "Healthie's rate-limit answer (HTTP 200, TOO_MANY_REQUESTS, no data)",
    refusedUnrun({ body: { errors: [{ message: RATE_LIMITED_MESSAGE, extensions: { code: 'TOO_MANY_REQUESTS' } }] } }),
    'UPSTREAM_RATE_LIMITED',
  ],
  [
    'a refusal of the API version (UNSUPPORTED_API_VERSION, no data)',
    refusedUnrun({ body: { errors: [unsupportedVersion('2026-01-01', ['2026-07-01'], new Date('2027-02-01T00:00:00Z')).toJSON()] } }),
    'UPSTREAM_VERSION_UNSUPPORTED',
  ],
  [
    "graphql-ruby's validation error (no data)",
    refusedUnrun({
      body: {
        errors: [
          {
            message: `Argument 'datetime' on InputObject 'createAppointmentInput' has an invalid value (${HEALTHIE_TEXT}). Expected type 'String'.`,
            locations: [{ line: 2, column: 3 }],
            path: ['mutation', 'createAppointment', 'input', 'datetime'],
            extensions: { code: 'argumentLiteralsIncompatible', typeName: 'InputObject', argumentName: 'datetime' },
          },
        ],
      },
    }),
    'UPSTREAM_ERROR',
  ],
  ['a parse error (no data)', refusedUnrun({ body: { errors: [{ message: 'Parse error on "}" (RCURLY) at [1, 2]', locations: [{ line: 1, column: 2 }] }] } }), 'UPSTREAM_ERROR'],
  [
    'a variable that does not coerce (no data)',
    refusedUnrun({
      body: { errors: [{ message: `Variable $input of type createAppointmentInput! was provided invalid value for datetime (${HEALTHIE_TEXT})`, extensions: { problems: [{ path: ['datetime'], explanation: HEALTHIE_TEXT }] } }] },
    }),
    'UPSTREAM_ERROR',
  ],
  ['HTTP 400 with a GraphQL request error (no data)', refusedUnrun({ status: 400, body: { errors: [{ message: HEALTHIE_TEXT }] } }), 'UPSTREAM_BAD_RESPONSE'],
];

/** Refusals of the key (HTTP 401/403, or UNAUTHENTICATED without data): the key is then remembered as refused for 30 s. */
const KEY_REFUSALS: Array<[name: string, reply: Replacement | undefined]> = [
  ['HTTP 401 from the sandbox itself', undefined],
  ['HTTP 401', refusedUnrun({ status: 401, body: { errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] } })],
  ['HTTP 403 without a body', refusedUnrun({ status: 403, body: '' })],
  ['HTTP 200 with UNAUTHENTICATED and no data', refusedUnrun({ body: { errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] } })],
];

/** Answers after which the booking may have been made (the sandbox made it), and their code. */
const MAY_HAVE_RUN: Array<[name: string, reply: (query: string) => Replacement, code: string]> = [
  ['HTTP 502 with a GraphQL error and no data', () => ({ status: 502, body: { errors: [{ message: HEALTHIE_TEXT }] } }), 'UPSTREAM_UNAVAILABLE'],
  ['HTTP 500 with UNAUTHENTICATED and no data', () => ({ status: 500, body: { errors: [{ message: HEALTHIE_TEXT, extensions: { code: 'UNAUTHENTICATED' } }] } }), 'UPSTREAM_UNAVAILABLE'],
  ['data: null beside an error coded TOO_MANY_REQUESTS', () => ({ body: { data: null, errors: [{ message: RATE_LIMITED_MESSAGE, extensions: { code: 'TOO_MANY_REQUESTS' } }] } }), 'UPSTREAM_RATE_LIMITED'],
  ['data: null beside an error of the whole request', () => ({ body: { data: null, errors: [{ message: HEALTHIE_TEXT }] } }), 'UPSTREAM_ERROR'],
  ['no data but an error on the booking field', (query) => ({ body: { errors: [{ message: HEALTHIE_TEXT, path: [rootOf(query)] }] } }), 'UPSTREAM_ERROR'],
  ['data with the booking and an UNSUPPORTED_API_VERSION error', (query) => ({ body: { data: { [rootOf(query)]: null }, errors: [{ message: HEALTHIE_TEXT, extensions: { code: 'UNSUPPORTED_API_VERSION' } }] } }), 'UPSTREAM_VERSION_UNSUPPORTED'],
];

const STORES = [
  { store: 'memory', planEnabled: 'false' },
  { store: 'redis', planEnabled: 'true' },
] as const;

for (const { store, planEnabled } of STORES) {
  describe(`a booking Healthie refused without running it (store: ${store}, PLAN_ENABLED=${planEnabled})`, () => {
    let redis: RedisServer | undefined;
    let records: Redis | undefined;
    // Registered before the stack's hooks: Redis starts before the stack and stops after it.
    beforeAll(async () => {
      if (store !== 'redis') return;
      redis = await startRedis();
      records = createRedis({ url: redis.url });
    });
    afterAll(async () => {
      records?.disconnect();
      await redis?.stop();
    });
    const faulty = faultyBookingStack(
      () => ({ HEALTHIE_TIMEOUT_MS: '4000', HEALTHIE_RETRIES: '0', PLAN_ENABLED: planEnabled, ...(redis ? { REDIS_URL: redis.url, TENANT_HASH_SECRET: SECRET } : {}) }),
      { readFirst: true },
    );
    let booked = 0;
    /** A start time of its own for each booking (3 hours apart, far from the sandbox's seeded calendar). */
    const nextTime = () => new Date(Date.UTC(2031, 0, 6, 8) + booked++ * 3 * 3_600_000).toISOString().replace('.000Z', 'Z');
    const made = (datetime: string) => appointmentsAt(faulty.sandbox.url, faulty.fixture.patientId, datetime);
    const lookups = () => faulty.sandbox.requests.filter((request) => /BookingOutcomeLookup/.test(request.query)).length;
    /** Idempotency records in Redis (none in memory mode). */
    const recordCount = async () => (records ? (await records.keys('healthie-subgraph:idempotency:*')).length : 0);
    /** The one error of a booking Healthie ran nothing of, wherever the client and the logs see it. */
    function expectNotRun(result: HeadedResponse, code: string) {
      expect(result.status).toBe(200);
      expect(result.body.data?.healthieCreateAppointment ?? null).toBeNull();
      expect(result.body.errors, JSON.stringify(result.body)).toHaveLength(1);
      const [error] = result.body.errors!;
      expect(error).toMatchObject({ path: ['healthieCreateAppointment'], extensions: { code } });
      expect(error!.extensions).not.toHaveProperty('bookingMayExist');
      expect(error!.message).not.toMatch(/may have been made|may have made/);
      expect(error!.message.endsWith(` ${NOT_RUN}`), error!.message).toBe(true);
      const audits = faulty.stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.audit === 'booking');
      expect(audits.map(({ outcome, code: audited }) => ({ outcome, code: audited }))).toEqual([{ outcome: 'error', code }]);
      expect(audits[0]).not.toHaveProperty('bookingMayExist');
      const everything = `${JSON.stringify(result.body)}\n${loggedText(faulty.stack.logs)}`;
      for (const secret of [HEALTHIE_TEXT, faulty.fixture.patientId, faulty.fixture.providerId]) expect(everything).not.toContain(secret);
    }

    for (const [name, reply, code] of REFUSALS) {
      for (const keyed of [false, true]) {
        it(`answers a booking refused with ${name} as ${code} that booked nothing, and ${keyed ? 'with its Idempotency-Key, ' : ''}a retry books once without looking first`, async () => {
          const input = faulty.fixture.input(nextTime());
          const headers: Record<string, string> = keyed ? { 'idempotency-key': `${store}-${name}` } : {};
          const before = await recordCount();
          faulty.upstream.inject(reply, /createAppointment/);
          const refused = await send(faulty.stack.url, BOOK, { input }, headers);
          expectNotRun(refused, code);
          expect(creates(faulty.sandbox)).toBe(0);
          // The key is free again: no record is left behind (Redis), and the retry does not look first.
          expect(await recordCount()).toBe(before);

          const retry = await send(faulty.stack.url, BOOK, { input }, headers);
          expect(retry.body.errors, JSON.stringify(retry.body.errors)).toBeUndefined();
          expect(retry.headers.get('idempotent-replayed')).toBeNull();
          const id = retry.body.data!.healthieCreateAppointment.appointment.id as string;
          expect(await made(input.datetime as string)).toEqual([id]);
          expect(lookups()).toBe(0);
          expect(creates(faulty.sandbox)).toBe(1);
          if (!keyed) return;
          const replay = await send(faulty.stack.url, BOOK, { input }, headers);
          expect(replay.headers.get('idempotent-replayed')).toBe('true');
          expect(replay.body.data!.healthieCreateAppointment.appointment.id).toBe(id);
          expect(creates(faulty.sandbox)).toBe(1);
        });
      }
    }

    it('keeps looking first when a retry after an unknown outcome is refused without running: an earlier attempt may still have booked', async () => {
      const input = faulty.fixture.input(nextTime());
      const headers = { 'idempotency-key': `${store}-unknown-then-refused` };
      // The first attempt's outcome is unknown (a 502; here Healthie did not make it).
      faulty.upstream.inject({ status: 502, body: '', forward: false }, /createAppointment/);
      const unknown = await send(faulty.stack.url, BOOK, { input }, headers);
      expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', bookingMayExist: true });

      // The retry looks, finds nothing, books, and is refused for the rate without running.
      faulty.upstream.inject(REFUSALS[1]![1], /createAppointment/);
      faulty.stack.logs.length = 0;
      const refused = await send(faulty.stack.url, BOOK, { input }, headers);
      expectNotRun(refused, 'UPSTREAM_RATE_LIMITED');
      expect(lookups()).toBe(1);

      // The key is "unknown" again, so the next retry looks again before it books.
      const retry = await send(faulty.stack.url, BOOK, { input }, headers);
      expect(retry.body.errors, JSON.stringify(retry.body.errors)).toBeUndefined();
      expect(lookups()).toBe(2);
      expect(creates(faulty.sandbox)).toBe(1);
      expect(await made(input.datetime as string)).toEqual([retry.body.data!.healthieCreateAppointment.appointment.id]);
    });

    it('books once for duplicates that waited on a booking refused without running: the refused one says so, the others get one appointment', async () => {
      const input = faulty.fixture.input(nextTime());
      const headers = { 'idempotency-key': `${store}-duplicates-after-refusal` };
      faulty.upstream.inject({ ...REFUSALS[1]![1], delayMs: 1_000 }, /createAppointment/);
      const first = send(faulty.stack.url, BOOK, { input }, headers);
      // The duplicates arrive while the first is in flight (or after it, which must come to the same).
      await new Promise((resolve) => setTimeout(resolve, 200));
      const duplicates = await Promise.all([1, 2, 3].map(() => send(faulty.stack.url, BOOK, { input }, headers)));
      const refused = (await first).body.errors!;
      expect(refused.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_RATE_LIMITED']);
      expect(refused[0]!.extensions).not.toHaveProperty('bookingMayExist');
      expect(refused[0]!.message.endsWith(` ${NOT_RUN}`)).toBe(true);
      const audited = faulty.stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.audit === 'booking');
      expect(audited.map((line) => line.outcome).sort()).toEqual(['booked', 'error', 'replayed', 'replayed']);
      const ids = duplicates.map((duplicate) => duplicate.body.data?.healthieCreateAppointment?.appointment?.id);
      expect(new Set(ids).size, JSON.stringify(duplicates.map((d) => d.body))).toBe(1);
      expect(await made(input.datetime as string)).toEqual([ids[0]]);
      expect(creates(faulty.sandbox)).toBe(1);
      expect(lookups()).toBe(0);
    });

    for (const [name, reply] of KEY_REFUSALS) {
      for (const keyed of [false, true]) {
        it(`answers a booking refused with ${name} as UNAUTHENTICATED that booked nothing${keyed ? ', and leaves its Idempotency-Key free' : ''}`, async () => {
          // A key of its own: Healthie's refusal is remembered for that key, and must not lock out the others.
          const apiKey = `refused-${store}-${name.replace(/\W+/g, '-')}-${keyed}`;
          const headers: Record<string, string> = { 'x-healthie-api-key': apiKey, ...(keyed ? { 'idempotency-key': 'refused-key' } : {}) };
          const input = faulty.fixture.input(nextTime());
          const before = await recordCount();
          if (reply) faulty.upstream.inject(reply, /createAppointment/);
          const refused = await send(faulty.stack.url, BOOK, { input }, headers);
          expectNotRun(refused, 'UNAUTHENTICATED');
          expect(refused.body.errors![0]!.message).toMatch(/^Healthie rejected the API key\./);
          // The sandbox received the booking only when it refused the key itself, and made nothing.
          expect(creates(faulty.sandbox)).toBe(reply ? 0 : 1);
          expect(await made(input.datetime as string)).toEqual([]);
          expect(await recordCount()).toBe(before);

          // The key is remembered as refused, so the retry is not sent; it does not look for a booking first either.
          faulty.sandbox.clearRequests();
          faulty.stack.logs.length = 0;
          const retry = await send(faulty.stack.url, BOOK, { input }, headers);
          expect(retry.body.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'UNAUTHENTICATED', limit: 'refused_key' })]);
          expect(retry.body.errors![0]!.message).toMatch(/nothing was sent\.$/);
          expect(retry.body.errors![0]!.extensions).not.toHaveProperty('bookingMayExist');
          expect(faulty.sandbox.requests).toHaveLength(0);
          // Other keys are unaffected.
          expect((await send(faulty.stack.url, '{ healthieCurrentUser { id } }')).body.errors).toBeUndefined();
        });
      }
    }

    for (const [name, reply, code] of MAY_HAVE_RUN) {
      for (const keyed of [false, true]) {
        it(`still says a booking answered with ${name} may have been made${keyed ? ', and the retry with its key finds it: one create' : ''}`, async () => {
          const input = faulty.fixture.input(nextTime());
          const headers: Record<string, string> = keyed ? { 'idempotency-key': `${store}-may-${name}` } : {};
          faulty.upstream.inject(reply, /createAppointment/);
          const failed = await send(faulty.stack.url, BOOK, { input }, headers);
          expect(failed.body.errors, JSON.stringify(failed.body)).toHaveLength(1);
          const [error] = failed.body.errors!;
          expect(error).toMatchObject({ path: ['healthieCreateAppointment'], extensions: { code, bookingMayExist: true } });
          expect(error!.message.endsWith(keyed ? KEYED_ADVICE : UNKEYED_ADVICE), error!.message).toBe(true);
          expect(error!.message).not.toContain(NOT_RUN);
          expect(`${JSON.stringify(failed.body)}\n${faulty.stack.logs.join('\n')}`).not.toContain(HEALTHIE_TEXT);
          const [appointment] = await made(input.datetime as string);
          expect(appointment).toEqual(expect.any(String));
          expect(creates(faulty.sandbox)).toBe(1);
          if (!keyed) return;
          const retry = await send(faulty.stack.url, BOOK, { input }, headers);
          expect(retry.headers.get('idempotent-replayed')).toBe('true');
          expect(retry.body.data!.healthieCreateAppointment.appointment.id).toBe(appointment);
          expect(creates(faulty.sandbox)).toBe(1);
        });
      }
    }
  });
}

/**
 * The outcome lookup never takes "cannot tell" for "not booked": an input it cannot match (no
 * patient, a time it does not read, an unknown timezone) or an answer of Healthie's it cannot
 * compare (an unreadable appointment time, no usable timezone for wall time, no list of the
 * appointments, an appointment left out or given no provider) is refused. Over
 * HTTP, the retry after a lost answer then answers BAD_USER_INPUT with `bookingMayExist`, sends
 * no create, and keeps the key "unknown": later retries are refused the same way, and once the
 * lookup can tell, it finds the booking. Both paths.
 */
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Executor } from '@graphql-tools/utils';
import { findBookedAppointment, instantOf, UnmatchableBooking } from '../../src/booking/outcome-lookup.js';
import { createLogger } from '../../src/logger.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { createHealthieClient, type HealthieClient } from '../../src/upstream/client.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { appointmentsAt, BOOK, bookingFixture, creates, faultyBookingStack, HEALTHIE_API_VERSION, send, type BookingFixture, type HeadedResponse } from './helpers.js';

const CANNOT_LOOK =
  /^An earlier attempt with this Idempotency-Key may have made the booking, and this subgraph cannot look for it: .+\. This request sent nothing, and retries with this key are refused the same way\. Check the patient's appointments in Healthie; book with a new Idempotency-Key only if the booking is not there\.$/;

type Nodes = Array<{ date: string | null; provider: { timezone: string | null } | null }>;

describe('findBookedAppointment when it cannot tell', () => {
  let stack: Stack;
  let client: HealthieClient;
  let fixture: BookingFixture;
  const context = { requestId: 'lookup', credentials: { credentials: { apiKey: DEMO_API_KEY } }, logger: createLogger({ level: 'silent' }) };

  beforeAll(async () => {
    stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true' } });
    client = createHealthieClient({ url: stack.sandbox.url, timeoutMs: 10_000, apiVersion: HEALTHIE_API_VERSION });
    fixture = await bookingFixture(stack.url);
  });
  afterAll(async () => {
    await client.close();
    await stack.close();
  });

  /** The sandbox's answer to the lookup, with its appointments changed by `change`. */
  const altered =
    (change: (nodes: Nodes) => void): Executor =>
    async (request) => {
      const result = (await client.executor(request as never)) as ExecutionResult<{ appointments: { nodes: Nodes } }>;
      change(result.data!.appointments.nodes);
      return result as never;
    };

  it('refuses, without asking Healthie, an input without a patient or with a time or timezone it does not read', async () => {
    const input = fixture.input(fixture.slots[0]!);
    stack.sandbox.clearRequests();
    for (const overrides of [
      { userId: null },
      { userId: '  ' },
      { datetime: null },
      { datetime: 'soon' },
      { datetime: '2026-12-18 11:00 AM' },
      { datetime: '12/18/2026 11:00' },
      { datetime: '2026-02-30T10:00:00Z' },
      { datetime: '2026-12-18 11:00:00', timezone: 'Mars/Olympus' },
    ]) {
      const lookup = findBookedAppointment(client.executor, context as never, { ...input, ...overrides });
      await expect(lookup, JSON.stringify(overrides)).rejects.toBeInstanceOf(UnmatchableBooking);
    }
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it("refuses when Healthie's answer gives no time it can compare, and still finds a match beside one", async () => {
    const instant = Date.parse(fixture.slots[1]!.replace(' ', 'T').replace(/ ([+-]\d{2})(\d{2})$/, '$1:$2'));
    const input = fixture.input(new Date(instant).toISOString());
    const booked = await send(stack.url, BOOK, { input });
    const id = booked.body.data!.healthieCreateAppointment.appointment.id as string;
    const wallTime = { ...input, datetime: fixture.slots[1]!.slice(0, 19) };

    expect(await findBookedAppointment(client.executor, context as never, wallTime)).toBe(id);
    // The provider's timezone, which wall time is read in, is missing: nothing can be compared.
    const noZone = altered((nodes) => nodes.forEach((node) => (node.provider!.timezone = null)));
    await expect(findBookedAppointment(noZone, context as never, wallTime)).rejects.toThrow(/neither its timezone nor the provider's timezone/);
    // An appointment time Healthie wrote in a form not read here.
    const unreadable = altered((nodes) => nodes.forEach((node) => (node.date = 'Dec 18 2026, 11:00 AM')));
    await expect(findBookedAppointment(unreadable, context as never, input)).rejects.toThrow(/a time this subgraph cannot read/);
    // One such appointment beside the match: the match is found.
    const oneUnreadable = altered((nodes) => nodes.unshift({ ...nodes[0]!, date: 'soon' } as never));
    expect(await findBookedAppointment(oneUnreadable, context as never, input)).toBe(id);
  });

  it("cannot tell a booking that names no provider from the patient's other appointments at that time, nor from the key's user's when Healthie does not say whose key it is", async () => {
    const me = (await send(stack.url, '{ healthieCurrentUser { id } }')).body.data!.healthieCurrentUser.id as string;
    const members = (await send(stack.url, '{ healthieOrganizationMembers(first: 20) { nodes { id } } }')).body.data!.healthieOrganizationMembers.nodes as Array<{ id: string }>;
    const unnamed = fixture.input(new Date(instantOf(fixture.slots[8]!, undefined)!).toISOString(), { otherPartyId: null });
    const cannotTell = /^The booking cannot be looked up: the booking names no provider, and the patient has more than one appointment at that time, or one with a provider other than the key's own user\.$/;
    // The patient's appointment at that time with another provider (one who offers the type) may be the booking.
    let other: string | undefined;
    for (const { id } of members.filter((member) => member.id !== me)) {
      other ??= (await send(stack.url, BOOK, { input: { ...unnamed, otherPartyId: id } })).body.data?.healthieCreateAppointment?.appointment?.id;
    }
    expect(other).toEqual(expect.any(String));
    await expect(findBookedAppointment(client.executor, context as never, unnamed)).rejects.toThrow(cannotTell);
    // Beside one of the key's user at the same time, still nothing tells them apart.
    expect((await send(stack.url, BOOK, { input: unnamed })).body.data!.healthieCreateAppointment.appointment.provider.id).toBe(me);
    await expect(findBookedAppointment(client.executor, context as never, unnamed)).rejects.toThrow(cannotTell);

    // The key's user's appointment alone, but Healthie's answer does not say whose key it is.
    const alone = fixture.input(new Date(instantOf(fixture.slots[10]!, undefined)!).toISOString(), { otherPartyId: null });
    await send(stack.url, BOOK, { input: alone });
    const anonymous: Executor = async (request) => {
      const result = (await client.executor(request as never)) as ExecutionResult<{ currentUser?: unknown }>;
      if (result.data) result.data.currentUser = null;
      return result as never;
    };
    await expect(findBookedAppointment(anonymous, context as never, alone)).rejects.toThrow(cannotTell);
    expect(await findBookedAppointment(client.executor, context as never, alone)).toEqual(expect.any(String));
  });

  it("refuses, rather than say \"not booked\", when Healthie's answer does not list the patient's appointments, leaves one out, or gives one at that time no provider", async () => {
    const instant = instantOf(fixture.slots.at(-1)!, undefined)!;
    const input = fixture.input(new Date(instant).toISOString());
    const booked = await send(stack.url, BOOK, { input });
    const id = booked.body.data!.healthieCreateAppointment.appointment.id as string;
    expect(await findBookedAppointment(client.executor, context as never, input)).toBe(id);
    const answering =
      (change: (data: { appointments: { nodes: unknown[] | null } | null }) => void): Executor =>
      async (request) => {
        const result = (await client.executor(request as never)) as ExecutionResult<{ appointments: { nodes: unknown[] | null } | null }>;
        change(result.data!);
        return result as never;
      };
    const cases: Array<[string, Executor, RegExp]> = [
      ['no connection', answering((data) => (data.appointments = null)), /does not list the patient's appointments/],
      ['no nodes', answering((data) => (data.appointments!.nodes = null)), /does not list the patient's appointments/],
      ['a node left out', answering((data) => (data.appointments!.nodes = data.appointments!.nodes!.map(() => null))), /leaves one of the patient's appointments out/],
      ['no provider', answering((data) => data.appointments!.nodes!.forEach((node) => ((node as { provider: unknown }).provider = null))), /at that time no provider/],
    ];
    for (const [name, executor, reason] of cases) {
      await expect(findBookedAppointment(executor, context as never, input), name).rejects.toThrow(reason);
    }
    // A node left out beside the match: the match is found.
    const oneLeftOut = answering((data) => data.appointments!.nodes!.unshift(null));
    expect(await findBookedAppointment(oneLeftOut, context as never, input)).toBe(id);
  });

  it('refuses, rather than say "not booked", when more of the patient\'s appointments follow than it reads, or follow without a cursor', async () => {
    // Two slots of one day (hours apart), after those the test above books.
    const at = (slot: string) => instantOf(slot, undefined)!;
    const i = 2 + fixture.slots.slice(2).findIndex((slot, j, rest) => rest[j + 1] !== undefined && at(rest[j + 1]!) - at(slot) < 86_400_000);
    const first = fixture.input(new Date(at(fixture.slots[i]!)).toISOString());
    await send(stack.url, BOOK, { input: first });
    await send(stack.url, BOOK, { input: fixture.input(new Date(at(fixture.slots[i + 1]!)).toISOString()) });
    // A start with no appointment, between two that exist: only the last page can say "not booked".
    const between = fixture.input(new Date(Date.parse(first.datetime as string) + 60_000).toISOString());
    expect(await findBookedAppointment(client.executor, context as never, between, { pageSize: 1, maxPages: 100 })).toBeUndefined();
    await expect(findBookedAppointment(client.executor, context as never, between, { pageSize: 1, maxPages: 1 })).rejects.toThrow(
      /^The booking cannot be looked up: the patient has more than 1 appointments around that time, more than this subgraph reads\.$/,
    );
    const noCursor: Executor = async (request) => {
      const result = (await client.executor(request as never)) as ExecutionResult<{ appointments: { page_info: { end_cursor: string | null } } }>;
      result.data!.appointments.page_info.end_cursor = null;
      return result as never;
    };
    await expect(findBookedAppointment(noCursor, context as never, between, { pageSize: 1, maxPages: 100 })).rejects.toThrow(/says more of the patient's appointments follow but gives no cursor/);
  });
});

for (const planEnabled of ['true', 'false']) {
  describe(`a retry whose lookup cannot tell (PLAN_ENABLED=${planEnabled})`, () => {
    const faulty = faultyBookingStack({ HEALTHIE_TIMEOUT_MS: '4000', HEALTHIE_RETRIES: '0', PLAN_ENABLED: planEnabled });
    let slot = 0;
    const nextSlot = () => faulty.fixture.slots[slot++]!;
    const lookups = () => faulty.sandbox.requests.filter((request) => /BookingOutcomeLookup/.test(request.query)).length;
    // The rewrite of a test that failed half-way must not reach the next one.
    beforeEach(() => faulty.upstream.rewrite(undefined));

    function expectCannotLook(result: HeadedResponse) {
      expect(result.body.data?.healthieCreateAppointment ?? null).toBeNull();
      expect(result.body.errors, JSON.stringify(result.body)).toHaveLength(1);
      expect(result.body.errors![0]).toMatchObject({ path: ['healthieCreateAppointment'], extensions: { code: 'BAD_USER_INPUT', bookingMayExist: true } });
      expect(result.body.errors![0]!.message).toMatch(CANNOT_LOOK);
    }

    /** Books `input` under `key` with Healthie's answer dropped after it booked; the appointment it made. */
    async function loseBooking(input: Record<string, unknown>, key: Record<string, string>, datetime: string): Promise<string | undefined> {
      faulty.upstream.inject('drop', /createAppointment/);
      const lost = await send(faulty.stack.url, BOOK, { input }, key);
      expect(lost.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', bookingMayExist: true });
      return (await appointmentsAt(faulty.sandbox.url, faulty.fixture.patientId, datetime))[0];
    }

    /** With Healthie's answers whole again, the retry replays the appointment `made`, and nothing more was ever created. */
    async function expectFoundOnce(input: Record<string, unknown>, key: Record<string, string>, made: string | undefined) {
      faulty.upstream.rewrite(undefined);
      const found = await send(faulty.stack.url, BOOK, { input }, key);
      expect(found.headers.get('idempotent-replayed')).toBe('true');
      expect(found.body.data!.healthieCreateAppointment.appointment.id).toBe(made);
      expect(creates(faulty.sandbox)).toBe(1);
    }

    it("refuses the retry, books nothing more and keeps the key unknown, when Healthie's answer has no timezone for the wall time booked; finds it once it has", async () => {
      const datetime = nextSlot();
      // Wall time in the provider's timezone; enforceAvailability false: Healthie would take a second booking.
      const input = faulty.fixture.input(datetime.slice(0, 19), { enforceAvailability: false });
      const key = { 'idempotency-key': `no-zone-${planEnabled}` };
      const made = await loseBooking(input, key, datetime);

      faulty.upstream.rewrite((text) => text.replace(/"timezone":"[^"]*"/g, '"timezone":null'));
      for (const attempt of [1, 2]) {
        const refused = await send(faulty.stack.url, BOOK, { input }, key);
        expectCannotLook(refused);
        expect(lookups()).toBe(attempt);
      }
      expect(creates(faulty.sandbox)).toBe(1);
      expect(await appointmentsAt(faulty.sandbox.url, faulty.fixture.patientId, datetime)).toEqual([made]);
      const audits = faulty.stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.audit === 'booking');
      expect(audits.slice(-1)).toEqual([expect.objectContaining({ outcome: 'refused', code: 'BAD_USER_INPUT', bookingMayExist: true })]);

      await expectFoundOnce(input, key, made);
    });

    it("refuses the retry and books nothing more when Healthie's answer to the lookup lists no appointments; finds the booking once it does", async () => {
      const datetime = nextSlot();
      const input = faulty.fixture.input(datetime, { enforceAvailability: false });
      const key = { 'idempotency-key': `no-list-${planEnabled}` };
      const made = await loseBooking(input, key, datetime);

      // The lookup's answer without its list, as `null` and as `nodes: null` (no other request of this test asks `appointments`).
      for (const [attempt, unlisted] of [[1, null], [2, { nodes: null, page_info: { has_next_page: false, end_cursor: null } }]] as const) {
        faulty.upstream.rewrite((text) => {
          const answer = JSON.parse(text) as { data?: Record<string, unknown> | null };
          if (answer.data && 'appointments' in answer.data) answer.data.appointments = unlisted;
          return JSON.stringify(answer);
        });
        expectCannotLook(await send(faulty.stack.url, BOOK, { input }, key));
        expect(lookups()).toBe(attempt);
      }
      expect(creates(faulty.sandbox)).toBe(1);
      expect(await appointmentsAt(faulty.sandbox.url, faulty.fixture.patientId, datetime)).toEqual([made]);

      await expectFoundOnce(input, key, made);
    });

    it('refuses the retry of a booking whose datetime the lookup does not read, sending neither a lookup nor a create', async () => {
      const input = faulty.fixture.input('2031-01-06 8:00 AM', { enforceAvailability: false });
      const key = { 'idempotency-key': `unread-time-${planEnabled}` };
      faulty.upstream.inject('drop', /createAppointment/);
      await send(faulty.stack.url, BOOK, { input }, key);
      faulty.sandbox.clearRequests();
      for (const _ of [1, 2]) expectCannotLook(await send(faulty.stack.url, BOOK, { input }, key));
      expect(faulty.sandbox.requests).toHaveLength(0);
    });
  });
}

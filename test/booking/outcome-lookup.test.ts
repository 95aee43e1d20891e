/**
 * The outcome lookup finds the appointment a lost booking made (same patient, provider and start
 * instant), however the start was written: with an offset, in UTC, or as wall time in the given
 * timezone or, without one, in the provider's; and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBookedAppointment, instantOf } from '../../src/booking/outcome-lookup.js';
import { createLogger } from '../../src/logger.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { createHealthieClient, type HealthieClient } from '../../src/upstream/client.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { BOOK, bookingFixture, HEALTHIE_API_VERSION, send, type BookingFixture } from './helpers.js';

describe('instantOf', () => {
  it("reads Healthie's rendering, ISO 8601 with offsets or Z, and wall time in a timezone across DST", () => {
    expect(instantOf('2026-03-12 10:00:00 -0400', undefined)).toBe(Date.parse('2026-03-12T14:00:00Z'));
    expect(instantOf('2026-03-12T10:00:00+05:30', undefined)).toBe(Date.parse('2026-03-12T04:30:00Z'));
    expect(instantOf('2026-03-12T10:00Z', undefined)).toBe(Date.parse('2026-03-12T10:00:00Z'));
    expect(instantOf('2026-01-15 09:30', 'America/New_York')).toBe(Date.parse('2026-01-15T14:30:00Z'));
    expect(instantOf('2026-07-15 09:30:00', 'America/New_York')).toBe(Date.parse('2026-07-15T13:30:00Z'));
    expect(instantOf('2026-03-12T10:00:00-04:00', 'Asia/Tokyo')).toBe(Date.parse('2026-03-12T14:00:00Z'));
  });

  it('reads the other ISO 8601 forms Healthie takes: hour-only and compact offsets, the basic format, lower-case t and z, a fraction, years before 100', () => {
    const instant = Date.parse('2026-12-18T17:00:00Z');
    for (const text of ['2026-12-18T12:00:00-05', '2026-12-18T12:00:00-0500', '2026-12-18 12:00:00 -05:00', '20261218T170000Z', '20261218T120000-0500', '20261218t1700z', '2026-12-18t17:00:00.250z', '2026-12-18T22:30:00,5+05:30']) {
      expect(instantOf(text, 'Asia/Tokyo'), text).toBe(instant);
    }
    expect(instantOf('0099-12-18T17:00:00Z', undefined)).toBe(Date.parse('0099-12-18T17:00:00Z'));
  });

  it('gives up rather than guess: no timezone for wall time, an unknown zone, or an unreadable time', () => {
    expect(instantOf('2026-01-15 09:30', undefined)).toBeUndefined();
    expect(instantOf('2026-01-15 09:30', 'Mars/Olympus')).toBeUndefined();
    for (const text of ['next tuesday', '2026-12-18 11:00 AM', '12/18/2026 11:00', '2026-12-18', '2026-02-30T10:00:00Z', '2026-12-18T24:00:00Z', '2026-12-18T10:00:60Z', '2026-12-18T10:00:00+24:00', '2026-12-18T1000Z']) {
      expect(instantOf(text, 'UTC'), text).toBeUndefined();
    }
  });
});

describe('findBookedAppointment against the sandbox', () => {
  let stack: Stack;
  let client: HealthieClient;
  let fixture: BookingFixture;
  let providerZone: string;
  const context = { requestId: 'lookup', credentials: { credentials: { apiKey: DEMO_API_KEY } }, logger: createLogger({ level: 'silent' }) };

  /** `instant` as wall time (YYYY-MM-DD HH:MM:SS) in `timeZone`. */
  const wallTime = (instant: number, timeZone: string) =>
    new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(instant);

  beforeAll(async () => {
    stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true' } });
    client = createHealthieClient({ url: stack.sandbox.url, timeoutMs: 10_000, apiVersion: HEALTHIE_API_VERSION });
    fixture = await bookingFixture(stack.url);
    const provider = await send(stack.url, 'query($id: ID) { healthieUser(id: $id) { timezone } }', { id: fixture.providerId });
    providerZone = provider.body.data!.healthieUser.timezone;
  });
  afterAll(async () => {
    await client.close();
    await stack.close();
  });

  it('finds an appointment booked with wall time in the provider timezone, from any spelling of that instant', async () => {
    const instant = instantOf(fixture.slots[0]!, undefined)!;
    const input = fixture.input(wallTime(instant, providerZone));
    const booked = await send(stack.url, BOOK, { input });
    const id = booked.body.data!.healthieCreateAppointment.appointment.id;
    expect(id).toEqual(expect.any(String));

    const find = (overrides: Record<string, unknown>) => findBookedAppointment(client.executor, context as never, { ...input, ...overrides });
    expect(await find({})).toBe(id);
    expect(await find({ datetime: new Date(instant).toISOString() })).toBe(id);
    expect(await find({ datetime: wallTime(instant, 'Asia/Tokyo'), timezone: 'Asia/Tokyo' })).toBe(id);
    expect(await find({ otherPartyId: null, providers: `${fixture.providerId}, 999` })).toBe(id);
  });

  it('finds nothing for another start, another provider or another patient, or without a patient', async () => {
    const instant = instantOf(fixture.slots[1]!, undefined)!;
    const input = fixture.input(new Date(instant).toISOString());
    await send(stack.url, BOOK, { input });
    const find = (overrides: Record<string, unknown>) => findBookedAppointment(client.executor, context as never, { ...input, ...overrides });
    expect(await find({})).toEqual(expect.any(String));
    expect(await find({ datetime: new Date(instant + 60_000).toISOString() })).toBeUndefined();
    expect(await find({ otherPartyId: '999999' })).toBeUndefined();
    expect(await find({ userId: '999999' })).toBeUndefined();
  });

  it("finds a booking that names no provider when the patient's one appointment at that time is the key's own user's, and nothing at another time", async () => {
    const me = (await send(stack.url, '{ healthieCurrentUser { id } }')).body.data!.healthieCurrentUser.id as string;
    const unnamed = fixture.input(new Date(instantOf(fixture.slots[9]!, undefined)!).toISOString(), { otherPartyId: null });
    const booked = (await send(stack.url, BOOK, { input: unnamed })).body.data!.healthieCreateAppointment.appointment;
    expect(booked.provider.id).toBe(me);
    expect(await findBookedAppointment(client.executor, context as never, unnamed)).toBe(booked.id);
    const later = { ...unnamed, datetime: new Date(instantOf(fixture.slots[9]!, undefined)! + 60_000).toISOString() };
    expect(await findBookedAppointment(client.executor, context as never, later)).toBeUndefined();
  });

  it("pages through the patient's appointments, finding a booking on any page and \"not booked\" only after the last", async () => {
    const booked: Array<[string, string]> = [];
    // Three slots of one day (hours apart): all in the window of a lookup for any of them.
    const day = fixture.slots.slice(4).findIndex((slot, i, rest) => rest[i + 2] !== undefined && instantOf(rest[i + 2]!, undefined)! - instantOf(slot, undefined)! < 86_400_000);
    for (const slot of fixture.slots.slice(4 + day, 7 + day)) {
      const input = fixture.input(new Date(instantOf(slot, undefined)!).toISOString());
      booked.push([input.datetime as string, (await send(stack.url, BOOK, { input })).body.data!.healthieCreateAppointment.appointment.id]);
    }
    const lookups = () => stack.sandbox.requests.filter((request) => /BookingOutcomeLookup/.test(request.query));
    const onePerPage = { pageSize: 1, maxPages: 100 };
    for (const [datetime, id] of booked) {
      stack.sandbox.clearRequests();
      expect(await findBookedAppointment(client.executor, context as never, fixture.input(datetime), onePerPage)).toBe(id);
    }
    // Two more appointments of the patient in the window: the one looked for last is on a later page.
    expect(lookups().length).toBeGreaterThan(1);
    stack.sandbox.clearRequests();
    const notBooked = fixture.input(new Date(Date.parse(booked[1]![0]) + 60_000).toISOString());
    expect(await findBookedAppointment(client.executor, context as never, notBooked, onePerPage)).toBeUndefined();
    const pages = lookups();
    expect(pages.length).toBeGreaterThan(1);
    // Each page after the first starts at the cursor the one before it ended with.
    expect(pages.map((request) => request.variables?.after ?? null)).toEqual([null, ...pages.slice(1).map((request) => expect.any(String))]);
  });
});

/**
 * createAppointment: a valid booking is stored and takes its slot; every invalid input is
 * reported in the payload's messages with no appointment and nothing stored.
 */
import { describe, expect, it } from 'vitest';
import { SECOND_API_KEY } from '../../src/sandbox/index.js';
import { data, healthieHeaders, instantOf, useSandbox } from './helpers.js';

const BOOK = `mutation($input: createAppointmentInput!) {
  createAppointment(input: $input) {
    appointment { id date start end length contact_type pm_status provider { id } user { id } attendees { id } appointment_type { id } }
    messages { field message }
  }
}`;
const SLOTS = `query($p: ID!, $t: ID, $s: ISO8601DateTime, $e: ISO8601DateTime) {
  availableSlotsForRange(provider_id: $p, appt_type_id: $t, start_date: $s, end_date: $e, timezone: "America/New_York") { date }
}`;
const PATIENT = '1012';
const PROVIDER = '1002';
const FOLLOW_UP = '1101';

const valid = (overrides: Record<string, unknown> = {}) => ({
  user_id: PATIENT,
  other_party_id: PROVIDER,
  appointment_type_id: FOLLOW_UP,
  contact_type: 'Healthie Video Call',
  datetime: '2025-03-20 10:00:00',
  timezone: 'America/New_York',
  ...overrides,
});

describe('sandbox createAppointment', () => {
  const sandbox = useSandbox();
  const query = (text: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => data(sandbox.url, text, variables, headers);
  const book = async (input: Record<string, unknown>) => (await query(BOOK, { input })).createAppointment;
  const count = async () => (await query('{ appointments(filter: "all") { total_count } }')).appointments.total_count as number;
  const slotDates = async (day: string, provider = PROVIDER): Promise<string[]> =>
    (await query(SLOTS, { p: provider, t: FOLLOW_UP, s: day, e: day })).availableSlotsForRange.map((slot: { date: string }) => slot.date);
  const freeSlot = async (day: string, provider = PROVIDER): Promise<string> => {
    const [first] = await slotDates(day, provider);
    if (!first) throw new Error(`No open slot on ${day} for ${provider}`);
    return first;
  };

  it('books an open slot, stores it and takes the slot off the calendar', async () => {
    const slot = await freeSlot('2025-03-20');
    const before = await count();
    const payload = await book(valid({ datetime: slot }));
    expect(payload.messages ?? []).toEqual([]);
    expect(instantOf(payload.appointment.start)).toBe(instantOf(slot));
    expect(payload.appointment.date).toBe(slot);
    expect(payload.appointment).toMatchObject({
      length: 30,
      contact_type: 'Healthie Video Call',
      provider: { id: PROVIDER },
      user: { id: PATIENT },
      attendees: [{ id: PATIENT }],
      appointment_type: { id: FOLLOW_UP },
    });
    expect(Number(payload.appointment.id)).toBeGreaterThanOrEqual(1200);
    expect(Number(payload.appointment.id)).toBeLessThan(2000);

    expect(await count()).toBe(before + 1);
    const { appointment } = await query('query($id: ID) { appointment(id: $id) { id start } }', { id: payload.appointment.id });
    expect(appointment).toEqual({ id: payload.appointment.id, start: payload.appointment.start });
    const mine = (await query('query($u: ID) { appointments(user_id: $u) { nodes { id } } }', { u: PATIENT })).appointments.nodes;
    expect(mine).toContainEqual({ id: payload.appointment.id });
    expect(await slotDates('2025-03-20')).not.toContain(slot);
  });

  it('accepts ISO 8601 datetimes with an offset', async () => {
    const iso = new Date(instantOf(await freeSlot('2025-03-21'))).toISOString();
    expect(iso).toMatch(/Z$/);
    const payload = await book(valid({ datetime: iso, timezone: null }));
    expect(payload.messages ?? []).toEqual([]);
    expect(instantOf(payload.appointment.start)).toBe(Date.parse(iso));
  });

  it('books with the provider from `providers` when other_party_id is absent', async () => {
    const payload = await book(valid({ other_party_id: null, providers: '1003', datetime: await freeSlot('2025-03-24', '1003') }));
    expect(payload.messages ?? []).toEqual([]);
    expect(payload.appointment.provider).toEqual({ id: '1003' });
  });

  it.each([
    ['an unknown patient', { user_id: '999999' }, 'user_id'],
    ["another account's patient", { user_id: '2010' }, 'user_id'],
    ['a provider as the patient', { user_id: '1003' }, 'user_id'],
    ['a missing patient', { user_id: null }, 'user_id'],
    ['an unknown provider', { other_party_id: '999999' }, 'other_party_id'],
    ['an unknown provider in providers', { other_party_id: null, providers: '1002, 999999' }, 'providers'],
    ['an unknown appointment type', { appointment_type_id: '999999' }, 'appointment_type_id'],
    ['a type the provider does not offer', { other_party_id: '1004', appointment_type_id: '1103', contact_type: 'In Person', appointment_location_id: '1009' }, 'appointment_type_id'],
    ['an in-person appointment without appointment_location_id', { contact_type: 'In Person' }, 'appointment_location_id'],
    ['an unknown appointment_location_id', { contact_type: 'In Person', appointment_location_id: '2009' }, 'appointment_location_id'],
    ['a contact type the type does not offer', { contact_type: 'Carrier Pigeon' }, 'contact_type'],
    ['a missing datetime', { datetime: null }, 'datetime'],
    ['an unparseable datetime', { datetime: 'next tuesday-ish' }, 'datetime'],
    ['an impossible date', { datetime: '2025-02-30 10:00:00' }, 'datetime'],
    ['a datetime in the past', { datetime: '2025-03-11 10:00:00' }, 'datetime'],
    ['an unknown timezone', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
  ])('reports %s in messages and books nothing', async (_label, overrides, field) => {
    const before = await count();
    const payload = await book(valid({ datetime: '2025-03-25 15:00:00', ...overrides }));
    expect(payload.appointment).toBeNull();
    expect(payload.messages).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
    expect(await count()).toBe(before);
  });

  it('reports a clash with an existing appointment of the provider when enforce_availability is true', async () => {
    const slot = await freeSlot('2025-03-26');
    const first = await book(valid({ datetime: slot }));
    expect(first.messages ?? []).toEqual([]);
    const overlapping = new Date(instantOf(slot) + 15 * 60_000).toISOString();
    const before = await count();
    const clash = await book(valid({ user_id: '1013', datetime: overlapping, enforce_availability: true }));
    expect(clash.appointment).toBeNull();
    expect(clash.messages).toEqual([{ field: 'datetime', message: expect.stringMatching(/not available/) }]);
    expect(await count()).toBe(before);
  });

  it("books over a taken slot when enforce_availability is omitted or false, as Healthie's default does", async () => {
    const slot = await freeSlot('2025-03-28');
    expect((await book(valid({ datetime: slot }))).messages ?? []).toEqual([]);
    const omitted = await book(valid({ user_id: '1013', datetime: slot }));
    expect(omitted.messages ?? []).toEqual([]);
    const explicit = await book(valid({ user_id: '1014', datetime: slot, enforce_availability: false }));
    expect(explicit.messages ?? []).toEqual([]);
    expect(explicit.appointment.provider).toEqual({ id: PROVIDER });
  });

  it('books an in-person appointment at the organization\'s location', async () => {
    const payload = await book(valid({ contact_type: 'In Person', appointment_location_id: '1009', datetime: await freeSlot('2025-03-31') }));
    expect(payload.messages ?? []).toEqual([]);
    expect(payload.appointment.contact_type).toBe('In Person');
  });

  it('reports every problem of an input at once', async () => {
    const payload = await book({ user_id: '999999', appointment_type_id: '999999', datetime: 'soon' });
    expect(payload.appointment).toBeNull();
    expect(payload.messages.map((message: { field: string }) => message.field).sort()).toEqual(['appointment_type_id', 'datetime', 'user_id']);
  });

  it('keeps a booking inside the account that made it', async () => {
    const payload = await book(valid({ datetime: await freeSlot('2025-03-27') }));
    expect(payload.messages ?? []).toEqual([]);
    const seenBySecond = await query('query($id: ID) { appointment(id: $id) { id } }', { id: payload.appointment.id }, healthieHeaders(SECOND_API_KEY));
    expect(seenBySecond.appointment).toBeNull();
  });
});

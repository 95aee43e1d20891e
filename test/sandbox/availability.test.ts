/**
 * Open slots: working hours in the provider's timezone, never in the past, never over an
 * existing appointment, and a bounded date range.
 */
import { describe, expect, it } from 'vitest';
import { FIXED_NOW, ISO_DATE_TIME, data, gql, instantOf, useSandbox, wallClock } from './helpers.js';

const SLOTS = `query($p: ID!, $t: ID, $s: ISO8601DateTime, $e: ISO8601DateTime, $tz: String, $c: String) {
  availableSlotsForRange(provider_id: $p, appt_type_id: $t, start_date: $s, end_date: $e, timezone: $tz, contact_type: $c) {
    date length user_id is_fully_booked appointment_type { id }
  }
}`;
const FOLLOW_UP = '1101';
const INITIAL = '1100';

interface Slot {
  date: string;
  length: number;
  user_id: string;
  is_fully_booked: boolean;
  appointment_type: { id: string } | null;
}

describe('sandbox availability', () => {
  const sandbox = useSandbox();
  const slots = async (variables: Record<string, unknown>): Promise<Slot[]> => (await data(sandbox.url, SLOTS, variables)).availableSlotsForRange;

  it("offers slots only Monday to Friday, 09:00-17:00 in the provider's timezone", async () => {
    // Provider 1003 works in Chicago; Saturday 15 and Sunday 16 March must stay empty.
    const found = await slots({ p: '1003', t: FOLLOW_UP, s: '2025-03-13', e: '2025-03-19', tz: 'America/Chicago' });
    expect(found.length).toBeGreaterThan(0);
    for (const slot of found) {
      const { day, minutes, offset } = wallClock(slot.date);
      expect(offset).toBe('-0500');
      expect(minutes).toBeGreaterThanOrEqual(9 * 60);
      expect(minutes + slot.length).toBeLessThanOrEqual(17 * 60);
      expect(['2025-03-15', '2025-03-16']).not.toContain(day);
      expect(slot).toMatchObject({ length: 30, user_id: '1003', is_fully_booked: false, appointment_type: { id: FOLLOW_UP } });
    }
  });

  it('steps slots by the appointment type length', async () => {
    const found = await slots({ p: '1002', t: INITIAL, s: '2025-03-17', e: '2025-03-17' });
    const starts = found.map((slot) => wallClock(slot.date).minutes);
    for (const start of starts) expect((start - 9 * 60) % 60).toBe(0);
    expect(found.every((slot) => slot.length === 60)).toBe(true);
  });

  it('renders slot times as ISO 8601 (ISO8601DateTime) in the requested timezone', async () => {
    const [inNewYork] = await slots({ p: '1004', t: FOLLOW_UP, s: '2025-03-17', e: '2025-03-17', tz: 'America/New_York' });
    const [inLosAngeles] = await slots({ p: '1004', t: FOLLOW_UP, s: '2025-03-17', e: '2025-03-17', tz: 'America/Los_Angeles' });
    expect(inNewYork!.date).toMatch(ISO_DATE_TIME);
    expect(inNewYork!.date).toMatch(/-04:00$/);
    expect(inLosAngeles!.date).toMatch(/-07:00$/);
    expect(wallClock(inLosAngeles!.date).minutes).toBe(9 * 60);
  });

  it('offers no slot in the past', async () => {
    const today = await slots({ p: '1002', t: FOLLOW_UP, s: '2025-03-12', e: '2025-03-12', tz: 'America/New_York' });
    expect(today.length).toBeGreaterThan(0);
    for (const slot of today) expect(instantOf(slot.date)).toBeGreaterThan(FIXED_NOW.getTime());
    expect(await slots({ p: '1002', t: FOLLOW_UP, s: '2025-03-03', e: '2025-03-07' })).toEqual([]);
  });

  it("leaves out times taken by the provider's appointments", async () => {
    const { appointments } = await data(sandbox.url, '{ appointments(is_upcoming: true) { nodes { start length pm_status provider { id } } } }');
    const booked = appointments.nodes.filter((a: { pm_status: string | null }) => a.pm_status !== 'Cancelled');
    expect(booked.length).toBeGreaterThan(5);
    for (const appointment of booked.slice(0, 8)) {
      const day = appointment.start.slice(0, 10);
      const found = await slots({ p: appointment.provider.id, t: FOLLOW_UP, s: day, e: day, tz: 'America/New_York' });
      const start = instantOf(appointment.start);
      const end = start + appointment.length * 60_000;
      for (const slot of found) {
        const slotStart = instantOf(slot.date);
        expect(slotStart < end && start < slotStart + slot.length * 60_000, `${slot.date} overlaps ${appointment.start}`).toBe(false);
      }
    }
  });

  it('requires provider_id, as Healthie 2026-01-01 does', async () => {
    const reply = await gql(sandbox.url, '{ availableSlotsForRange(appt_type_id: "1101", start_date: "2025-03-17") { date } }');
    expect(reply.status).toBe(200);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors?.[0]?.message).toMatch(/provider_id.*ID!.*required/);
  });

  it('searches every provider for daysAvailableForRange when provider_id is absent', async () => {
    const { daysAvailableForRange } = await data(sandbox.url, '{ daysAvailableForRange(appt_type_id: "1101", start_date: "2025-03-17", end_date: "2025-03-17") }');
    expect(daysAvailableForRange).toEqual(['2025-03-17']);
  });

  it('offers nothing for a type the provider does not offer or a contact type the type lacks', async () => {
    expect(await slots({ p: '1004', t: '1103', s: '2025-03-17', e: '2025-03-17' })).toEqual([]);
    expect(await slots({ p: '1001', t: '1103', s: '2025-03-17', e: '2025-03-17', c: 'Phone Call' })).toEqual([]);
    expect((await slots({ p: '1001', t: '1103', s: '2025-03-17', e: '2025-03-17', c: 'In Person' })).length).toBeGreaterThan(0);
    expect(await slots({ p: '2002', t: FOLLOW_UP, s: '2025-03-17', e: '2025-03-17' })).toEqual([]);
  });

  it('rejects a range longer than 31 days with a clear error', async () => {
    const reply = await gql(sandbox.url, SLOTS, { p: '1002', t: FOLLOW_UP, s: '2025-03-13', e: '2025-04-30' });
    expect(reply.status).toBe(200);
    expect(reply.body.errors?.[0]?.message).toMatch(/at most 31 days/);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const bad = await gql(sandbox.url, SLOTS, { p: '1002', t: FOLLOW_UP, s: 'tomorrow' });
    expect(bad.body.errors?.[0]?.message).toMatch(/ISO8601DateTime must be an ISO 8601 date and time/);
  });

  it('lists the weekdays with an open slot in daysAvailableForRange', async () => {
    const { daysAvailableForRange } = await data(
      sandbox.url,
      '{ daysAvailableForRange(provider_id: "1002", appt_type_id: "1101", start_date: "2025-03-13", end_date: "2025-03-23", timezone: "America/New_York") }',
    );
    expect(daysAvailableForRange).toEqual(['2025-03-13', '2025-03-14', '2025-03-17', '2025-03-18', '2025-03-19', '2025-03-20', '2025-03-21']);
  });
});

/**
 * Booking passes through to Healthie's createAppointment; its validation messages reach the
 * caller in the payload, and a booking is sent exactly once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const BOOK = `mutation Book($input: HealthieCreateAppointmentInput) {
  healthieCreateAppointment(input: $input) {
    appointment { id start contactType provider { id } user { id } appointmentType { id } }
    messages { field message }
  }
}`;

describe('healthieCreateAppointment', () => {
  let stack: Stack;
  let patientId: string;
  let providerId: string;
  let typeId: string;
  let contactType: string;
  let slot: string;

  beforeAll(async () => {
    stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true' } });
    const setup = await stack.query(
      `{ healthieUsers(pageSize: 1) { id }
         healthieOrganizationMembers(pageSize: 1) { id }
         healthieAppointmentTypes { id availableContactTypes } }`,
      {},
      auth,
    );
    const data = setup.body.data!;
    patientId = data.healthieUsers[0].id;
    providerId = data.healthieOrganizationMembers[0].id;
    typeId = data.healthieAppointmentTypes[0].id;
    contactType = data.healthieAppointmentTypes[0].availableContactTypes[0];
    const start = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const end = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);
    const slots = await stack.query(
      'query($p: String, $t: String, $s: String, $e: String) { healthieAvailableSlotsForRange(providerId: $p, apptTypeId: $t, startDate: $s, endDate: $e) { date } }',
      { p: providerId, t: typeId, s: start, e: end },
      auth,
    );
    expect(slots.body.errors, JSON.stringify(slots.body.errors)).toBeUndefined();
    slot = slots.body.data!.healthieAvailableSlotsForRange[0].date;
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('books an open slot with one upstream mutation and returns the appointment', async () => {
    const result = await stack.query(
      BOOK,
      { input: { userId: patientId, otherPartyId: providerId, appointmentTypeId: typeId, contactType, datetime: slot } },
      auth,
    );
    expect(result.body.errors).toBeUndefined();
    const payload = result.body.data!.healthieCreateAppointment;
    expect(payload.messages ?? []).toEqual([]);
    expect(payload.appointment.user.id).toBe(patientId);
    expect(payload.appointment.provider.id).toBe(providerId);
    expect(stack.sandbox.requests).toHaveLength(1);
    expect(stack.sandbox.requests[0]!.query).toMatch(/^mutation/);
    expect(stack.sandbox.requests[0]!.query).toContain('createAppointment');

    const lookup = await stack.query('query($id: ID) { healthieAppointment(id: $id) { id user { id } } }', { id: payload.appointment.id }, auth);
    expect(lookup.body.data!.healthieAppointment).toEqual({ id: payload.appointment.id, user: { id: patientId } });
  });

  it("returns Healthie's messages for an invalid date, and books nothing", async () => {
    const result = await stack.query(
      BOOK,
      { input: { userId: patientId, otherPartyId: providerId, appointmentTypeId: typeId, contactType, datetime: 'next tuesday-ish' } },
      auth,
    );
    expect(result.body.errors).toBeUndefined();
    const payload = result.body.data!.healthieCreateAppointment;
    expect(payload.appointment).toBeNull();
    expect(payload.messages).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'datetime', message: expect.any(String) })]));
  });

  it("returns Healthie's messages for an unknown patient", async () => {
    const result = await stack.query(
      BOOK,
      { input: { userId: '999999', otherPartyId: providerId, appointmentTypeId: typeId, contactType, datetime: slot } },
      auth,
    );
    const payload = result.body.data!.healthieCreateAppointment;
    expect(payload.appointment).toBeNull();
    expect(payload.messages).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'user_id' })]));
    expect(stack.sandbox.requests).toHaveLength(1);
  });
});

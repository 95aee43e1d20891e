/**
 * Booking passes through to Healthie's createAppointment; its validation messages reach the
 * caller in the payload, and a booking is sent exactly once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const BOOK = `mutation Book($input: HealthieCreateAppointmentInput!) {
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
  let slots: string[];

  beforeAll(async () => {
    stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true' } });
    const setup = await stack.query(
      `{ healthieUsers(first: 1) { nodes { id } }
         healthieOrganizationMembers(first: 1) { nodes { id } }
         healthieAppointmentTypes(first: 10) { nodes { id availableContactTypes } } }`,
      {},
      auth,
    );
    const data = setup.body.data!;
    patientId = data.healthieUsers.nodes[0].id;
    providerId = data.healthieOrganizationMembers.nodes[0].id;
    typeId = data.healthieAppointmentTypes.nodes[0].id;
    contactType = data.healthieAppointmentTypes.nodes[0].availableContactTypes[0];
    const start = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const end = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);
    const found = await stack.query(
      'query($p: ID!, $t: ID, $s: HealthieISO8601DateTime, $e: HealthieISO8601DateTime) { healthieAvailableSlotsForRange(providerId: $p, apptTypeId: $t, startDate: $s, endDate: $e) { date } }',
      { p: providerId, t: typeId, s: start, e: end },
      auth,
    );
    expect(found.body.errors, JSON.stringify(found.body.errors)).toBeUndefined();
    slots = found.body.data!.healthieAvailableSlotsForRange.map((s: { date: string }) => s.date);
    slot = slots[0]!;
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

  /** The createAppointment input Healthie received: from the variables, or from the query text when inline. */
  const sentInput = (): { variables: Record<string, unknown> | undefined; query: string } => {
    const request = stack.sandbox.requests.at(-1)!;
    const fromVariables = Object.values(request.variables ?? {}).find((value) => typeof value === 'object' && value !== null && 'user_id' in value);
    return { variables: fromVariables as Record<string, unknown> | undefined, query: request.query };
  };
  const book = (input: Record<string, unknown>) => stack.query(BOOK, { input: { userId: patientId, otherPartyId: providerId, appointmentTypeId: typeId, contactType, ...input } }, auth);

  it('sends enforce_availability: true when a client passing the input as a variable omits it, so a taken slot is refused', async () => {
    const taken = slots[1]!;
    const first = await book({ datetime: taken });
    expect(first.body.data!.healthieCreateAppointment.messages ?? []).toEqual([]);
    expect(sentInput().variables).toMatchObject({ enforce_availability: true, user_id: patientId });
    const second = await book({ datetime: taken });
    expect(second.body.data!.healthieCreateAppointment.appointment).toBeNull();
    expect(second.body.data!.healthieCreateAppointment.messages).toEqual([{ field: 'datetime', message: expect.stringMatching(/not available/) }]);
    expect(sentInput().variables).toMatchObject({ enforce_availability: true });
  });

  it('sends enforce_availability: true when an inline input literal omits it', async () => {
    const result = await stack.query(
      `mutation { healthieCreateAppointment(input: { userId: "${patientId}", otherPartyId: "${providerId}", appointmentTypeId: "${typeId}", contactType: "${contactType}", datetime: "${slots[1]}" }) { appointment { id } messages { field } } }`,
      {},
      auth,
    );
    expect(result.body.data!.healthieCreateAppointment.messages).toEqual([{ field: 'datetime' }]);
    const { query, variables } = sentInput();
    const literal = variables === undefined ? query : JSON.stringify(variables);
    expect(literal).toMatch(/enforce_availability"?: ?true/);
  });

  it('treats an input field bound to a variable the client did not send as omitted', async () => {
    const result = await stack.query(
      `mutation($ea: Boolean) { healthieCreateAppointment(input: { userId: "${patientId}", otherPartyId: "${providerId}", appointmentTypeId: "${typeId}", contactType: "${contactType}", datetime: "${slots[1]}", enforceAvailability: $ea }) { appointment { id } messages { field } } }`,
      {},
      auth,
    );
    expect(result.body.data!.healthieCreateAppointment.messages).toEqual([{ field: 'datetime' }]);
    expect(stack.sandbox.requests.at(-1)!.query).toMatch(/enforce_availability: true/);
  });

  it('treats an explicit null as omitted, inline, in a variable and in an input variable, sending true', async () => {
    const asNull = await book({ datetime: slots[1], enforceAvailability: null });
    expect(asNull.body.data!.healthieCreateAppointment.messages).toEqual([{ field: 'datetime', message: expect.any(String) }]);
    expect(sentInput().variables).toMatchObject({ enforce_availability: true });
    for (const [query, variables] of [
      [`mutation { healthieCreateAppointment(input: { userId: "${patientId}", otherPartyId: "${providerId}", appointmentTypeId: "${typeId}", contactType: "${contactType}", datetime: "${slots[1]}", enforceAvailability: null }) { messages { field } } }`, {}],
      [`mutation($ea: Boolean) { healthieCreateAppointment(input: { userId: "${patientId}", otherPartyId: "${providerId}", appointmentTypeId: "${typeId}", contactType: "${contactType}", datetime: "${slots[1]}", enforceAvailability: $ea }) { messages { field } } }`, { ea: null }],
    ] as const) {
      const result = await stack.query(query, variables, auth);
      expect(result.body.data!.healthieCreateAppointment.messages, query).toEqual([{ field: 'datetime' }]);
      expect(stack.sandbox.requests.at(-1)!.query).toMatch(/enforce_availability: true/);
    }
  });

  it('fills the default into an input given as the default value of an operation variable', async () => {
    const result = await stack.query(
      `mutation($input: HealthieCreateAppointmentInput! = { userId: "${patientId}", otherPartyId: "${providerId}", appointmentTypeId: "${typeId}", contactType: "${contactType}", datetime: "${slots[1]}" }) { healthieCreateAppointment(input: $input) { messages { field } } }`,
      {},
      auth,
    );
    expect(result.body.data!.healthieCreateAppointment.messages).toEqual([{ field: 'datetime' }]);
    const { query, variables } = sentInput();
    expect(variables === undefined ? query : JSON.stringify(variables)).toMatch(/enforce_availability"?: ?true/);
  });

  it('forwards an explicit enforceAvailability: false as false, inline or in a variable (Healthie then books the taken slot)', async () => {
    const viaVariable = await book({ datetime: slots[1], enforceAvailability: false });
    expect(viaVariable.body.data!.healthieCreateAppointment.messages ?? []).toEqual([]);
    expect(sentInput().variables).toMatchObject({ enforce_availability: false });
    const inline = await stack.query(
      `mutation { healthieCreateAppointment(input: { userId: "${patientId}", otherPartyId: "${providerId}", appointmentTypeId: "${typeId}", contactType: "${contactType}", datetime: "${slots[1]}", enforceAvailability: false }) { appointment { id } } }`,
      {},
      auth,
    );
    expect(inline.body.data!.healthieCreateAppointment.appointment.id).toEqual(expect.any(String));
    const { query, variables } = sentInput();
    expect(variables === undefined ? query : JSON.stringify(variables)).toMatch(/enforce_availability"?: ?false/);
    expect(query).not.toMatch(/enforce_availability: true/);
  });

  it('asks for appointmentLocationId on an in-person booking, and books with it', async () => {
    const inPerson = await book({ datetime: slots[3], contactType: 'In Person' });
    expect(inPerson.body.data!.healthieCreateAppointment.messages).toEqual([{ field: 'appointment_location_id', message: expect.any(String) }]);
    const located = await book({ datetime: slots[3], contactType: 'In Person', appointmentLocationId: '1009' });
    expect(located.body.data!.healthieCreateAppointment.messages ?? []).toEqual([]);
    expect(located.body.data!.healthieCreateAppointment.appointment.contactType).toBe('In Person');
  });
});

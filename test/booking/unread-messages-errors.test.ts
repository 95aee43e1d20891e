/**
 * A booking Healthie refuses in `messages`, for an operation that does not select `messages`: one
 * BAD_USER_INPUT error on the booking field says Healthie refused it, how many messages there
 * are, which input fields they name and how to read them, never Healthie's text; an operation
 * that selects `messages` (by any alias, through fragments) reads them and gets no error. The
 * same on a replay with the same Idempotency-Key. Refusals come from the sandbox (an unreadable
 * time, a taken slot, a contact type that quotes what was sent) and from a fault-injecting Healthie
 * answering messages built to leak.
 */
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Replacement } from '../helpers/faulty-upstream.js';
import { BOOK, creates, faultyBookingStack, loggedText, send, type HeadedResponse } from './helpers.js';

/** Text a patient could be named by: it must reach neither the client nor a log. */
const PATIENT_TEXT = 'Jane Doe 555-0100';

const booking = (selection: string, fragments = '') => `mutation Book($input: HealthieCreateAppointmentInput!${selection.includes('$m') ? ', $m: Boolean = false' : ''}) {
  healthieCreateAppointment(input: $input) { ${selection} }
}
${fragments}`;

/** Selections without `messages`, each to get the error. */
const UNSELECTED: Array<[name: string, query: string, variables?: Record<string, unknown>]> = [
  ['only the appointment', booking('appointment { id }')],
  ['only __typename', booking('__typename')],
  ['messages under @skip(if: true)', booking('appointment { id } messages @skip(if: true) { field message }')],
  ['messages under @include(if: $m) with $m false', booking('appointment { id } messages @include(if: $m) { field message }'), { m: false }],
  ['messages in a fragment skipped by @include(if: false)', booking('appointment { id } ...P @include(if: false)', 'fragment P on HealthieCreateAppointmentPayload { messages { field } }')],
  ['an alias named messages on the appointment', booking('messages: appointment { id }')],
];

/** Selections with `messages`, each to read them without an error. */
const SELECTED: Array<[name: string, query: string, key: string, variables?: Record<string, unknown>]> = [
  ['messages', BOOK, 'messages'],
  ['messages under an alias', booking('appointment { id } why: messages { field message }'), 'why'],
  ['messages { field } alone', booking('messages { field }'), 'messages'],
  ['messages in a named fragment', booking('...P', 'fragment P on HealthieCreateAppointmentPayload { messages { field message } }'), 'messages'],
  ['messages in an inline fragment', booking('... on HealthieCreateAppointmentPayload { messages { message } }'), 'messages'],
  ['messages under @include(if: $m) with $m true', booking('messages @include(if: $m) { field message }'), 'messages', { m: true }],
];

/** The response key of the booking's root field in the document Healthie received, and its selections. */
function bookingFields(query: string): { root: string; fields: Array<{ key: string; name: string }> } {
  const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const root = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD)!;
  const fields = (root.selectionSet?.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD).map((s) => ({ key: s.alias?.value ?? s.name.value, name: s.name.value }));
  return { root: root.alias?.value ?? root.name.value, fields };
}

/** Healthie's answer to a booking it refused with `messages`, never passed on to the sandbox. */
const refusedWith =
  (messages: unknown[]) =>
  (query: string): Replacement => {
    const { root, fields } = bookingFields(query);
    const value = (name: string) => (name === 'messages' ? messages : name === '__typename' ? 'createAppointmentPayload' : null);
    return { body: { data: { [root]: Object.fromEntries(fields.map((f) => [f.key, value(f.name)])) } }, forward: false };
  };

describe('a booking Healthie refused in messages the operation does not select', () => {
  const faulty = faultyBookingStack({ HEALTHIE_TIMEOUT_MS: '4000' });
  let booked = 0;
  const nextTime = () => new Date(Date.UTC(2031, 5, 2, 8) + booked++ * 3 * 3_600_000).toISOString().replace('.000Z', 'Z');

  /** The one error of a refusal the caller cannot read, its audit line, and nothing of Healthie's text anywhere. */
  function expectUnread(result: HeadedResponse, count: number, fields: string[], elsewhere = '') {
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ healthieCreateAppointment: null });
    expect(result.body.errors, JSON.stringify(result.body)).toHaveLength(1);
    const [error] = result.body.errors!;
    expect(error).toMatchObject({ path: ['healthieCreateAppointment'], extensions: { code: 'BAD_USER_INPUT', messageCount: count, fields } });
    const about = [fields.length > 0 ? `about the input field${fields.length === 1 ? '' : 's'} ${fields.join(', ')}` : '', elsewhere].filter(Boolean).join('; ');
    expect(error!.message).toBe(
      `Healthie refused the booking with ${count} message${count === 1 ? '' : 's'} (${about}), and this operation does not select \`messages\`, where Healthie says why; nothing was booked. Select \`messages { field message }\` on the payload to read them.`,
    );
    const everything = `${JSON.stringify(result.body)}\n${loggedText(faulty.stack.logs)}`;
    for (const secret of [PATIENT_TEXT, 'Jane', 'not available', 'not a valid', faulty.fixture.patientId]) expect(everything).not.toContain(secret);
  }

  const audits = () =>
    faulty.stack.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.audit === 'booking')
      .map(({ outcome, messageCount, code }) => ({ outcome, messageCount, code }));

  for (const [name, query, variables] of UNSELECTED) {
    it(`answers a refused booking selecting ${name} with BAD_USER_INPUT naming the fields, and audits it as messages`, async () => {
      const input = faulty.fixture.input('tomorrow at ten', { contactType: PATIENT_TEXT });
      const refused = await send(faulty.stack.url, query, { input, ...variables });
      expectUnread(refused, 2, ['contactType', 'datetime']);
      expect(audits()).toEqual([{ outcome: 'messages', messageCount: 2, code: undefined }]);
      expect(creates(faulty.sandbox)).toBe(1);
    });
  }

  for (const [name, query, key, variables] of SELECTED) {
    it(`answers a refused booking selecting ${name} with the messages and no error, as before`, async () => {
      const input = faulty.fixture.input('tomorrow at ten');
      const refused = await send(faulty.stack.url, query, { input, ...variables });
      expect(refused.body.errors).toBeUndefined();
      expect(refused.body.data!.healthieCreateAppointment[key]).toEqual([expect.objectContaining(name.includes('inline') ? { message: expect.any(String) } : { field: 'datetime' })]);
    });
  }

  it('says so for a slot already taken (enforceAvailability), naming datetime', async () => {
    const datetime = nextTime();
    const first = await send(faulty.stack.url, BOOK, { input: faulty.fixture.input(datetime) });
    expect(first.body.data!.healthieCreateAppointment.appointment.id).toEqual(expect.any(String));
    const taken = await send(faulty.stack.url, booking('appointment { id start }'), { input: faulty.fixture.input(datetime) });
    expectUnread(taken, 1, ['datetime']);
  });

  it('gives no error when the booking was made, whatever is selected', async () => {
    const made = await send(faulty.stack.url, booking('appointment { id }'), { input: faulty.fixture.input(nextTime()) });
    expect(made.body.errors).toBeUndefined();
    expect(made.body.data!.healthieCreateAppointment.appointment.id).toEqual(expect.any(String));
    expect(audits()).toEqual([expect.objectContaining({ outcome: 'booked' })]);
  });

  it('with an Idempotency-Key, replays the refusal as the same error without messages, and as the messages with them: one create', async () => {
    const input = faulty.fixture.input('tomorrow at ten');
    const headers = { 'idempotency-key': 'unread-replayed' };
    const first = await send(faulty.stack.url, booking('appointment { id }'), { input }, headers);
    expectUnread(first, 1, ['datetime']);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const again = await send(faulty.stack.url, booking('appointment { id }'), { input }, headers);
    expectUnread(again, 1, ['datetime']);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const read = await send(faulty.stack.url, BOOK, { input }, headers);
    expect(read.body.errors).toBeUndefined();
    expect(read.headers.get('idempotent-replayed')).toBe('true');
    expect(read.body.data!.healthieCreateAppointment).toEqual({ appointment: null, messages: [expect.objectContaining({ field: 'datetime' })] });
    expect(creates(faulty.sandbox)).toBe(1);
    expect(audits()).toEqual([
      { outcome: 'messages', messageCount: 1, code: undefined },
      { outcome: 'replayed', messageCount: 1, code: undefined },
      { outcome: 'replayed', messageCount: 1, code: undefined },
    ]);
  });

  it('names only input fields: a field Healthie fills with patient text, or none, is counted and not named', async () => {
    faulty.upstream.inject(
      refusedWith([
        { field: 'datetime', message: `${PATIENT_TEXT}: seconds are required` },
        { field: PATIENT_TEXT, message: PATIENT_TEXT },
        { field: null, message: `${PATIENT_TEXT} is already booked` },
        { field: 'contact_type', message: PATIENT_TEXT },
        { field: 'datetime', message: 'again' },
        { field: 'user', message: PATIENT_TEXT },
      ]),
      /createAppointment/,
    );
    const refused = await send(faulty.stack.url, booking('appointment { id }'), { input: faulty.fixture.input(nextTime()) });
    expectUnread(refused, 6, ['datetime', 'contactType'], '3 about no input fields');
    expect(creates(faulty.sandbox)).toBe(0);
  });

  it('names no field when no message names an input field', async () => {
    faulty.upstream.inject(refusedWith([{ field: null, message: PATIENT_TEXT }]), /createAppointment/);
    const refused = await send(faulty.stack.url, booking('__typename'), { input: faulty.fixture.input(nextTime()) });
    expectUnread(refused, 1, [], '1 about no input field');
  });

  it('keeps an answer with neither an appointment nor readable messages a booking that may have been made', async () => {
    faulty.upstream.inject(refusedWith([{ field: 'datetime', message: ' ' }]), /createAppointment/);
    const empty = await send(faulty.stack.url, booking('appointment { id }'), { input: faulty.fixture.input(nextTime()) });
    expect(empty.body.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'UPSTREAM_BAD_RESPONSE', bookingMayExist: true })]);
  });
});

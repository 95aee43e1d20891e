/**
 * A booking that may have been made is never reported as "not made", nor as a clean success.
 * Healthie (the sandbox) makes the appointment, and the answer is then lost, fails, or carries no
 * outcome: the client gets the failure's stable code, a message saying the booking may have been
 * made and what to do, and `extensions.bookingMayExist: true`; with an Idempotency-Key, the retry
 * looks the booking up before booking again. Run against a planned and a delegating server:
 * bookings take one route in both, and both must say the same.
 */
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MISSING_ANSWER_MESSAGE } from '../../src/errors.js';
import type { Replacement } from '../helpers/faulty-upstream.js';
import { appointmentsAt, BOOK, creates, faultyBookingStack, loggedText, send, type HeadedResponse } from './helpers.js';

const UNKEYED_ADVICE =
  "The booking may have been made: check the patient's appointments before booking again, since a retry books again (an Idempotency-Key on every booking makes retries safe).";
const KEYED_ADVICE =
  'The booking may have been made: retry only with the same Idempotency-Key, which looks for it in Healthie before booking again; without that key, check the patient\'s appointments before booking again.';
const EMPTY_ANSWER = "Healthie's answer to the booking carried neither an appointment nor messages.";
/** Words a "nothing happened, just retry" message is made of. */
const NOT_MADE = /could not be reached|nothing was sent|not sent|retry later|then retry/i;
/** Healthie's text in the answers below: it must reach neither the client nor a log. */
const HEALTHIE_TEXT = 'Jane Doe could not be booked';

/** `text` as a regular expression matching it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The root field of the booking Healthie received, and its selections' response keys. */
function bookingFields(query: string): { root: string; fields: Array<{ key: string; name: string }> } {
  const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const root = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD)!;
  const fields = (root.selectionSet?.selections ?? [])
    .filter((s): s is FieldNode => s.kind === Kind.FIELD)
    .map((s) => ({ key: s.alias?.value ?? s.name.value, name: s.name.value }));
  return { root: root.alias?.value ?? root.name.value, fields };
}

const NOT_GRAPHQL = 'Healthie answered with a body that is not a GraphQL response.';
const UNREADABLE = "Healthie's answer to the booking could not be read.";

/** A payload with each of the booking's selected fields set by `value(fieldName)`. */
function payload(query: string, value: (name: string) => unknown) {
  const { root, fields } = bookingFields(query);
  return { body: { data: { [root]: Object.fromEntries(fields.map((f) => [f.key, value(f.name)])) } } };
}

/** Answers to a booking that was made, none with an appointment or messages, and what each is called. */
const EMPTY_ANSWERS: Array<[name: string, answer: (query: string) => Replacement, says: string]> = [
  ['an empty object', () => ({ body: {} }), NOT_GRAPHQL],
  ['data: null and no errors', () => ({ body: { data: null } }), NOT_GRAPHQL],
  ['data: null and an empty errors list', () => ({ body: { data: null, errors: [] } }), NOT_GRAPHQL],
  ['data without createAppointment', () => ({ body: { data: {} } }), MISSING_ANSWER_MESSAGE],
  ['a null createAppointment', (query) => ({ body: { data: { [bookingFields(query).root]: null } } }), EMPTY_ANSWER],
  ['createAppointment as text', (query) => ({ body: { data: { [bookingFields(query).root]: 'booked' } } }), UNREADABLE],
  ['a payload with every field null', (query) => payload(query, () => null), EMPTY_ANSWER],
  ['empty messages and no appointment', (query) => payload(query, (name) => (name === 'messages' ? [] : null)), EMPTY_ANSWER],
  ['messages without text and no appointment', (query) => payload(query, (name) => (name === 'messages' ? [null, { field: 'x', message: ' ' }] : null)), EMPTY_ANSWER],
];

for (const planEnabled of ['true', 'false']) {
  describe(`a booking that may have been made (PLAN_ENABLED=${planEnabled})`, () => {
    const faulty = faultyBookingStack({ HEALTHIE_TIMEOUT_MS: '3000', HEALTHIE_RETRIES: '0', PLAN_ENABLED: planEnabled }, { readFirst: true });
    let slot = 0;
    const nextSlot = () => faulty.fixture.slots[slot++]!;
    const made = (datetime: string) => appointmentsAt(faulty.sandbox.url, faulty.fixture.patientId, datetime);

    /** The one error of a booking that may have been made, checked everywhere the client and the logs see it. */
    function expectMayExist(result: HeadedResponse, code: string, message: string | RegExp) {
      expect(result.status).toBe(200);
      expect(result.body.data?.healthieCreateAppointment ?? null).toBeNull();
      expect(result.body.errors, JSON.stringify(result.body)).toHaveLength(1);
      const [error] = result.body.errors!;
      expect(error).toMatchObject({ path: ['healthieCreateAppointment'], extensions: { code, bookingMayExist: true } });
      if (typeof message === 'string') expect(error!.message).toBe(message);
      else expect(error!.message).toMatch(message);
      expect(error!.message).not.toMatch(NOT_MADE);
      const lines = faulty.stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => line.audit === 'booking').map(({ outcome, code: audited, bookingMayExist }) => ({ outcome, code: audited, bookingMayExist }))).toEqual([
        { outcome: 'error', code, bookingMayExist: true },
      ]);
      expect(lines.find((line) => line.msg === 'graphql request')).toMatchObject({ errorCodes: [code] });
      const everything = loggedText(faulty.stack.logs);
      for (const secret of [HEALTHIE_TEXT, faulty.fixture.patientId, faulty.fixture.providerId]) expect(everything).not.toContain(secret);
    }

    it('says a booking whose connection dropped after it was sent may have been made, and that a retry without a key books again', async () => {
      const input = faulty.fixture.input(nextSlot());
      faulty.upstream.inject('drop', /createAppointment/);
      const lost = await send(faulty.stack.url, BOOK, { input });
      expectMayExist(lost, 'UPSTREAM_UNAVAILABLE', /^The connection to Healthie failed \([A-Z_]+\) before its answer arrived\. /);
      expect(lost.body.errors![0]!.message).toMatch(new RegExp(`${literal(UNKEYED_ADVICE)}$`));
      expect(await made(input.datetime as string)).toHaveLength(1);
      expect(creates(faulty.sandbox)).toBe(1);
    });

    it('says a booking Healthie did not answer in time may have been made', async () => {
      const input = faulty.fixture.input(nextSlot());
      faulty.upstream.inject('hang', /createAppointment/);
      const lost = await send(faulty.stack.url, BOOK, { input });
      expectMayExist(lost, 'UPSTREAM_TIMEOUT', `Healthie did not answer within 3000 ms (HEALTHIE_TIMEOUT_MS). ${UNKEYED_ADVICE}`);
      expect(await made(input.datetime as string)).toHaveLength(1);
    });

    it('says a booking Healthie answered with HTTP 500 may have been made', async () => {
      const input = faulty.fixture.input(nextSlot());
      faulty.upstream.inject({ status: 500, body: { errors: [{ message: HEALTHIE_TEXT }] } }, /createAppointment/);
      const failed = await send(faulty.stack.url, BOOK, { input });
      expectMayExist(failed, 'UPSTREAM_UNAVAILABLE', `Healthie answered HTTP 500. ${UNKEYED_ADVICE}`);
      expect(failed.body.errors![0]!.extensions).toMatchObject({ upstreamStatus: 500 });
      expect(await made(input.datetime as string)).toHaveLength(1);
    });

    it('says a booking Healthie failed with a GraphQL error may have been made, without Healthie\'s text', async () => {
      const input = faulty.fixture.input(nextSlot());
      faulty.upstream.inject(
        (query) => ({ body: { data: { [bookingFields(query).root]: null }, errors: [{ message: HEALTHIE_TEXT, path: [bookingFields(query).root] }] } }),
        /createAppointment/,
      );
      const failed = await send(faulty.stack.url, BOOK, { input });
      expectMayExist(failed, 'UPSTREAM_ERROR', new RegExp(`^Healthie returned an error for this field; .* ${literal(UNKEYED_ADVICE)}$`));
      expect(JSON.stringify(failed.body)).not.toContain(HEALTHIE_TEXT);
      expect(await made(input.datetime as string)).toHaveLength(1);
    });

    it('with an Idempotency-Key, says only a retry with that key is safe, and that retry finds the booking: one create in all', async () => {
      const input = faulty.fixture.input(nextSlot());
      faulty.upstream.inject('drop', /createAppointment/);
      const lost = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': `dropped-${planEnabled}` });
      expectMayExist(lost, 'UPSTREAM_UNAVAILABLE', new RegExp(`\\. ${literal(KEYED_ADVICE)}$`));
      const [appointment] = await made(input.datetime as string);

      const retry = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': `dropped-${planEnabled}` });
      expect(retry.body.errors).toBeUndefined();
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.data!.healthieCreateAppointment.appointment.id).toBe(appointment);
      expect(creates(faulty.sandbox)).toBe(1);
    });

    for (const [name, answer, says] of EMPTY_ANSWERS) {
      it(`reports a booking answered with ${name} as UPSTREAM_BAD_RESPONSE that may have been made, never as a success`, async () => {
        const input = faulty.fixture.input(nextSlot());
        faulty.upstream.inject(answer, /createAppointment/);
        const empty = await send(faulty.stack.url, BOOK, { input });
        expectMayExist(empty, 'UPSTREAM_BAD_RESPONSE', `${says} ${UNKEYED_ADVICE}`);
        expect(await made(input.datetime as string)).toHaveLength(1);
      });
    }

    for (const [name, answer, says] of EMPTY_ANSWERS.filter(([name]) => /data: null and no|without createAppointment|as text|every field|without text/.test(name))) {
      it(`with an Idempotency-Key, looks a booking answered with ${name} up on retry instead of booking again`, async () => {
        const input = faulty.fixture.input(nextSlot());
        const key = `empty-${planEnabled}-${name}`;
        faulty.upstream.inject(answer, /createAppointment/);
        const empty = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': key });
        expectMayExist(empty, 'UPSTREAM_BAD_RESPONSE', `${says} ${KEYED_ADVICE}`);
        const [appointment] = await made(input.datetime as string);

        const retry = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': key });
        expect(retry.body.errors).toBeUndefined();
        expect(retry.headers.get('idempotent-replayed')).toBe('true');
        expect(retry.body.data!.healthieCreateAppointment.appointment.id).toBe(appointment);
        expect(creates(faulty.sandbox)).toBe(1);
        expect(faulty.stack.logs.join('')).toMatch(/"outcome":"replayed"[^\n]*"recovered":true/);
      });
    }

    it('says the booking may still exist when looking it up on retry fails, and a later retry finds it', async () => {
      const input = faulty.fixture.input(nextSlot());
      const key = `lookup-failed-${planEnabled}`;
      faulty.upstream.inject('drop', /createAppointment/);
      await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': key });
      const [appointment] = await made(input.datetime as string);

      faulty.stack.logs.length = 0;
      faulty.upstream.inject({ status: 503, body: '' }, /BookingOutcomeLookup/);
      const failed = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': key });
      expect(failed.body.errors?.[0]).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', bookingMayExist: true } });
      expect(failed.body.errors![0]!.message).toMatch(
        /An earlier attempt with this Idempotency-Key may have made the booking, and looking for it failed: retry only with the same key, which looks for it again before booking\.$/,
      );
      expect(creates(faulty.sandbox)).toBe(1);

      const retry = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': key });
      expect(retry.body.data!.healthieCreateAppointment.appointment.id).toBe(appointment);
      expect(creates(faulty.sandbox)).toBe(1);
    });
  });
}

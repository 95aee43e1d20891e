/**
 * Outcome unknown: Healthie acted on the booking but its answer was lost (the connection dropped
 * after the body was sent, or no answer before HEALTHIE_TIMEOUT_MS). A retry with the same
 * Idempotency-Key finds the appointment in Healthie instead of booking a second one; when there
 * is none, it books.
 */
import { describe, expect, it } from 'vitest';
import { appointmentsAt as appointmentsAtIn, BOOK, creates, faultyBookingStack, send } from './helpers.js';

describe('a booking whose answer is lost', () => {
  const faulty = faultyBookingStack({ HEALTHIE_TIMEOUT_MS: '4000' });
  let slot = 0;
  const nextSlot = () => faulty.fixture.slots[slot++]!;

  /** Appointments the sandbox holds for the fixture's patient at `datetime`, read directly. */
  const appointmentsAt = (datetime: string) => appointmentsAtIn(faulty.sandbox.url, faulty.fixture.patientId, datetime);

  it('finds the appointment on retry after the connection dropped, and sends no second create', async () => {
    const input = faulty.fixture.input(nextSlot());
    faulty.upstream.inject('drop', /createAppointment/);
    const lost = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-1' });
    expect(lost.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const [made] = await appointmentsAt(input.datetime as string);
    expect(made).toEqual(expect.any(String));

    const retry = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-1' });
    expect(retry.body.errors).toBeUndefined();
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.data!.healthieCreateAppointment.appointment).toMatchObject({ id: made, user: { id: faulty.fixture.patientId }, provider: { id: faulty.fixture.providerId } });
    expect(creates(faulty.sandbox)).toBe(1);
    expect(await appointmentsAt(input.datetime as string)).toEqual([made]);
    expect(faulty.stack.logs.join('')).toMatch(/"outcome":"replayed"[^\n]*"recovered":true/);

    const third = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-1' });
    expect(third.body.data!.healthieCreateAppointment.appointment.id).toBe(made);
    expect(creates(faulty.sandbox)).toBe(1);
  });

  it('finds the appointment on retry after Healthie never answered (timeout), and sends no second create', async () => {
    const input = faulty.fixture.input(nextSlot());
    faulty.upstream.inject('hang', /createAppointment/);
    const lost = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': 'hung-1' });
    expect(lost.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_TIMEOUT']);
    const [made] = await appointmentsAt(input.datetime as string);

    const retry = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': 'hung-1' });
    expect(retry.body.data!.healthieCreateAppointment.appointment.id).toBe(made);
    expect(creates(faulty.sandbox)).toBe(1);
  });

  it('gives duplicates that waited on a lost answer the appointment found, with one create in all', async () => {
    const input = faulty.fixture.input(nextSlot());
    faulty.upstream.inject('hang', /createAppointment/);
    const first = send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': 'hung-concurrent' });
    // The duplicates arrive while the first is in flight, and wait for it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const duplicates = await Promise.all([1, 2, 3].map(() => send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': 'hung-concurrent' })));
    expect((await first).body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_TIMEOUT']);
    const [made] = await appointmentsAt(input.datetime as string);
    for (const duplicate of duplicates) expect(duplicate.body.data!.healthieCreateAppointment.appointment.id).toBe(made);
    expect(creates(faulty.sandbox)).toBe(1);
  });

  it('books on retry when the lost booking was not made (Healthie refused it with messages)', async () => {
    const datetime = nextSlot();
    const input = faulty.fixture.input(datetime, { contactType: 'Carrier Pigeon' });
    faulty.upstream.inject('drop', /createAppointment/);
    const lost = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-refused' });
    expect(lost.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const retry = await send(faulty.stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-refused' });
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.data!.healthieCreateAppointment.messages).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'contact_type' })]));
    expect(creates(faulty.sandbox)).toBe(2);
    expect(await appointmentsAt(datetime)).toEqual([]);
  });
});

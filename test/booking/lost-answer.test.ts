/**
 * Outcome unknown: Healthie acted on the booking but its answer was lost (the connection dropped
 * after the body was sent, or no answer before HEALTHIE_TIMEOUT_MS). A retry with the same
 * Idempotency-Key finds the appointment in Healthie instead of booking a second one; when there
 * is none, it books.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StartedSandbox } from '../../src/sandbox/index.js';
import type { FaultyUpstream } from '../helpers/faulty-upstream.js';
import type { Stack } from '../helpers/stack.js';
import { appointmentsAt as appointmentsAtIn, BOOK, closeFaultyBookingStack, creates, send, startFaultyBookingStack, type BookingFixture } from './helpers.js';

describe('a booking whose answer is lost', () => {
  let sandbox: StartedSandbox;
  let upstream: FaultyUpstream;
  let stack: Stack;
  let fixture: BookingFixture;
  let slot = 0;
  const nextSlot = () => fixture.slots[slot++]!;

  /** Appointments the sandbox holds for the fixture's patient at `datetime`, read directly. */
  const appointmentsAt = (datetime: string) => appointmentsAtIn(sandbox.url, fixture.patientId, datetime);

  beforeAll(async () => {
    ({ sandbox, upstream, stack, fixture } = await startFaultyBookingStack({ HEALTHIE_TIMEOUT_MS: '4000' }));
  });
  afterAll(() => closeFaultyBookingStack({ sandbox, upstream, stack }));
  beforeEach(() => {
    sandbox.clearRequests();
    stack.logs.length = 0;
  });

  it('finds the appointment on retry after the connection dropped, and sends no second create', async () => {
    const input = fixture.input(nextSlot());
    upstream.inject('drop', /createAppointment/);
    const lost = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-1' });
    expect(lost.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const [made] = await appointmentsAt(input.datetime as string);
    expect(made).toEqual(expect.any(String));

    const retry = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-1' });
    expect(retry.body.errors).toBeUndefined();
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.data!.healthieCreateAppointment.appointment).toMatchObject({ id: made, user: { id: fixture.patientId }, provider: { id: fixture.providerId } });
    expect(creates(sandbox)).toBe(1);
    expect(await appointmentsAt(input.datetime as string)).toEqual([made]);
    expect(stack.logs.join('')).toMatch(/"outcome":"replayed"[^\n]*"recovered":true/);

    const third = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-1' });
    expect(third.body.data!.healthieCreateAppointment.appointment.id).toBe(made);
    expect(creates(sandbox)).toBe(1);
  });

  it('finds the appointment on retry after Healthie never answered (timeout), and sends no second create', async () => {
    const input = fixture.input(nextSlot());
    upstream.inject('hang', /createAppointment/);
    const lost = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'hung-1' });
    expect(lost.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_TIMEOUT']);
    const [made] = await appointmentsAt(input.datetime as string);

    const retry = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'hung-1' });
    expect(retry.body.data!.healthieCreateAppointment.appointment.id).toBe(made);
    expect(creates(sandbox)).toBe(1);
  });

  it('gives duplicates that waited on a lost answer the appointment found, with one create in all', async () => {
    const input = fixture.input(nextSlot());
    upstream.inject('hang', /createAppointment/);
    const first = send(stack.url, BOOK, { input }, { 'idempotency-key': 'hung-concurrent' });
    // The duplicates arrive while the first is in flight, and wait for it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const duplicates = await Promise.all([1, 2, 3].map(() => send(stack.url, BOOK, { input }, { 'idempotency-key': 'hung-concurrent' })));
    expect((await first).body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_TIMEOUT']);
    const [made] = await appointmentsAt(input.datetime as string);
    for (const duplicate of duplicates) expect(duplicate.body.data!.healthieCreateAppointment.appointment.id).toBe(made);
    expect(creates(sandbox)).toBe(1);
  });

  it('books on retry when the lost booking was not made (Healthie refused it with messages)', async () => {
    const datetime = nextSlot();
    const input = fixture.input(datetime, { contactType: 'Carrier Pigeon' });
    upstream.inject('drop', /createAppointment/);
    const lost = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-refused' });
    expect(lost.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const retry = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'dropped-refused' });
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.data!.healthieCreateAppointment.messages).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'contact_type' })]));
    expect(creates(sandbox)).toBe(2);
    expect(await appointmentsAt(datetime)).toEqual([]);
  });
});

/**
 * Idempotent booking on one replica (the in-memory store): one Idempotency-Key gives one
 * appointment whatever is retried or duplicated, replays read the appointment again with the
 * caller's selection, and each attempt leaves one audit line without patient data.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, SECOND_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { BOOK, bookingFixture, creates, send, type BookingFixture } from './helpers.js';

const auditLines = (stack: Stack) =>
  stack.logs
    .join('')
    .split('\n')
    .filter((line) => line.includes('"audit":"booking"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('booking with an Idempotency-Key', () => {
  let stack: Stack;
  let fixture: BookingFixture;
  let slot = 0;
  const nextSlot = () => fixture.slots[slot++]!;

  beforeAll(async () => {
    stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true' } });
    fixture = await bookingFixture(stack.url);
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.sandbox.clearRequests();
    stack.logs.length = 0;
  });

  it('replays the same appointment for the same key and input, with Idempotent-Replayed, and sends one create', async () => {
    const input = fixture.input(nextSlot());
    const first = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'replay-1' });
    expect(first.body.errors).toBeUndefined();
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const booked = first.body.data!.healthieCreateAppointment.appointment;
    expect(booked.user.id).toBe(fixture.patientId);

    const again = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'replay-1' });
    expect(again.body.errors).toBeUndefined();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data!.healthieCreateAppointment).toEqual({ appointment: booked, messages: null });
    expect(creates(stack.sandbox)).toBe(1);
    expect((await stack.server.metrics.idempotencyReplays.get()).values[0]!.value).toBeGreaterThanOrEqual(1);
  });

  it("answers a replay with the caller's own selection, aliases and fragments included, read again from Healthie", async () => {
    const input = fixture.input(nextSlot());
    const first = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'replay-selection' });
    const id = first.body.data!.healthieCreateAppointment.appointment.id;
    const replay = await send(
      stack.url,
      `mutation($input: HealthieCreateAppointmentInput!) { booking: healthieCreateAppointment(input: $input) {
         ...on HealthieCreateAppointmentPayload { a: appointment { id contactType } }
         b: appointment { appointmentType { id } }
       } }`,
      { input },
      { 'idempotency-key': 'replay-selection' },
    );
    expect(replay.body.errors).toBeUndefined();
    expect(replay.body.data!.booking).toEqual({ a: { id, contactType: fixture.contactType }, b: { appointmentType: { id: fixture.typeId } } });
    expect(creates(stack.sandbox)).toBe(1);
  });

  it("replays Healthie's messages for the same key and input, and sends one create", async () => {
    const input = fixture.input(nextSlot(), { userId: '999999' });
    const first = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'messages-1' });
    const messages = first.body.data!.healthieCreateAppointment.messages;
    expect(messages).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'user_id' })]));
    const again = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'messages-1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data!.healthieCreateAppointment).toEqual({ appointment: null, messages });
    expect(creates(stack.sandbox)).toBe(1);
  });

  it('treats inline input and variables, and fields in any order, as the same input', async () => {
    const slotTime = nextSlot();
    const input = fixture.input(slotTime);
    const first = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'same-input' });
    const reordered = Object.fromEntries(Object.entries(input).reverse());
    const inline = `mutation { healthieCreateAppointment(input: { ${Object.entries(reordered)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(', ')}, timezone: null }) { appointment { id } } }`;
    const again = await send(stack.url, inline, {}, { 'idempotency-key': 'same-input' });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data!.healthieCreateAppointment.appointment.id).toBe(first.body.data!.healthieCreateAppointment.appointment.id);
    expect(creates(stack.sandbox)).toBe(1);
  });

  it('sends exactly one create for 10 concurrent duplicates, and gives all ten the same appointment', async () => {
    const input = fixture.input(nextSlot());
    const results = await Promise.all(Array.from({ length: 10 }, () => send(stack.url, BOOK, { input }, { 'idempotency-key': 'concurrent-10' })));
    for (const result of results) expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
    const ids = new Set(results.map((r) => r.body.data!.healthieCreateAppointment.appointment.id));
    expect(ids.size).toBe(1);
    expect(creates(stack.sandbox)).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
  });

  it('scopes keys to the tenant: the same key under another API key is a separate booking', async () => {
    const second = await bookingFixture(stack.url, { 'x-healthie-api-key': SECOND_API_KEY });
    const mine = await send(stack.url, BOOK, { input: fixture.input(nextSlot()) }, { 'idempotency-key': 'shared-key' });
    const theirs = await send(stack.url, BOOK, { input: second.input(second.slots[0]!) }, { 'idempotency-key': 'shared-key', 'x-healthie-api-key': SECOND_API_KEY });
    expect(mine.body.errors).toBeUndefined();
    expect(theirs.body.errors).toBeUndefined();
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.data!.healthieCreateAppointment.appointment.user.id).toBe(second.patientId);
    expect(stack.sandbox.requests.filter((r) => r.query.includes('createAppointment')).map((r) => r.account)).toEqual(['demo', 'second']);
  });

  it('books as before without a key: each request is its own booking', async () => {
    const first = await send(stack.url, BOOK, { input: fixture.input(nextSlot()) });
    const second = await send(stack.url, BOOK, { input: fixture.input(nextSlot()) });
    expect(first.body.data!.healthieCreateAppointment.appointment.id).not.toBe(second.body.data!.healthieCreateAppointment.appointment.id);
    expect(creates(stack.sandbox)).toBe(2);
  });

  it('writes one audit line per attempt: request id, tenant fingerprint, key sent, outcome; no patient data or keys', async () => {
    const input = fixture.input(nextSlot());
    const booked = await send(stack.url, BOOK, { input }, { 'idempotency-key': 'audit-key-1', 'x-request-id': 'audit-req-1' });
    await send(stack.url, BOOK, { input }, { 'idempotency-key': 'audit-key-1', 'x-request-id': 'audit-req-2' });
    await send(stack.url, BOOK, { input: { ...input, userId: '999999' } }, { 'idempotency-key': 'audit-key-1', 'x-request-id': 'audit-req-3' });
    await send(stack.url, BOOK, { input: { ...input, userId: '999999' } }, { 'x-request-id': 'audit-req-4' });
    await send(stack.url, `mutation { a: healthieCreateAppointment(input: {}) { messages { field } } b: healthieCreateAppointment(input: {}) { messages { field } } }`, {}, { 'x-request-id': 'audit-req-5' });
    const id = booked.body.data!.healthieCreateAppointment.appointment.id;

    const lines = auditLines(stack);
    expect(lines.map(({ requestId, idempotencyKey, outcome, appointmentId, messageCount, code }) => ({ requestId, idempotencyKey, outcome, appointmentId, messageCount, code }))).toEqual([
      { requestId: 'audit-req-1', idempotencyKey: true, outcome: 'booked', appointmentId: id, messageCount: undefined, code: undefined },
      { requestId: 'audit-req-2', idempotencyKey: true, outcome: 'replayed', appointmentId: id, messageCount: 0, code: undefined },
      { requestId: 'audit-req-3', idempotencyKey: true, outcome: 'refused', appointmentId: undefined, messageCount: undefined, code: 'IDEMPOTENCY_KEY_REUSED' },
      { requestId: 'audit-req-4', idempotencyKey: false, outcome: 'messages', appointmentId: undefined, messageCount: expect.any(Number), code: undefined },
      { requestId: 'audit-req-5', idempotencyKey: false, outcome: 'refused', appointmentId: undefined, messageCount: undefined, code: 'QUERY_TOO_COMPLEX' },
    ]);
    const tenants = new Set(lines.map((line) => line.tenant));
    expect(tenants.size).toBe(1);
    expect([...tenants][0]).toMatch(/^[0-9a-f]{12}$/);

    const everything = stack.logs.join('');
    for (const secret of [DEMO_API_KEY, 'audit-key-1', fixture.patientId, input.datetime as string, fixture.providerId, '999999']) {
      expect(everything).not.toContain(`"${secret}"`);
    }
    expect(everything).not.toContain(DEMO_API_KEY);
    expect(everything).not.toContain('audit-key-1');
    expect(everything).not.toContain(input.datetime as string);
  });
});

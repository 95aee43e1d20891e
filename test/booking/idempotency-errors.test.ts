/**
 * Misuse of an Idempotency-Key: the same key with a different booking is refused, and nothing
 * is sent for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import { BOOK, bookingFixture, creates, send, type BookingFixture } from './helpers.js';

describe('reusing an Idempotency-Key', () => {
  let stack: Stack;
  let fixture: BookingFixture;
  beforeAll(async () => {
    stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true' } });
    fixture = await bookingFixture(stack.url);
  });
  afterAll(() => stack.close());

  it('refuses the same key with a different input as IDEMPOTENCY_KEY_REUSED, and sends no second create', async () => {
    const first = await send(stack.url, BOOK, { input: fixture.input(fixture.slots[0]!) }, { 'idempotency-key': 'reused' });
    expect(first.body.errors).toBeUndefined();
    for (const changed of [fixture.input(fixture.slots[1]!), fixture.input(fixture.slots[0]!, { timezone: 'UTC' }), fixture.input(fixture.slots[0]!, { contactType: 'Phone Call' })]) {
      const again = await send(stack.url, BOOK, { input: changed }, { 'idempotency-key': 'reused' });
      expect(again.body.errors?.map((e) => e.extensions?.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
      expect(again.body.errors![0]!.message).toContain('Use a new key for a new booking');
      expect(again.headers.get('idempotent-replayed')).toBeNull();
    }
    expect(creates(stack.sandbox)).toBe(1);
    const conflicts = await stack.server.metrics.idempotencyConflicts.get();
    expect(conflicts.values).toEqual([expect.objectContaining({ labels: { reason: 'key_reused' }, value: 3 })]);
  });
});

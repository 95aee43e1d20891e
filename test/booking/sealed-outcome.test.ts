/**
 * A booking outcome is sealed for its own record: it opens again there, with every message as
 * Healthie wrote it, and its sealed text shows nothing of it.
 */
import { describe, expect, it } from 'vitest';
import { createOutcomeSeal } from '../../src/booking/sealed-outcome.js';

const SECRET = 'a-seal-test-secret-0123456789abcdef';
const REFUSED = { appointmentId: null, messages: [{ field: 'datetime', message: 'Ava Alder (DOB 1980-02-03) already has an appointment at this time' }] };

describe('a sealed booking outcome', () => {
  const seal = createOutcomeSeal(SECRET);

  it('opens for its record as it was sealed, messages and appointment id alike', () => {
    expect(seal.open('record-1', seal.seal('record-1', REFUSED))).toEqual(REFUSED);
    const booked = { appointmentId: '4242', messages: null };
    expect(seal.open('record-1', seal.seal('record-1', booked))).toEqual(booked);
  });

  it('shows nothing of the outcome in its text, and differs each time it is sealed', () => {
    const first = seal.seal('record-1', REFUSED);
    const second = seal.seal('record-1', REFUSED);
    expect(first).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    // Whole values, in the text and in the bytes each of its base64url parts holds: the text is
    // random letters, and "Ava" stood in about one text of 1,200.
    for (const text of [first, ...first.split('.').map((part) => Buffer.from(part, 'base64url').toString('latin1'))]) {
      expect(text).not.toMatch(/Ava Alder|1980-02-03|datetime|appointment/);
    }
    expect(second).not.toBe(first);
  });

  it('opens on another replica that has the same TENANT_HASH_SECRET', () => {
    expect(createOutcomeSeal(SECRET).open('record-1', seal.seal('record-1', REFUSED))).toEqual(REFUSED);
  });

  it('reads an outcome written as plain JSON before outcomes were sealed', () => {
    expect(seal.open('record-1', JSON.stringify(REFUSED))).toEqual(REFUSED);
  });
});

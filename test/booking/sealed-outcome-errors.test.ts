/**
 * A sealed outcome that does not open for its record (moved to another record, altered, or
 * sealed with another TENANT_HASH_SECRET) is refused with UPSTREAM_UNAVAILABLE, saying the
 * booking was not sent again; nothing of it is quoted.
 */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createOutcomeSeal } from '../../src/booking/sealed-outcome.js';

const SECRET = 'a-seal-test-secret-0123456789abcdef';
const REFUSED = { appointmentId: null, messages: [{ field: 'datetime', message: 'Ava Alder (DOB 1980-02-03) already has an appointment at this time' }] };

function refusal(open: () => unknown): GraphQLError {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return error as GraphQLError;
  }
  throw new Error('expected the outcome to be refused');
}

describe('a sealed outcome that does not open', () => {
  const seal = createOutcomeSeal(SECRET);
  const sealed = seal.seal('record-1', REFUSED);

  it.each([
    ['copied to another record', () => seal.open('record-2', sealed)],
    ['sealed with another TENANT_HASH_SECRET', () => createOutcomeSeal('another-secret-0123456789abcdefgh').open('record-1', sealed)],
    ['with its ciphertext altered', () => seal.open('record-1', sealed.replace(/\.([\w-])([\w-]*)\.([\w-]+)$/, (_, c: string, rest: string, tag: string) => `.${c === 'A' ? 'B' : 'A'}${rest}.${tag}`))],
    ['with its tag cut', () => seal.open('record-1', sealed.slice(0, sealed.lastIndexOf('.') + 3))],
    ['missing its parts', () => seal.open('record-1', 'v1.')],
    ['neither sealed nor JSON', () => seal.open('record-1', 'Ava Alder')],
  ])('is refused when %s, quoting nothing, and says the booking was not sent again', (_, open) => {
    const error = refusal(open);
    expect(error.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toContain('the booking was not sent again');
    expect(error.message).not.toMatch(/Ava|Alder|1980/);
  });
});

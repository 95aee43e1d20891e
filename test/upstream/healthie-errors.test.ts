/**
 * The rules for Healthie's error text, paths, codes and volume, one by one.
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  GENERIC_FIELD_MESSAGE,
  keepsHealthieText,
  MAX_MESSAGE_BYTES,
  MAX_UPSTREAM_ERRORS,
  pathWithinRequest,
  translateErrors,
  truncateUtf8,
} from '../../src/upstream/healthie-errors.js';

const operation = parse('{ u: user(id: "1") { id appointments { id provider { name } } ... on User { organization { name } } } }')
  .definitions[0] as OperationDefinitionNode;

describe("keeping Healthie's text", () => {
  it('keeps a short validation message about input that names no one', () => {
    expect(keepsHealthieText('BAD_USER_INPUT', 'start_date must be a date (YYYY-MM-DD)')).toBe(true);
    expect(keepsHealthieText('BAD_USER_INPUT', 'filter must be "future", "past" or "all"')).toBe(true);
  });

  it('withholds messages of other codes, or quoting emails, numbers, dates, phones or names', () => {
    expect(keepsHealthieText('NOT_FOUND', 'record not found')).toBe(false);
    expect(keepsHealthieText(undefined, 'record not found')).toBe(false);
    for (const message of ['email jane@example.com is taken', 'dob 1984-03-07 is invalid', 'phone 555 0100 is invalid', 'user 12345 not found', 'Provider Jane Roe is busy', 'x'.repeat(201), '']) {
      expect(keepsHealthieText('BAD_USER_INPUT', message), message).toBe(false);
    }
  });

  it('cuts a message to 1 KiB on a character boundary', () => {
    const cut = truncateUtf8('é'.repeat(2000));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(cut).toBe('é'.repeat(MAX_MESSAGE_BYTES / 2));
    expect(truncateUtf8('short')).toBe('short');
  });
});

describe('paths', () => {
  it('keeps a path that follows the request, through aliases, lists and inline fragments', () => {
    expect(pathWithinRequest(['u', 'appointments', 2, 'provider', 'name'], operation)).toEqual(['u', 'appointments', 2, 'provider', 'name']);
    expect(pathWithinRequest(['u', 'organization', 'name'], operation)).toEqual(['u', 'organization', 'name']);
  });

  it('cuts a path at the first field the request did not select', () => {
    expect(pathWithinRequest(['u', 'insurance_plans', 0, 'member_id'], operation)).toEqual(['u']);
    expect(pathWithinRequest(['user', 'id'], operation)).toBeUndefined();
    expect(pathWithinRequest([0, 'u'], operation)).toBeUndefined();
    expect(pathWithinRequest('u.id', operation)).toBeUndefined();
  });
});

describe('translateErrors', () => {
  it(`reads at most ${MAX_UPSTREAM_ERRORS} errors and reports how many were dropped`, () => {
    const errors = Array.from({ length: 1000 }, () => ({ message: 'Jane', path: ['u', 'id'], extensions: { code: 'X' } }));
    const { fieldErrors, dropped } = translateErrors(errors, operation);
    expect(fieldErrors).toHaveLength(MAX_UPSTREAM_ERRORS);
    expect(dropped).toBe(1000 - MAX_UPSTREAM_ERRORS);
    expect(fieldErrors.every((e) => e.message === GENERIC_FIELD_MESSAGE && e.extensions.code === 'UPSTREAM_ERROR' && e.extensions.healthieCode === 'X')).toBe(true);
  });

  it('makes an error on no (allowed) field fatal for the request, its text withheld', () => {
    const { fatal, fieldErrors } = translateErrors([{ message: 'Jane Roe', path: ['secret_field'] }], operation);
    expect(fieldErrors).toEqual([]);
    expect(fatal?.extensions.code).toBe('UPSTREAM_ERROR');
    expect(fatal?.message).not.toContain('Jane');
  });

  it('drops a healthieCode that is not a plain code, and survives errors that are not objects', () => {
    const { fieldErrors } = translateErrors([{ message: 'x', path: ['u'], extensions: { code: 'Jane Roe <jane@example.com>' } }], operation);
    expect(fieldErrors[0]!.extensions).toEqual({ code: 'UPSTREAM_ERROR' });
    expect(translateErrors([null as never, 5 as never], operation).fatal?.extensions.code).toBe('UPSTREAM_ERROR');
  });
});

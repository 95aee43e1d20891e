/**
 * The rules for Healthie's error text, paths, codes and volume, one by one.
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  GENERIC_FIELD_MESSAGE,
  MAX_MESSAGE_BYTES,
  MAX_UPSTREAM_ERRORS,
  pathWithinRequest,
  translateErrors,
  truncateUtf8,
} from '../../src/upstream/healthie-errors.js';

const operation = parse('{ u: user(id: "1") { id appointments { id provider { name } } ... on User { organization { name } } } }')
  .definitions[0] as OperationDefinitionNode;

const withVariables = parse('query Q($id: ID, $input: createAppointmentInput!) { u: user(id: $id) { id } book: createAppointment(input: $input) { appointment { id } } }')
  .definitions[0] as OperationDefinitionNode;

describe("keeping Healthie's text", () => {
  const kept = (message: string, path: unknown = ['u'], op = operation) =>
    translateErrors([{ message, path, extensions: { code: 'argumentLiteralsIncompatible' } }], op).fieldErrors[0]?.message;

  it("keeps graphql-ruby's argument message about the request, in the subgraph's names and without the value", () => {
    expect(kept(`Argument 'id' on Field 'user' has an invalid value ("jane roe"). Expected type 'ID'.`)).toBe(
      "Argument 'id' on Field 'healthieUser' has an invalid value. Expected type 'ID'.",
    );
    expect(kept("Field 'user' doesn't accept argument 'id'")).toBe("Field 'healthieUser' doesn't accept argument 'id'.");
  });

  it("keeps graphql-ruby's variable message for a variable the request declared, without the problem that quotes the value", () => {
    const { fatal } = translateErrors([{ message: 'Variable $input of type createAppointmentInput! was provided invalid value for contact_type (jane at example dot com)' }], withVariables);
    expect(fatal?.message).toBe('Variable $input of type HealthieCreateAppointmentInput! was provided invalid value.');
  });

  it('withholds free text however it is written, and templates naming what the request does not hold', () => {
    for (const message of [
      'email jane at example dot com is taken',
      'start_date must be a date (YYYY-MM-DD)',
      'provider jane roe is busy',
      "Argument 'janeRoe' on Field 'user' has an invalid value. Expected type 'ID'.",
      "Argument 'id' on Field 'janeRoe' has an invalid value. Expected type 'ID'.",
      "Field 'user' doesn't accept argument 'jane_roe_1990'",
      `Argument 'id' on Field 'user' has an invalid value. Expected type 'ID'. jane@example.com`,
    ]) {
      expect(kept(message), message).toBe(GENERIC_FIELD_MESSAGE);
    }
    expect(translateErrors([{ message: 'Variable $janeRoe of type ID was provided invalid value' }], withVariables).fatal?.message).not.toContain('jane');
    expect(translateErrors([{ message: 'Variable $id of type String was provided invalid value' }], withVariables).fatal?.message).not.toContain('Variable');
  });

  it('drops an expected type the request does not name', () => {
    expect(kept("Argument 'id' on Field 'user' has an invalid value. Expected type 'JaneRoe'.")).toBe("Argument 'id' on Field 'healthieUser' has an invalid value.");
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
    const errors = Array.from({ length: 1000 }, () => ({ message: 'Jane', path: ['u', 'id'], extensions: { code: 'NOT_FOUND' } }));
    const { fieldErrors, dropped } = translateErrors(errors, operation);
    expect(fieldErrors).toHaveLength(MAX_UPSTREAM_ERRORS);
    expect(dropped).toBe(1000 - MAX_UPSTREAM_ERRORS);
    expect(fieldErrors.every((e) => e.message === GENERIC_FIELD_MESSAGE && e.extensions.code === 'UPSTREAM_ERROR' && e.extensions.healthieCode === 'NOT_FOUND')).toBe(true);
  });

  it('makes an error on no (allowed) field fatal for the request, its text withheld', () => {
    const { fatal, fieldErrors } = translateErrors([{ message: 'Jane Roe', path: ['secret_field'] }], operation);
    expect(fieldErrors).toEqual([]);
    expect(fatal?.extensions.code).toBe('UPSTREAM_ERROR');
    expect(fatal?.message).not.toContain('Jane');
  });

  it('drops a healthieCode that is not one Healthie or graphql-ruby sends, however code-like, and survives errors that are not objects', () => {
    for (const code of ['Jane Roe <jane@example.com>', 'janeRoe_1990-02-03', 'JANE_ROE', 'X']) {
      const { fieldErrors } = translateErrors([{ message: 'x', path: ['u'], extensions: { code } }], operation);
      expect(fieldErrors[0]!.extensions, code).toEqual({ code: 'UPSTREAM_ERROR' });
    }
    expect(translateErrors([null as never, 5 as never], operation).fatal?.extensions.code).toBe('UPSTREAM_ERROR');
  });
});

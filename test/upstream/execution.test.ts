/**
 * The rule that tells "Healthie certainly did not run this request" from "it may have": only the
 * form of the answer counts (its status, and whether a GraphQL response has a `data` entry),
 * never its wording or codes. Through the client and real HTTP: test/upstream/client-sent.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { certainlyNotExecuted } from '../../src/upstream/execution.js';
import { graphQLResponse } from '../../src/upstream/response-body.js';

const refusal = { errors: [{ message: 'x', extensions: { code: 'TOO_MANY_REQUESTS' } }] };
const read = (body: unknown) => graphQLResponse(typeof body === 'string' ? body : JSON.stringify(body));

describe('whether an answer proves Healthie ran nothing', () => {
  const NOT_RUN: Array<[string, number, unknown]> = [
    ['HTTP 401 whatever its body', 401, '<html>'],
    ['HTTP 403 whatever its body', 403, { data: { createAppointment: null } }],
    ['HTTP 429 whatever its body', 429, ''],
    ['HTTP 200 with errors and no data', 200, refusal],
    ['HTTP 204 with errors and no data', 204, refusal],
    ['HTTP 400 with errors and no data', 400, { errors: [{ message: 'parse error' }] }],
    ['HTTP 499 with errors and no data', 499, { errors: [{ message: 'x' }] }],
  ];
  for (const [name, status, body] of NOT_RUN) {
    it(`says so for ${name}`, () => expect(certainlyNotExecuted(status, read(body))).toBe(true));
  }

  const MAY_HAVE_RUN: Array<[string, number, unknown]> = [
    ['data: null beside errors', 200, { data: null, errors: refusal.errors }],
    ['data beside errors', 200, { data: { createAppointment: null }, errors: refusal.errors }],
    ['data and no errors', 200, { data: {} }],
    ['a body that is not a GraphQL response', 200, '{"errors": {}}'],
    ['a body that is not JSON', 400, 'Bad Request'],
    ['an empty errors list without data', 200, { errors: [] }],
    ['HTTP 500 with errors and no data', 500, refusal],
    ['HTTP 502 with errors and no data', 502, refusal],
    ['HTTP 504 with errors and no data', 504, refusal],
    ['HTTP 302 with errors and no data', 302, refusal],
    ['HTTP 100 with errors and no data', 100, refusal],
  ];
  for (const [name, status, body] of MAY_HAVE_RUN) {
    it(`does not for ${name}`, () => expect(certainlyNotExecuted(status, read(body))).toBe(false));
  }
});

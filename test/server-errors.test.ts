/**
 * Malformed HTTP requests keep request codes (BAD_REQUEST, PERSISTED_QUERY_*), never a masked
 * INTERNAL_SERVER_ERROR, and reach nothing upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';

const json = { 'content-type': 'application/json' };
const HASH = 'a'.repeat(64);

const CASES: Array<[string, RequestInit, string, string?]> = [
  ['an unknown persisted query', { method: 'POST', headers: json, body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }) }, 'PERSISTED_QUERY_NOT_FOUND'],
  ['a persisted-query hash that does not match', { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }) }, 'BAD_REQUEST'],
  ['an unsupported persisted-query version', { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 2, sha256Hash: HASH } } }) }, 'BAD_REQUEST'],
  ['a body that is not JSON', { method: 'POST', headers: json, body: '{nope' }, 'BAD_REQUEST'],
  ['a body that is not UTF-8', { method: 'POST', headers: json, body: Buffer.from([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x7d]) }, 'BAD_REQUEST'],
  ['a latin1 charset', { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{"query":"{ __typename }"}' }, 'BAD_REQUEST'],
  ['a body claiming gzip that is not', { method: 'POST', headers: { ...json, 'content-encoding': 'gzip' }, body: '{"query":"{ __typename }"}' }, 'BAD_REQUEST', 'uncompressed'],
  ['an unknown content encoding', { method: 'POST', headers: { ...json, 'content-encoding': 'br2' }, body: '{"query":"{ __typename }"}' }, 'BAD_REQUEST'],
  ['a query that is not a string', { method: 'POST', headers: json, body: JSON.stringify({ query: 5 }) }, 'BAD_REQUEST'],
  ['variables as a string', { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __typename }', variables: 'x' }) }, 'BAD_REQUEST'],
  ['a batch', { method: 'POST', headers: json, body: JSON.stringify([{ query: '{ __typename }' }]) }, 'BAD_REQUEST'],
  ['an empty body', { method: 'POST', headers: json, body: '' }, 'BAD_REQUEST'],
  ['a text/plain body (CSRF)', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' }, 'BAD_REQUEST'],
  ['PUT', { method: 'PUT', headers: json, body: '{"query":"{ __typename }"}' }, 'BAD_REQUEST'],
];

describe('malformed HTTP requests', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  for (const [name, init, code, wording] of CASES) {
    it(`answers ${name} with ${code}`, async () => {
      stack.sandbox.clearRequests();
      const response = await fetch(stack.url, init);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]!.extensions.code).toBe(code);
      expect(body.errors[0]!.message).not.toMatch(/^Internal server error/);
      if (wording) expect(body.errors[0]!.message).toContain(wording);
      expect(response.status).toBeLessThan(500);
      expect(stack.sandbox.requests).toHaveLength(0);
    });
  }
});

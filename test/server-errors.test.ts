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
  ['a body claiming gzip that is not', { method: 'POST', headers: { ...json, 'content-encoding': 'gzip' }, body: '{"query":"{ __typename }"}' }, 'BAD_REQUEST', 'did not decompress'],
  ['an unknown content encoding', { method: 'POST', headers: { ...json, 'content-encoding': 'br2' }, body: '{"query":"{ __typename }"}' }, 'BAD_REQUEST', 'not accepted'],
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

describe('JSON bodies in a charset other than UTF-8', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  const OPERATION = '{"query":"{ __typename }"}';
  /** Content-Type charset parameters, and the body as that charset would encode it (UTF-8 where Node has no encoder). */
  const REFUSED: Array<[string, Buffer]> = [
    ['utf-16', Buffer.from(OPERATION, 'utf16le')],
    ['UTF-16LE', Buffer.from(OPERATION, 'utf16le')],
    ['"utf-16le"', Buffer.from(OPERATION, 'utf16le')],
    ['utf-16be', Buffer.from(OPERATION, 'utf16le').swap16()],
    ['utf-32', Buffer.from(OPERATION)],
    ['"UTF-32BE"', Buffer.from(OPERATION)],
    ['utf-7', Buffer.from(OPERATION)],
    ['latin1', Buffer.from(OPERATION, 'latin1')],
    ['iso-8859-1', Buffer.from(OPERATION, 'latin1')],
    ['us-ascii', Buffer.from(OPERATION, 'ascii')],
    ['utf8', Buffer.from(OPERATION)],
    ['utf-nonsense', Buffer.from(OPERATION)],
  ];

  it('refuses every charset but UTF-8 with HTTP 415 and BAD_REQUEST, naming the charset to send, before anything reaches Healthie', async () => {
    for (const [charset, body] of REFUSED.flatMap(([charset, encoded]) => [[charset, encoded], [charset, Buffer.from(OPERATION)]] as const)) {
      stack.sandbox.clearRequests();
      const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': `application/json; charset=${charset}` }, body });
      const answer = (await response.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(response.status, charset).toBe(415);
      expect(answer.errors, charset).toHaveLength(1);
      expect(answer.errors[0]!.extensions, charset).toEqual({ code: 'BAD_REQUEST' });
      expect(answer.errors[0]!.message, charset).toContain('Request body must be UTF-8 JSON');
      expect(answer.errors[0]!.message, charset).toContain(`not charset "${charset.replaceAll('"', '').toLowerCase()}": send Content-Type: application/json; charset=utf-8, or no charset.`);
      expect(stack.sandbox.requests, charset).toHaveLength(0);
    }
  });

  it('reads a UTF-8 body whatever the case or quoting of its charset, or without one', async () => {
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json;charset="Utf-8"']) {
      const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': contentType }, body: OPERATION });
      expect(response.status, contentType).toBe(200);
      expect(await response.json(), contentType).toEqual({ data: { __typename: 'Query' } });
    }
  });
});

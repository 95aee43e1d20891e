/**
 * A client's mistake is logged as the client's: the request line carries exactly the codes the
 * client received, and nothing is logged at error level, which is kept for this server's bugs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

const HASH = 'a'.repeat(64);

const CASES: Array<[string, unknown]> = [
  ['a persisted-query hash that does not match its query', { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }],
  ['an unsupported persisted-query version', { query: '{ __typename }', extensions: { persistedQuery: { version: 2, sha256Hash: HASH } } }],
];

describe('persisted-query mistakes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  for (const [name, body] of CASES) {
    it(`logs ${name} as the BAD_REQUEST the client received, with no error-level line`, async () => {
      const from = stack.logs.length;
      const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(answer.errors.map((error) => error.extensions.code)).toEqual(['BAD_REQUEST']);
      const lines = stack.logs.slice(from).map((line) => JSON.parse(line) as Record<string, any>);
      expect(lines.filter((line) => line.level === 'error')).toEqual([]);
      expect(lines.filter((line) => line.msg === 'graphql request')).toMatchObject([{ errorCodes: ['BAD_REQUEST'], requestId: response.headers.get('x-request-id') }]);
    });
  }
});

describe('an operation name built to fill the log', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('logs only the first 100 characters of a 240,000-character name, and its length', async () => {
    const name = `Q${'a'.repeat(239_999)}`;
    const from = stack.logs.length;
    const response = await stack.query(`query ${name} { __typename }`);
    expect(response.status).toBe(200);
    const lines = stack.logs.slice(from);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(1_000);
    const request = lines.map((line) => JSON.parse(line) as Record<string, any>).find((line) => line.msg === 'graphql request');
    expect(request?.operationName).toBe(`${name.slice(0, 100)}… (240000 characters)`);
  });
});

/**
 * Missing and rejected credentials: UNAUTHENTICATED, and no secret in any response or log line.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, SECOND_API_KEY, SHARDED_API_KEY, SHARDED_SHARD_ID } from '../src/sandbox/index.js';
import { startStack, type Stack } from './helpers/stack.js';

const WHO = '{ healthieCurrentUser { id } }';

describe('credential failures', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('fails with UNAUTHENTICATED and sends nothing upstream when no key is known', async () => {
    const result = await stack.query(WHO);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.body.errors?.[0]?.message).toContain('x-healthie-api-key');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('fails with UNAUTHENTICATED and a hint when Healthie rejects the key', async () => {
    const badKey = 'not-a-real-key-0123456789';
    const result = await stack.query(WHO, {}, { 'x-healthie-api-key': badKey });
    const error = result.body.errors?.[0];
    expect(error?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(error?.message).toMatch(/active/);
    expect(error?.message).toMatch(/shard/);
    expect(JSON.stringify(result.body)).not.toContain(badKey);
    expect(stack.logs.join('')).not.toContain(badKey);
  });

  it('fails with UNAUTHENTICATED when a sharded key is sent without its shard', async () => {
    const result = await stack.query(WHO, {}, { 'x-healthie-api-key': SHARDED_API_KEY });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.sandbox.requests).toHaveLength(1);
  });

  it('never writes keys, shard ids, variables or response data to the log', async () => {
    const before = stack.logs.length;
    await stack.query(
      'query Lookup($kw: String) { healthieUsers(keywords: $kw) { nodes { firstName email } } }',
      { kw: 'Maple' },
      { 'x-healthie-api-key': DEMO_API_KEY },
    );
    await stack.query(WHO, {}, { 'x-healthie-api-key': SHARDED_API_KEY, 'x-healthie-shard': SHARDED_SHARD_ID });
    const lines = stack.logs.slice(before);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const text = lines.join('');
    for (const secret of [DEMO_API_KEY, SHARDED_API_KEY, SHARDED_SHARD_ID, 'Maple', '@example.com']) {
      expect(text).not.toContain(secret);
    }
    const requestLine = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'graphql request' && l.operationName === 'Lookup');
    expect(requestLine).toMatchObject({ operationType: 'query', errorCodes: [] });
    expect(requestLine.requestId).toEqual(expect.any(String));
  });
});

describe('ambiguous credential headers', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A server-level key of another tenant: a mistaken fallback would show up as its data.
    stack = await startStack({ env: { HEALTHIE_API_KEY: SECOND_API_KEY } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  /** Sends raw header lines, so a header can be repeated. */
  async function withHeaders(headers: Array<[string, string]>) {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: new Headers([['content-type', 'application/json'], ...headers]),
      body: JSON.stringify({ query: WHO }),
    });
    return (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  }

  for (const [name, headers, expected] of [
    ['an empty key header', [['x-healthie-api-key', '  ']], /empty/],
    // fetch joins repeated headers into one "a, b" value, as many proxies do.
    ['a key header sent twice', [['x-healthie-api-key', DEMO_API_KEY], ['x-healthie-api-key', SHARDED_API_KEY]], /2 times|characters/],
    ['a key with a space inside', [['x-healthie-api-key', 'abc def']], /characters/],
    ['an empty shard header', [['x-healthie-api-key', DEMO_API_KEY], ['x-healthie-shard', '']], /empty/],
    ['a shard without a key', [['x-healthie-shard', SHARDED_SHARD_ID]], /without x-healthie-api-key/],
  ] as Array<[string, Array<[string, string]>, RegExp]>) {
    it(`refuses ${name} instead of falling back to the server's key`, async () => {
      const body = await withHeaders(headers);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.errors?.[0]?.message).toMatch(expected);
      expect(JSON.stringify(body)).not.toContain(DEMO_API_KEY);
      expect(stack.sandbox.requests).toHaveLength(0);
    });
  }
});

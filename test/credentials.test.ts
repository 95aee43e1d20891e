/**
 * Which credentials an upstream request carries: the request's own, else the server's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, SECOND_API_KEY, SHARDED_API_KEY, SHARDED_SHARD_ID } from '../src/sandbox/index.js';
import { startStack, type Stack } from './helpers/stack.js';

const WHO = '{ healthieCurrentUser { id organization { name } } }';
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('upstream credentials', () => {
  it("sends the request's x-healthie-api-key, not the server-level key", async () => {
    stack = await startStack({ env: { HEALTHIE_API_KEY: SECOND_API_KEY } });
    const result = await stack.query(WHO, {}, { 'x-healthie-api-key': DEMO_API_KEY });
    expect(result.body.errors).toBeUndefined();
    expect(stack.sandbox.requests).toHaveLength(1);
    const headers = stack.sandbox.requests[0]!.headers;
    expect(headers.authorization).toBe(`Basic ${DEMO_API_KEY}`);
    expect(headers.authorizationsource).toBe('API');
    expect(headers.authorizationshard).toBeUndefined();
  });

  it('falls back to the server-level key when the request has none', async () => {
    stack = await startStack({ env: { HEALTHIE_API_KEY: SECOND_API_KEY } });
    const result = await stack.query(WHO);
    expect(result.body.errors).toBeUndefined();
    expect(stack.sandbox.requests[0]!.headers.authorization).toBe(`Basic ${SECOND_API_KEY}`);
    expect(stack.sandbox.requests[0]!.headers.authorizationshard).toBeUndefined();
  });

  it("sends AuthorizationShard with the request's shard and reaches the sharded account", async () => {
    stack = await startStack();
    const result = await stack.query(WHO, {}, { 'x-healthie-api-key': SHARDED_API_KEY, 'x-healthie-shard': SHARDED_SHARD_ID });
    expect(result.body.errors).toBeUndefined();
    expect(stack.sandbox.requests[0]!.headers.authorizationshard).toBe(SHARDED_SHARD_ID);
    expect(stack.sandbox.requests[0]!.account).toBe('sharded');
  });

  it('sends the server-level shard with the server-level key', async () => {
    stack = await startStack({ env: { HEALTHIE_API_KEY: SHARDED_API_KEY, HEALTHIE_SHARD: SHARDED_SHARD_ID } });
    const result = await stack.query(WHO);
    expect(result.body.errors).toBeUndefined();
    expect(stack.sandbox.requests[0]!.headers).toMatchObject({
      authorization: `Basic ${SHARDED_API_KEY}`,
      authorizationsource: 'API',
      authorizationshard: SHARDED_SHARD_ID,
    });
  });

  it("never pairs a request's own key with the server-level shard", async () => {
    stack = await startStack({ env: { HEALTHIE_API_KEY: SHARDED_API_KEY, HEALTHIE_SHARD: SHARDED_SHARD_ID } });
    const result = await stack.query(WHO, {}, { 'x-healthie-api-key': DEMO_API_KEY });
    expect(result.body.errors).toBeUndefined();
    expect(stack.sandbox.requests[0]!.headers.authorization).toBe(`Basic ${DEMO_API_KEY}`);
    expect(stack.sandbox.requests[0]!.headers.authorizationshard).toBeUndefined();
  });

  it('sends Healthie-GraphQL-API-Version: 2026-01-01, the version the schema was built for, whether or not HEALTHIE_API_VERSION confirms it', async () => {
    for (const env of [{}, { HEALTHIE_API_VERSION: '2026-01-01' }] as Array<Record<string, string>>) {
      stack = await startStack({ env });
      await stack.query(WHO, {}, { 'x-healthie-api-key': DEMO_API_KEY });
      expect(stack.sandbox.requests[0]!.headers['healthie-graphql-api-version']).toBe('2026-01-01');
      await stack.close();
    }
    stack = await startStack();
  });
});

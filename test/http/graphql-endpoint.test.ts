/**
 * `/graphql` is served by a plain Node handler in front of Apollo Server: it must keep what the
 * Express route did (GET operations, compressed bodies, CORS for Apollo Sandbox only) and nothing
 * else may reach Apollo through it.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { isGraphQLPath } from '../../src/http/graphql-endpoint.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('the /graphql endpoint', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('answers a GET operation that carries a CSRF-safe header, with the request key', async () => {
    const query = encodeURIComponent('{ healthieCurrentUser { id } }');
    const response = await fetch(`${stack.url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true', 'x-healthie-api-key': DEMO_API_KEY } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { healthieCurrentUser: { id: string } } };
    expect(body.data.healthieCurrentUser.id).toEqual(expect.any(String));
    expect(stack.sandbox.requests.at(-1)!.headers.authorization).toBe(`Basic ${DEMO_API_KEY}`);
  });

  it('refuses a GET operation without a CSRF-safe header, sending nothing to Healthie', async () => {
    stack.sandbox.clearRequests();
    const query = encodeURIComponent('{ healthieCurrentUser { id } }');
    const response = await fetch(`${stack.url}?query=${query}`, { headers: { 'x-healthie-api-key': DEMO_API_KEY } });
    expect(response.status).toBe(400);
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('accepts a gzip-compressed body, as a router compressing subgraph requests sends it', async () => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-healthie-api-key': DEMO_API_KEY },
      body: gzipSync(JSON.stringify({ query: '{ healthieCurrentUser { id } }' })),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { healthieCurrentUser: { id: string } } }).data.healthieCurrentUser.id).toEqual(expect.any(String));
  });

  it('gives a request without Origin (the router) Vary: Origin and no CORS grant', async () => {
    const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.headers.get('vary')).toMatch(/Origin/);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks answers as not cacheable, since they carry patient data', async () => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-healthie-api-key': DEMO_API_KEY },
      body: JSON.stringify({ query: '{ healthieCurrentUser { id } }' }),
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers paths below /graphql with a JSON 404, not with Apollo', async () => {
    stack.sandbox.clearRequests();
    const response = await fetch(`${stack.url}/extra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('recognises /graphql exactly, with a query string or a trailing slash', () => {
    expect(['/graphql', '/graphql?query=x', '/graphql/'].map(isGraphQLPath)).toEqual([true, true, true]);
    expect(['/graphqlx', '/graphql/x', '/', '/healthz', undefined].map(isGraphQLPath)).toEqual([false, false, false, false, false]);
  });
});

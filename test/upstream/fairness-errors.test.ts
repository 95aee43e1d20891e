/**
 * Keys Healthie refused are remembered briefly: their next requests fail at once with
 * UNAUTHENTICATED and nothing is sent, so invalid keys cannot hold Healthie connections.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { RefusedKeys } from '../../src/upstream/fairness.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { rootKey, startUpstream, type Upstream } from '../helpers/upstream.js';

const READ = '{ healthieCurrentUser { id } }';

describe('refused keys over HTTP', () => {
  let upstream: Upstream;
  let stack: Stack;
  afterEach(async () => {
    await stack.close();
    await upstream.close();
  });

  const refusals: Array<[string, { status?: number; body: unknown }]> = [
    ['HTTP 401', { status: 401, body: { errors: [{ message: 'Unauthorized' }] } }],
    ['HTTP 403', { status: 403, body: {} }],
    ["Healthie's refused-key answer", { body: { data: null, errors: [{ message: 'API key is not authorized' }] } }],
  ];
  for (const [name, refusal] of refusals) {
    it(`fails the next requests of a key refused with ${name} at once, sending nothing, while other keys are served`, async () => {
      upstream = await startUpstream();
      stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_RETRIES: '0' } });
      upstream.setReply((request) => (request.headers.authorization === 'Basic revoked-key' ? refusal : undefined));
      const revoked = { 'x-healthie-api-key': 'revoked-key' };
      expect((await stack.query(READ, {}, revoked)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(upstream.received).toHaveLength(1);

      const again = await Promise.all(Array.from({ length: 20 }, () => stack.query(READ, {}, revoked)));
      for (const result of again) {
        expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', limit: 'refused_key' });
        expect(result.body.errors?.[0]?.message).toMatch(/nothing was sent/);
      }
      expect(upstream.received).toHaveLength(1);
      // Another key is unaffected.
      expect((await stack.query(READ, {}, { 'x-healthie-api-key': 'good-key' })).body.errors).toBeUndefined();
      expect(upstream.received).toHaveLength(2);
      expect(stack.logs.join('\n')).not.toContain('revoked-key');
    });
  }

  it('does not remember a key for an UNAUTHENTICATED error on one field, which is about that field', async () => {
    upstream = await startUpstream();
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_RETRIES: '0' } });
    const key = { 'x-healthie-api-key': 'field-key' };
    upstream.setReply((request) => {
      const field = rootKey(request);
      return { body: { data: { [field]: null }, errors: [{ message: 'Not authorized', path: [field], extensions: { code: 'UNAUTHENTICATED' } }] } };
    });
    const refused = await stack.query(READ, {}, key);
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_ERROR']);
    expect(refused.body.errors?.[0]?.extensions?.healthieCode).toBe('UNAUTHENTICATED');
    upstream.setReply(undefined);
    expect((await stack.query(READ, {}, key)).body.errors).toBeUndefined();
    expect(upstream.received).toHaveLength(2);
  });

  it('does not remember a key for answers that are not refusals (rate limits, 5xx)', async () => {
    upstream = await startUpstream();
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_RETRIES: '0' } });
    const key = { 'x-healthie-api-key': 'busy-key' };
    upstream.setReply(() => ({ status: 429, body: {} }));
    expect((await stack.query(READ, {}, key)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_RATE_LIMITED');
    upstream.setReply(() => ({ status: 500, body: {} }));
    expect((await stack.query(READ, {}, key)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    upstream.setReply(undefined);
    expect((await stack.query(READ, {}, key)).body.errors).toBeUndefined();
    expect(upstream.received).toHaveLength(3);
  });
});

describe('refused keys: what a client cannot fake', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  // A client chooses its variables' names and its arguments' values, and Healthie quotes both in
  // its errors: words such as "api key" there must not pass for Healthie refusing the key, or any
  // caller could lock a whole tenant out.
  const tricks: Array<[string, string, Record<string, unknown>]> = [
    ['an argument value', '{ healthieAppointments(startDate: "api key", first: 1) { totalCount } }', {}],
    ['another argument value', '{ healthieAppointments(startDate: "unauthorized", first: 1) { totalCount } }', {}],
    ['a variable name', 'query($authorization: HealthieISO8601DateTime) { healthieAppointments(startDate: $authorization, first: 1) { totalCount } }', { authorization: 'soon' }],
    ['a variable name and value', 'query($apiKey: HealthieISO8601DateTime) { healthieAppointments(startDate: $apiKey, first: 1) { totalCount } }', { apiKey: 'not authenticated' }],
  ];
  for (const [what, query, variables] of tricks) {
    it(`does not take auth words in ${what} that Healthie quotes for a refused key, and keeps serving the key`, async () => {
      stack = await startStack();
      const key = { 'x-healthie-api-key': DEMO_API_KEY };
      const tricked = await stack.query(query, variables, key);
      expect(tricked.body.errors?.length).toBeGreaterThan(0);
      expect(tricked.body.errors?.map((e) => e.extensions?.code)).not.toContain('UNAUTHENTICATED');
      const next = await stack.query(READ, {}, key);
      expect(next.body.errors).toBeUndefined();
      expect(next.body.data?.healthieCurrentUser).toBeTruthy();
    });
  }
});

describe('RefusedKeys', () => {
  it('holds at most its bound, forgetting the least recently refused key first', () => {
    const refused = new RefusedKeys(60_000, 2);
    for (const tenant of ['a', 'b', 'c']) refused.remember(tenant);
    expect(['a', 'b', 'c'].map((t) => refused.has(t))).toEqual([false, true, true]);
  });

  it('forgets a key after its time, so a key fixed at Healthie works again', async () => {
    const refused = new RefusedKeys(30);
    refused.remember('k');
    expect(refused.has('k')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(refused.has('k')).toBe(false);
  });
});

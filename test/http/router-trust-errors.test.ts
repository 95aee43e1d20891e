/**
 * Router trust refusals: a missing, wrong or repeated router secret gets 401 UNAUTHENTICATED and
 * a Host that is neither loopback nor listed gets 403 FORBIDDEN; neither reaches Healthie.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import { AUTH, sendRaw } from '../booking/helpers.js';

const SECRET = 'router-secret-for-tests-0123456789abcdef';
const READ = { query: '{ healthieCurrentUser { id } }' };

describe('with ROUTER_SECRET set', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ROUTER_SECRET: SECRET, HEALTHIE_ALLOW_SCHEDULING: 'true' } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  const attempts: Array<[string, Array<[string, string]>]> = [
    ['no secret', []],
    ['a wrong secret', [['router-authorization', 'router-secret-for-tests-0123456789abcdeX']]],
    ['a prefix of the secret', [['router-authorization', SECRET.slice(0, -1)]]],
    ['the secret with a suffix', [['router-authorization', `${SECRET}x`]]],
    ['an empty secret', [['router-authorization', '']]],
    ['the secret as a Bearer token', [['router-authorization', `Bearer ${SECRET}`]]],
    ['the secret twice', [['router-authorization', SECRET], ['router-authorization', SECRET]]],
    ['the secret in Authorization instead', [['authorization', SECRET]]],
  ];
  for (const [name, headers] of attempts) {
    it(`refuses ${name} with 401 UNAUTHENTICATED and no Healthie request`, async () => {
      const result = await sendRaw(stack.url, [['x-healthie-api-key', AUTH['x-healthie-api-key']], ...headers], READ);
      expect(result.status).toBe(401);
      expect(result.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
      expect(result.body.errors[0].message).toContain('router-authorization');
      expect(stack.sandbox.requests).toHaveLength(0);
    });
  }

  it('refuses a booking without the secret before the booking rules even run', async () => {
    const result = await sendRaw(stack.url, [['x-healthie-api-key', AUTH['x-healthie-api-key']], ['idempotency-key', 'k']], {
      query: 'mutation { healthieCreateAppointment(input: {}) { messages { field } } }',
    });
    expect(result.status).toBe(401);
    expect(stack.sandbox.requests).toHaveLength(0);
  });
});

describe('the Host check outside production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ALLOWED_HOSTS: 'healthie.internal' } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  for (const host of ['attacker.example', 'attacker.example:4001', 'localhost.attacker.example', '127.0.0.1.nip.io', 'healthie.internal.attacker.example', '']) {
    it(`refuses Host "${host}" (DNS rebinding) with 403 FORBIDDEN and no Healthie request`, async () => {
      const result = await sendRaw(stack.url, [['host', host], ['x-healthie-api-key', AUTH['x-healthie-api-key']]], READ);
      expect(result.status).toBe(403);
      expect(result.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(result.body.errors[0].message).toContain('ALLOWED_HOSTS');
      expect(stack.sandbox.requests).toHaveLength(0);
    });
  }
});

describe('the Host check in production with ALLOWED_HOSTS', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: 'production', ALLOWED_HOSTS: 'healthie.internal' } });
  });
  afterAll(() => stack.close());

  it('refuses an unlisted Host and accepts a listed one', async () => {
    const refused = await sendRaw(stack.url, [['host', 'attacker.example'], ['x-healthie-api-key', AUTH['x-healthie-api-key']]], READ);
    expect(refused.status).toBe(403);
    const accepted = await sendRaw(stack.url, [['host', 'healthie.internal'], ['x-healthie-api-key', AUTH['x-healthie-api-key']]], READ);
    expect(accepted.status).toBe(200);
  });
});

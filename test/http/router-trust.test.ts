/**
 * Router trust on the happy path: the router's secret opens /graphql, health probes need none,
 * and loopback names or ALLOWED_HOSTS pass the Host check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostName, isLoopbackName } from '../../src/http/router-trust.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { AUTH, sendRaw } from '../booking/helpers.js';

const SECRET = 'router-secret-for-tests-0123456789abcdef';
const READ = { query: '{ healthieCurrentUser { id } }' };

describe('with ROUTER_SECRET set', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ROUTER_SECRET: SECRET, ALLOWED_HOSTS: 'healthie.internal, 10.0.0.7' } });
  });
  afterAll(() => stack.close());

  it('answers a request carrying router-authorization', async () => {
    const result = await stack.query(READ.query, {}, { ...AUTH, 'router-authorization': SECRET });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieCurrentUser.id).toEqual(expect.any(String));
  });

  it('keeps /healthz and /readyz open without the secret', async () => {
    const base = stack.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('accepts the names in ALLOWED_HOSTS, with or without a port, in any case', async () => {
    for (const host of ['healthie.internal', 'Healthie.Internal:4001', '10.0.0.7:80']) {
      const result = await sendRaw(stack.url, [['host', host], ['x-healthie-api-key', AUTH['x-healthie-api-key']], ['router-authorization', SECRET]], READ);
      expect(result.status, host).toBe(200);
    }
  });
});

describe('loopback names', () => {
  it('are recognised with and without ports, IPv4 and IPv6', () => {
    for (const host of ['localhost', 'LOCALHOST:4001', '127.0.0.1:4001', '127.1.2.3', '[::1]:4001', 'api.localhost']) {
      expect(isLoopbackName(hostName(host)), host).toBe(true);
    }
    for (const host of ['localhost.evil.example', '127.0.0.1.nip.io', '0.0.0.0', '[::ffff:127.0.0.1]', '']) {
      expect(isLoopbackName(hostName(host)), host).toBe(false);
    }
  });
});

describe('in production without ALLOWED_HOSTS', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: 'production', ROUTER_SECRET: SECRET } });
  });
  afterAll(() => stack.close());

  it('accepts any Host, as a service behind the router is reached by names only the platform knows', async () => {
    const result = await sendRaw(stack.url, [['host', 'healthie-subgraph.prod.svc.cluster.local:4001'], ['x-healthie-api-key', AUTH['x-healthie-api-key']], ['router-authorization', SECRET]], READ);
    expect(result.status).toBe(200);
    expect(result.body.data.healthieCurrentUser.id).toEqual(expect.any(String));
  });
});

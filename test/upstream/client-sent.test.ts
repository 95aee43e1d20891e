/**
 * Whether a failed request may have reached Healthie: `mayHaveReachedHealthie` is false only when
 * Healthie certainly never received it, which is what makes a booking safe to send again; and
 * whether Healthie may have run it: `mayHaveExecuted` is also false when its answer proves it ran
 * nothing (src/upstream/execution.ts).
 */
import { createServer } from 'node:net';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createHealthieClient, mayHaveExecuted, mayHaveReachedHealthie, type HealthieClient } from '../../src/upstream/client.js';
import { BREAKER_MIN_CALLS } from '../../src/upstream/resilience.js';
import { VersionMonitor } from '../../src/upstream/version.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const logger = createLogger({ level: 'silent' });
const context = { requestId: 'r', logger, credentials: { credentials: { apiKey: 'k' } } };
const BOOK = parse('mutation { createAppointment(input: { user_id: "1" }) { messages { field } } }');

async function closedPortUrl(): Promise<string> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}/graphql`;
}

describe('sent or not sent', () => {
  let client: HealthieClient | undefined;
  let upstream: Upstream | undefined;
  afterEach(async () => {
    await client?.close();
    await upstream?.close();
    client = undefined;
    upstream = undefined;
  });
  const book = () => Promise.resolve(client!.executor({ document: BOOK, operationType: 'mutation' as never, context } as never)).catch((e: unknown) => e);

  it('a booking that timed out may have reached Healthie', async () => {
    upstream = await startUpstream();
    upstream.setReply(() => 'hang');
    client = createHealthieClient({ url: upstream.url, timeoutMs: 200, apiVersion: '2026-01-01' });
    const error = await book();
    expect(error).toMatchObject({ extensions: { code: 'UPSTREAM_TIMEOUT' } });
    expect(mayHaveReachedHealthie(error)).toBe(true);
  });

  it('a booking answered with a 5xx may have reached Healthie', async () => {
    upstream = await startUpstream();
    upstream.setReply(() => ({ status: 502, body: '' }));
    client = createHealthieClient({ url: upstream.url, timeoutMs: 2000, apiVersion: '2026-01-01' });
    expect(mayHaveReachedHealthie(await book())).toBe(true);
    expect(upstream.received).toHaveLength(1);
  });

  it('a booking whose connection was refused did not reach Healthie', async () => {
    client = createHealthieClient({ url: await closedPortUrl(), timeoutMs: 2000, apiVersion: '2026-01-01' });
    const error = await book();
    expect(error).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(mayHaveReachedHealthie(error)).toBe(false);
  });

  it('a booking refused by the open breaker did not reach Healthie', async () => {
    upstream = await startUpstream();
    upstream.setReply(() => ({ status: 500, body: '' }));
    client = createHealthieClient({ url: upstream.url, timeoutMs: 2000, retries: 0, apiVersion: '2026-01-01' });
    for (let i = 0; i < BREAKER_MIN_CALLS; i += 1) await book();
    const error = await book();
    expect(error).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', breaker: 'open' } });
    expect(mayHaveReachedHealthie(error)).toBe(false);
    expect(upstream.received).toHaveLength(BREAKER_MIN_CALLS);
  });

  it('an error the client did not make counts as "may have reached" and "may have run"', () => {
    expect(mayHaveReachedHealthie(new Error('anything'))).toBe(true);
    expect(mayHaveExecuted(new Error('anything'))).toBe(true);
  });

  it('a booking whose connection was refused was not run either', async () => {
    client = createHealthieClient({ url: await closedPortUrl(), timeoutMs: 2000, apiVersion: '2026-01-01' });
    expect(mayHaveExecuted(await book())).toBe(false);
  });

  const UNRUN: Array<[string, { status?: number; body: unknown }, string]> = [
    ['HTTP 401', { status: 401, body: '' }, 'UNAUTHENTICATED'],
    ['HTTP 403 with a body that is not JSON', { status: 403, body: '<html>forbidden</html>' }, 'UNAUTHENTICATED'],
    ['HTTP 429', { status: 429, body: '' }, 'UPSTREAM_RATE_LIMITED'],
    ['TOO_MANY_REQUESTS without data', { body: { errors: [{ message: 'Too many requests.', extensions: { code: 'TOO_MANY_REQUESTS' } }] } }, 'UPSTREAM_RATE_LIMITED'],
    ['UNSUPPORTED_API_VERSION without data', { body: { errors: [{ message: 'no', extensions: { code: 'UNSUPPORTED_API_VERSION' } }] } }, 'UPSTREAM_VERSION_UNSUPPORTED'],
    ['a validation error without data', { body: { errors: [{ message: "Field 'x' doesn't exist on type 'Mutation'" }] } }, 'UPSTREAM_ERROR'],
    ['HTTP 422 with an error and no data', { status: 422, body: { errors: [{ message: 'unprocessable' }] } }, 'UPSTREAM_BAD_RESPONSE'],
  ];
  for (const [name, reply, code] of UNRUN) {
    it(`a booking answered with ${name} reached Healthie but was not run`, async () => {
      upstream = await startUpstream();
      upstream.setReply(() => reply);
      client = createHealthieClient({ url: upstream.url, timeoutMs: 2000, retries: 0, apiVersion: '2026-01-01', version: new VersionMonitor({ apiVersion: '2026-01-01', logger }) });
      const error = await book();
      expect(error).toMatchObject({ extensions: { code } });
      expect(mayHaveReachedHealthie(error)).toBe(true);
      expect(mayHaveExecuted(error)).toBe(false);
    });
  }

  const MAY_HAVE_RUN: Array<[string, { status?: number; body: unknown }]> = [
    ['HTTP 502 with an error and no data', { status: 502, body: { errors: [{ message: 'bad gateway' }] } }],
    ['HTTP 504 with TOO_MANY_REQUESTS and no data', { status: 504, body: { errors: [{ message: 'x', extensions: { code: 'TOO_MANY_REQUESTS' } }] } }],
    ['HTTP 302 with an error and no data', { status: 302, body: { errors: [{ message: 'moved' }] } }],
    ['HTTP 400 with a body that is not a GraphQL response', { status: 400, body: 'bad request' }],
    ['HTTP 200 with a body that is not a GraphQL response', { body: '{"errors": "no"}' }],
    ['data: null beside TOO_MANY_REQUESTS', { body: { data: null, errors: [{ message: 'x', extensions: { code: 'TOO_MANY_REQUESTS' } }] } }],
    ['data: null beside an error of the whole request', { body: { data: null, errors: [{ message: 'x' }] } }],
    ['data beside an error coded UNAUTHENTICATED', { body: { data: { createAppointment: null }, errors: [{ message: 'x', extensions: { code: 'UNAUTHENTICATED' } }] } }],
    ['data beside UNSUPPORTED_API_VERSION', { body: { data: { createAppointment: null }, errors: [{ message: 'x', extensions: { code: 'UNSUPPORTED_API_VERSION' } }] } }],
    ['an empty errors list and no data', { body: { errors: [] } }],
  ];
  for (const [name, reply] of MAY_HAVE_RUN) {
    it(`a booking answered with ${name} may have been run`, async () => {
      upstream = await startUpstream();
      upstream.setReply(() => reply);
      client = createHealthieClient({ url: upstream.url, timeoutMs: 2000, retries: 0, apiVersion: '2026-01-01', version: new VersionMonitor({ apiVersion: '2026-01-01', logger }) });
      const error = await book();
      expect(mayHaveReachedHealthie(error)).toBe(true);
      expect(mayHaveExecuted(error)).toBe(true);
    });
  }

  it('a read refused for the rate without data is still retried', async () => {
    upstream = await startUpstream();
    upstream.setReply((_request, index) => (index === 0 ? { body: { errors: [{ message: 'x', extensions: { code: 'TOO_MANY_REQUESTS' } }] } } : { status: 429, body: '' }));
    client = createHealthieClient({ url: upstream.url, timeoutMs: 2000, retries: 2, apiVersion: '2026-01-01' });
    const read = parse('{ currentUser { id } }');
    const error = await Promise.resolve(client.executor({ document: read, operationType: 'query' as never, context } as never)).catch((e: unknown) => e);
    expect(error).toMatchObject({ extensions: { code: 'UPSTREAM_RATE_LIMITED' } });
    expect(upstream.received).toHaveLength(3);
  });
});

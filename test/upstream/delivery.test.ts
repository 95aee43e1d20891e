/**
 * The client tells a failure before sending (nothing reached Healthie, safe to send again) from
 * one that may have reached Healthie (a dropped connection after sending, a timeout, any answer).
 */
import { createServer } from 'node:net';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { DEMO_API_KEY, startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { createHealthieClient } from '../../src/upstream/client.js';
import { mayHaveReachedHealthie } from '../../src/upstream/delivery.js';
import { startFaultyUpstream, type FaultyUpstream } from '../helpers/faulty-upstream.js';

const context = { requestId: 'r', credentials: { credentials: { apiKey: DEMO_API_KEY } }, logger: createLogger({ level: 'silent' }) };
const document = parse('{ currentUser { id } }');

async function failureOf(url: string, timeoutMs = 1_000): Promise<unknown> {
  const client = createHealthieClient({ url, timeoutMs });
  try {
    await client.executor({ document, context } as never);
  } catch (error) {
    return error;
  } finally {
    await client.close();
  }
  throw new Error('expected the request to fail');
}

describe('whether a failed request may have reached Healthie', () => {
  let sandbox: StartedSandbox;
  let upstream: FaultyUpstream;
  beforeAll(async () => {
    sandbox = await startSandbox();
    upstream = await startFaultyUpstream(sandbox.url);
  });
  afterAll(async () => {
    await upstream.close();
    await sandbox.close();
  });

  it('is "no" when the connection is refused', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const error = await failureOf(`http://127.0.0.1:${port}/graphql`);
    expect((error as { extensions: { code: string } }).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(mayHaveReachedHealthie(error)).toBe(false);
  });

  it('is "no" when the request has no credentials and is never sent', async () => {
    const client = createHealthieClient({ url: sandbox.url, timeoutMs: 1_000 });
    sandbox.clearRequests();
    const error = await Promise.resolve(client.executor({ document, context: { ...context, credentials: { problem: 'none' } } } as never)).catch((e: unknown) => e);
    await client.close();
    expect(mayHaveReachedHealthie(error)).toBe(false);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('is "maybe" when the connection drops after the request was sent', async () => {
    upstream.inject('drop', /currentUser/);
    const error = await failureOf(upstream.url);
    expect(mayHaveReachedHealthie(error)).toBe(true);
  });

  it('is "maybe" when Healthie does not answer in time', async () => {
    upstream.inject('hang', /currentUser/);
    const error = await failureOf(upstream.url, 300);
    expect((error as { extensions: { code: string } }).extensions.code).toBe('UPSTREAM_TIMEOUT');
    expect(mayHaveReachedHealthie(error)).toBe(true);
  });

  it('is "maybe" for an error nobody marked, and follows wrapped errors', () => {
    expect(mayHaveReachedHealthie(new Error('unknown'))).toBe(true);
    expect(mayHaveReachedHealthie(undefined)).toBe(true);
  });
});

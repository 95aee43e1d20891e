/**
 * Whether a failed request may have reached Healthie: `mayHaveReachedHealthie` is false only when
 * Healthie certainly never received it, which is what makes a booking safe to send again.
 */
import { createServer } from 'node:net';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createHealthieClient, mayHaveReachedHealthie, type HealthieClient } from '../../src/upstream/client.js';
import { BREAKER_CONSECUTIVE_FAILURES } from '../../src/upstream/resilience.js';
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
    client = createHealthieClient({ url: upstream.url, timeoutMs: 200 });
    const error = await book();
    expect(error).toMatchObject({ extensions: { code: 'UPSTREAM_TIMEOUT' } });
    expect(mayHaveReachedHealthie(error)).toBe(true);
  });

  it('a booking answered with a 5xx may have reached Healthie', async () => {
    upstream = await startUpstream();
    upstream.setReply(() => ({ status: 502, body: '' }));
    client = createHealthieClient({ url: upstream.url, timeoutMs: 2000 });
    expect(mayHaveReachedHealthie(await book())).toBe(true);
    expect(upstream.received).toHaveLength(1);
  });

  it('a booking whose connection was refused did not reach Healthie', async () => {
    client = createHealthieClient({ url: await closedPortUrl(), timeoutMs: 2000 });
    const error = await book();
    expect(error).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(mayHaveReachedHealthie(error)).toBe(false);
  });

  it('a booking refused by the open breaker did not reach Healthie', async () => {
    upstream = await startUpstream();
    upstream.setReply(() => ({ status: 500, body: '' }));
    client = createHealthieClient({ url: upstream.url, timeoutMs: 2000, retries: 0 });
    for (let i = 0; i < BREAKER_CONSECUTIVE_FAILURES; i += 1) await book();
    const error = await book();
    expect(error).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', breaker: 'open' } });
    expect(mayHaveReachedHealthie(error)).toBe(false);
    expect(upstream.received).toHaveLength(BREAKER_CONSECUTIVE_FAILURES);
  });

  it('an error the client did not make counts as "may have reached"', () => {
    expect(mayHaveReachedHealthie(new Error('anything'))).toBe(true);
  });
});

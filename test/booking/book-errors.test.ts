/**
 * A booking that failed before anything reached Healthie says so: "nothing was sent" (or "the
 * booking was not sent"), with its stable code and without `bookingMayExist`, so a client may
 * simply retry it. Run against a planned and a delegating server, as bookings take one route in
 * both.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BREAKER_MIN_CALLS } from '../../src/upstream/resilience.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { BOOK, send, type HeadedResponse } from './helpers.js';

const INPUT = { userId: '1', otherPartyId: '2', appointmentTypeId: '3', contactType: 'Video Call', datetime: '2030-01-07 10:00:00 -0500' };
const READ = '{ healthieCurrentUser { id } }';

async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const bookings = (upstream: Upstream) => upstream.received.filter((request) => /\bcreateAppointment\b/.test(request.query)).length;

for (const planEnabled of ['true', 'false']) {
  describe(`a booking that was not sent (PLAN_ENABLED=${planEnabled})`, () => {
    let upstream: Upstream | undefined;
    let stack: Stack | undefined;
    afterEach(async () => {
      await stack?.close();
      await upstream?.close();
      stack = undefined;
      upstream = undefined;
    });
    const start = async (env: Record<string, string>, upstreamUrl?: string) => {
      stack = await startStack({ upstreamUrl: upstreamUrl ?? upstream!.url, env: { HEALTHIE_ALLOW_SCHEDULING: 'true', PLAN_ENABLED: planEnabled, ...env } });
      return stack;
    };

    function expectNotSent(result: HeadedResponse, code: string, message: RegExp) {
      expect(result.body.data?.healthieCreateAppointment ?? null).toBeNull();
      expect(result.body.errors, JSON.stringify(result.body)).toHaveLength(1);
      const [error] = result.body.errors!;
      expect(error!.extensions?.code).toBe(code);
      expect(error!.message).toMatch(message);
      expect(error!.message).not.toMatch(/may have been made/);
      expect(error!.extensions).not.toHaveProperty('bookingMayExist');
      const audits = stack!.logs.filter((line) => line.includes('"audit":"booking"')).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(audits).toEqual([expect.objectContaining({ outcome: 'error', code })]);
      expect(audits[0]).not.toHaveProperty('bookingMayExist');
    }

    it('says nothing was sent when no one listens at HEALTHIE_API_URL', async () => {
      await start({ HEALTHIE_RETRIES: '0' }, `http://127.0.0.1:${await closedPort()}/graphql`);
      for (const headers of [{}, { 'idempotency-key': 'refused-connection' }] as Array<Record<string, string>>) {
        stack!.logs.length = 0;
        const refused = await send(stack!.url, BOOK, { input: INPUT }, headers);
        expectNotSent(refused, 'UPSTREAM_UNAVAILABLE', /^Healthie could not be reached \(ECONNREFUSED\); nothing was sent\. Check HEALTHIE_API_URL and the network, then retry\.$/);
      }
    });

    it('says nothing was sent while the breaker is open', async () => {
      upstream = await startUpstream();
      await start({ HEALTHIE_RETRIES: '0' });
      upstream.setReply(() => ({ status: 500, body: '' }));
      for (let i = 0; i < BREAKER_MIN_CALLS; i += 1) await send(stack!.url, READ);
      stack!.logs.length = 0;
      const refused = await send(stack!.url, BOOK, { input: INPUT });
      expectNotSent(refused, 'UPSTREAM_UNAVAILABLE', /nothing was sent\. Retry later\.$/);
      expect(refused.body.errors![0]!.extensions).toMatchObject({ breaker: 'open' });
      expect(bookings(upstream)).toBe(0);
    });

    it("says nothing was sent when the key's share of Healthie requests stays busy (UPSTREAM_BUSY)", async () => {
      upstream = await startUpstream();
      await start({ HEALTHIE_MAX_IN_FLIGHT_PER_KEY: '1', HEALTHIE_CONNECTIONS: '4', HEALTHIE_QUEUE_TIMEOUT_MS: '100', HEALTHIE_TIMEOUT_MS: '1500' });
      upstream.setReply((request) => (/currentUser/.test(request.query) ? 'hang' : undefined));
      const busy = send(stack!.url, READ);
      for (let i = 0; i < 200 && upstream.received.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      stack!.logs.length = 0;
      const refused = await send(stack!.url, BOOK, { input: INPUT });
      expectNotSent(refused, 'UPSTREAM_BUSY', /nothing was sent\. Send fewer requests at once\.$/);
      expect(bookings(upstream)).toBe(0);
      await busy;
    });

    it('says the booking was not sent when the idempotency store (Redis) is unreachable', async () => {
      upstream = await startUpstream();
      await start({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, TENANT_HASH_SECRET: 'a-test-secret-of-at-least-32-characters' });
      const refused = await send(stack!.url, BOOK, { input: INPUT }, { 'idempotency-key': 'redis-down' });
      expectNotSent(refused, 'UPSTREAM_UNAVAILABLE', /the booking was not sent\. Retry with the same Idempotency-Key once it is back\.$/);
      expect(bookings(upstream)).toBe(0);
    });
  });
}

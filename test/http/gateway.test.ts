/**
 * Done-when, end to end through @apollo/gateway configured as Applied's router is: it sends
 * `router-authorization` and propagates the tenant's key and `Idempotency-Key`. Reads work, a
 * router without the secret is refused with no Healthie request, booking is FORBIDDEN until
 * enabled, and with an Idempotency-Key no retry, duplicate or lost answer makes a second
 * appointment, on one replica or on two sharing Redis.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';
import { startFaultyUpstream, type FaultyUpstream } from '../helpers/faulty-upstream.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { BOOK, bookingFixture, creates, send, type BookingFixture } from '../booking/helpers.js';

const SECRET = 'router-secret-for-the-gateway-test-0123456789';
const PROPAGATED = ['x-healthie-api-key', 'x-healthie-shard', 'x-healthie-scopes', 'idempotency-key'];

const startRouter = (healthieUrl: string, routerSecret: string | undefined) => startGateway({ healthieUrl, routerSecret, propagate: PROPAGATED });

const codes = (result: { body: { errors?: Array<{ extensions?: Record<string, any> }> } }) => (result.body.errors ?? []).map((e) => e.extensions?.code);

describe('through a gateway, scheduling not enabled', () => {
  let stack: Stack;
  let router: StartedGateway;
  let stranger: StartedGateway;
  beforeAll(async () => {
    stack = await startStack({ env: { ROUTER_SECRET: SECRET } });
    router = await startRouter(stack.url, SECRET);
    stranger = await startRouter(stack.url, undefined);
  });
  afterAll(async () => {
    await router?.stop();
    await stranger?.stop();
    await stack?.close();
  });
  beforeEach(() => stack.sandbox.clearRequests());

  it('answers a read sent by the router with the secret', async () => {
    const result = await send(router.url, '{ healthieCurrentUser { id organization { name } } }');
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieCurrentUser.id).toEqual(expect.any(String));
    expect(stack.sandbox.requests).toHaveLength(1);
  });

  it('refuses a gateway without the secret, and no Healthie request is made', async () => {
    const result = await send(stranger.url, '{ healthieCurrentUser { id } }');
    expect(result.body.data?.healthieCurrentUser ?? null).toBeNull();
    expect(result.body.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(result.body.errors)).toMatch(/401|UNAUTHENTICATED/);
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('refuses booking with FORBIDDEN until HEALTHIE_ALLOW_SCHEDULING is enabled', async () => {
    const result = await send(router.url, BOOK, { input: { userId: '1' } }, { 'idempotency-key': 'not-yet' });
    expect(codes(result)).toEqual(['FORBIDDEN']);
    expect(stack.sandbox.requests).toHaveLength(0);
  });
});

describe('through two gateways to two replicas sharing Redis, with answers that get lost', () => {
  let redis: RedisServer;
  let sandbox: StartedSandbox;
  let upstream: FaultyUpstream;
  let replicas: Stack[];
  let routers: Array<StartedGateway>;
  let fixture: BookingFixture;
  let slot = 0;
  const nextSlot = () => fixture.slots[slot++]!;

  beforeAll(async () => {
    redis = await startRedis();
    sandbox = await startSandbox();
    upstream = await startFaultyUpstream(sandbox.url);
    const env = {
      ROUTER_SECRET: SECRET,
      HEALTHIE_ALLOW_SCHEDULING: 'true',
      HEALTHIE_REQUIRE_IDEMPOTENCY_KEY: 'true',
      REDIS_URL: redis.url,
      TENANT_HASH_SECRET: 'tenant-hash-secret-for-the-gateway-test-0123',
      HEALTHIE_TIMEOUT_MS: '4000',
      // No settle window: the flows below retry at once after answers lost once the booking landed.
      HEALTHIE_BOOKING_SETTLE_MS: '0',
    };
    replicas = [await startStack({ env, upstreamUrl: upstream.url }), await startStack({ env, upstreamUrl: upstream.url })];
    routers = [await startRouter(replicas[0]!.url, SECRET), await startRouter(replicas[1]!.url, SECRET)];
    fixture = await bookingFixture(routers[0]!.url);
  });
  afterAll(async () => {
    for (const router of routers ?? []) await router.stop();
    for (const replica of replicas ?? []) await replica.close();
    await upstream?.close();
    await sandbox?.close();
    await redis?.stop();
  });
  beforeEach(() => sandbox.clearRequests());

  it('books once for 10 concurrent duplicates spread over both routers', async () => {
    const input = fixture.input(nextSlot());
    const results = await Promise.all(Array.from({ length: 10 }, (_, n) => send(routers[n % 2]!.url, BOOK, { input }, { 'idempotency-key': 'gw-concurrent' })));
    for (const result of results) expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
    expect(new Set(results.map((r) => r.body.data!.healthieCreateAppointment.appointment.id)).size).toBe(1);
    expect(creates(sandbox)).toBe(1);
  });

  it('books once when the answer is lost and the flow retries through the other router, twice', async () => {
    const input = fixture.input(nextSlot());
    upstream.inject('drop', /createAppointment/);
    const lost = await send(routers[0]!.url, BOOK, { input }, { 'idempotency-key': 'gw-lost' });
    expect(codes(lost)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const retries = [await send(routers[1]!.url, BOOK, { input }, { 'idempotency-key': 'gw-lost' }), await send(routers[0]!.url, BOOK, { input }, { 'idempotency-key': 'gw-lost' })];
    const ids = retries.map((r) => r.body.data?.healthieCreateAppointment?.appointment?.id);
    expect(ids[0]).toEqual(expect.any(String));
    expect(ids[1]).toBe(ids[0]);
    expect(creates(sandbox)).toBe(1);
  });

  it('books once when Healthie never answers and duplicates arrive at both routers meanwhile', async () => {
    const input = fixture.input(nextSlot());
    upstream.inject('hang', /createAppointment/);
    const first = send(routers[0]!.url, BOOK, { input }, { 'idempotency-key': 'gw-hang' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const duplicates = await Promise.all([0, 1, 0, 1].map((n) => send(routers[n]!.url, BOOK, { input }, { 'idempotency-key': 'gw-hang' })));
    expect(codes(await first)).toEqual(['UPSTREAM_TIMEOUT']);
    const ids = new Set(duplicates.map((r) => r.body.data?.healthieCreateAppointment?.appointment?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toEqual(expect.any(String));
    expect(creates(sandbox)).toBe(1);
  });

  it('refuses a booking without Idempotency-Key when keys are required', async () => {
    const result = await send(routers[1]!.url, BOOK, { input: fixture.input(nextSlot()) });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(creates(sandbox)).toBe(0);
  });
});

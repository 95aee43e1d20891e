import { loadConfig } from '../src/config.js';
import { describe, expect, it } from 'vitest';

describe('configuration', () => {
  it('needs nothing outside production: no URL means the built-in sandbox', () => {
    const config = loadConfig({});
    expect(config.healthie.url).toBeUndefined();
    expect(config.port).toBe(4001);
    expect(config.host).toBe('127.0.0.1');
    expect(config.healthie.timeoutMs).toBe(10_000);
    expect(config.production).toBe(false);
    expect(config.access).toEqual({ allowedHosts: [] });
    expect(config.booking).toEqual({ allowScheduling: false, requireIdempotencyKey: false, idempotencyTtlS: 86_400, settleMs: 60_000, hashSecret: undefined });
  });

  it('listens on loopback by default only for the built-in sandbox outside production', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HEALTHIE_API_URL: 'https://staging-api.gethealthie.com/graphql' }).host).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'production', HEALTHIE_API_URL: 'https://api.gethealthie.com/graphql' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('checks Host names outside production always, and in production only when ALLOWED_HOSTS is set', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).access.allowedHosts).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'test', ALLOWED_HOSTS: 'a.internal' }).access.allowedHosts).toEqual(['a.internal']);
    expect(loadConfig({ NODE_ENV: 'production', HEALTHIE_API_URL: 'https://api.gethealthie.com/graphql' }).access.allowedHosts).toBeUndefined();
  });

  it('accepts http to this machine in production, for a local Healthie-compatible server', () => {
    expect(loadConfig({ NODE_ENV: 'production', HEALTHIE_API_URL: 'http://127.0.0.1:9000/graphql' }).healthie.url).toBe('http://127.0.0.1:9000/graphql');
  });

  it('reads every documented setting', () => {
    const config = loadConfig({
      HEALTHIE_API_URL: 'https://api.gethealthie.com/graphql',
      HEALTHIE_API_KEY: 'key',
      HEALTHIE_SHARD: 'shard',
      HEALTHIE_API_VERSION: '2024-11-01',
      HEALTHIE_TIMEOUT_MS: '2500',
      PORT: '8080',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ROUTER_SECRET: 'r'.repeat(32),
      ALLOWED_HOSTS: 'Healthie.internal, 10.0.0.5 ,',
      HEALTHIE_ALLOW_SCHEDULING: 'true',
      HEALTHIE_REQUIRE_IDEMPOTENCY_KEY: 'true',
      IDEMPOTENCY_TTL_S: '3600',
      HEALTHIE_BOOKING_SETTLE_MS: '90000',
      REDIS_URL: 'rediss://redis.internal:6380',
      TENANT_HASH_SECRET: 't'.repeat(32),
    });
    expect(config).toEqual({
      healthie: {
        url: 'https://api.gethealthie.com/graphql',
        credentials: { apiKey: 'key', shard: 'shard' },
        apiVersion: '2024-11-01',
        timeoutMs: 2500,
        connections: 32,
        maxInFlightPerKey: 8,
        queueTimeoutMs: 2000,
        rateLimitRps: undefined,
        retries: 2,
        breakerCooldownMs: 10000,
      },
      redisUrl: 'rediss://redis.internal:6380',
      metricsPort: undefined,
      routerSecret: 'r'.repeat(32),
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'warn',
      production: true,
      plan: { enabled: true, cacheSize: 1000, cacheMaxBytes: 64 * 1024 * 1024 },
      access: { allowedHosts: ['healthie.internal', '10.0.0.5'] },
      booking: { allowScheduling: true, requireIdempotencyKey: true, idempotencyTtlS: 3600, settleMs: 90_000, hashSecret: 't'.repeat(32) },
    });
  });

  it('settles an unknown booking for a minute by default, and never for less than HEALTHIE_TIMEOUT_MS unless asked', () => {
    expect(loadConfig({ HEALTHIE_API_URL: 'https://api.gethealthie.com/graphql' }).booking.settleMs).toBe(60_000);
    expect(loadConfig({ HEALTHIE_API_URL: 'https://api.gethealthie.com/graphql', HEALTHIE_TIMEOUT_MS: '120000' }).booking.settleMs).toBe(120_000);
    expect(loadConfig({ HEALTHIE_API_URL: 'https://api.gethealthie.com/graphql', HEALTHIE_TIMEOUT_MS: '3000', HEALTHIE_BOOKING_SETTLE_MS: '3000' }).booking.settleMs).toBe(3_000);
    // A Healthie on this machine (tests, the built-in sandbox) may use a shorter window, none included.
    expect(loadConfig({ HEALTHIE_API_URL: 'http://127.0.0.1:9000/graphql', HEALTHIE_BOOKING_SETTLE_MS: '0' }).booking.settleMs).toBe(0);
    expect(loadConfig({ HEALTHIE_BOOKING_SETTLE_MS: '500' }).booking.settleMs).toBe(500);
  });
});

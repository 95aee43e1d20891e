import { loadConfig } from '../src/config.js';
import { describe, expect, it } from 'vitest';

describe('configuration', () => {
  it('needs nothing outside production: no URL means the built-in sandbox', () => {
    const config = loadConfig({});
    expect(config.healthie.url).toBeUndefined();
    expect(config.port).toBe(4001);
    expect(config.host).toBe('0.0.0.0');
    expect(config.healthie.timeoutMs).toBe(10_000);
    expect(config.production).toBe(false);
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
      redisUrl: undefined,
      metricsPort: undefined,
      routerSecret: undefined,
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'warn',
      production: true,
      plan: { enabled: true, cacheSize: 1000 },
    });
  });
});

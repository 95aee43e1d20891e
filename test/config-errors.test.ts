import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration errors', () => {
  it('lists every problem at once, each with the value and the fix', () => {
    const problems = problemsOf({ HEALTHIE_API_URL: 'ftp://example', PORT: 'eighty', HEALTHIE_TIMEOUT_MS: '5', LOG_LEVEL: 'loud', HEALTHIE_API_VERSION: 'latest' });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toContain('HEALTHIE_API_URL must be an http(s) URL');
    expect(problems.join('\n')).toContain('(got "eighty")');
    expect(problems.join('\n')).toContain('HEALTHIE_TIMEOUT_MS must be at least 100');
    expect(problems.join('\n')).toContain('LOG_LEVEL must be one of');
    expect(problems.join('\n')).toContain('HEALTHIE_API_VERSION must be a date');
  });

  it('requires HEALTHIE_API_URL in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringContaining('HEALTHIE_API_URL is required when NODE_ENV=production')]);
  });

  it('refuses plain http to a remote Healthie in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', HEALTHIE_API_URL: 'http://api.gethealthie.com/graphql' })).toEqual([
      expect.stringContaining('HEALTHIE_API_URL must use https in production'),
    ]);
  });

  it('refuses a shard without a key', () => {
    expect(problemsOf({ HEALTHIE_SHARD: 'abc' })).toEqual([expect.stringContaining('HEALTHIE_SHARD is set without HEALTHIE_API_KEY')]);
  });

  it('never echoes the API key in a problem', () => {
    const problems = problemsOf({ HEALTHIE_API_KEY: 'secret-key-value', HEALTHIE_SHARD: 'secret-shard', PORT: '-1' });
    expect(problems.join('\n')).not.toContain('secret-key-value');
    expect(problems.join('\n')).not.toContain('secret-shard');
  });

  it('refuses a plan cache that is empty, negative, fractional or not a number, and an unknown PLAN_ENABLED', () => {
    for (const size of ['0', '-5', '2.5', 'many', '100001']) {
      expect(problemsOf({ PLAN_CACHE_SIZE: size })).toEqual([expect.stringMatching(/^PLAN_CACHE_SIZE must be .*\(got "/)]);
    }
    expect(problemsOf({ PLAN_ENABLED: 'yes' })).toEqual([expect.stringContaining('PLAN_ENABLED must be true or false')]);
  });

  it('refuses a plan cache memory bound of zero, a negative or fractional one, or one over 4096 MiB', () => {
    for (const size of ['0', '-1', '0.5', 'lots', '4097']) {
      expect(problemsOf({ PLAN_CACHE_MAX_MB: size })).toEqual([expect.stringMatching(/^PLAN_CACHE_MAX_MB must be .*\(got "/)]);
    }
    expect(loadConfig({ PLAN_CACHE_MAX_MB: '4096' }).plan.cacheMaxBytes).toBe(4096 * 1024 * 1024);
  });

  it('keeps the per-key in-flight cap below the connection pool', () => {
    expect(problemsOf({ HEALTHIE_MAX_IN_FLIGHT_PER_KEY: '32' })).toEqual([expect.stringContaining('must be below HEALTHIE_CONNECTIONS (32)')]);
    expect(problemsOf({ HEALTHIE_MAX_IN_FLIGHT_PER_KEY: '8', HEALTHIE_CONNECTIONS: '8' })).toHaveLength(1);
    expect(() => loadConfig({ HEALTHIE_MAX_IN_FLIGHT_PER_KEY: '8', HEALTHIE_CONNECTIONS: '9' })).not.toThrow();
  });

  it('validates the resilience, rate, Redis and metrics settings together', () => {
    const problems = problemsOf({
      HEALTHIE_RETRIES: '9',
      HEALTHIE_BREAKER_COOLDOWN_MS: '1',
      HEALTHIE_QUEUE_TIMEOUT_MS: 'soon',
      HEALTHIE_RATE_LIMIT_RPS: '0',
      REDIS_URL: 'http://cache:6379',
      METRICS_PORT: 'none',
      ROUTER_SECRET: 'short-secret',
    });
    expect(problems).toHaveLength(7);
    const text = problems.join('\n');
    for (const name of ['HEALTHIE_RETRIES', 'HEALTHIE_BREAKER_COOLDOWN_MS', 'HEALTHIE_QUEUE_TIMEOUT_MS', 'HEALTHIE_RATE_LIMIT_RPS', 'REDIS_URL', 'METRICS_PORT', 'ROUTER_SECRET']) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('short-secret');
    expect(text).not.toContain('cache:6379');
    expect(problemsOf({ METRICS_PORT: '4001' })).toEqual([expect.stringContaining('METRICS_PORT must differ from PORT')]);
  });

  it('refuses an unknown NODE_ENV such as Production, listing the accepted values', () => {
    expect(problemsOf({ NODE_ENV: 'Production' })).toEqual([expect.stringContaining('NODE_ENV must be one of development, test, production (or unset) (got "Production")')]);
  });

  it('requires ROUTER_SECRET in production when a server-level HEALTHIE_API_KEY is set', () => {
    const problems = problemsOf({ NODE_ENV: 'production', HEALTHIE_API_URL: 'https://api.gethealthie.com/graphql', HEALTHIE_API_KEY: 'server-key' });
    expect(problems).toEqual([expect.stringContaining('ROUTER_SECRET is required when NODE_ENV=production and HEALTHIE_API_KEY is set')]);
    expect(problems.join('\n')).not.toContain('server-key');
  });

  it('requires TENANT_HASH_SECRET with REDIS_URL when booking is enabled, so replicas hash alike', () => {
    expect(problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379', HEALTHIE_ALLOW_SCHEDULING: 'true' })).toEqual([
      expect.stringContaining('TENANT_HASH_SECRET is required when REDIS_URL is set and HEALTHIE_ALLOW_SCHEDULING=true'),
    ]);
  });

  it('requires TENANT_HASH_SECRET with REDIS_URL when the per-key rate is on, so replicas name buckets alike', () => {
    expect(problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379', HEALTHIE_RATE_LIMIT_RPS: '5' })).toEqual([
      expect.stringContaining('TENANT_HASH_SECRET is required when REDIS_URL and HEALTHIE_RATE_LIMIT_RPS are set'),
    ]);
  });

  it('refuses short secrets, bad booleans, TTLs and URLs, and never echoes secrets', () => {
    const problems = problemsOf({
      ROUTER_SECRET: 'short-secret',
      TENANT_HASH_SECRET: 'short-hash-secret',
      HEALTHIE_ALLOW_SCHEDULING: 'yes',
      HEALTHIE_REQUIRE_IDEMPOTENCY_KEY: '1',
      IDEMPOTENCY_TTL_S: '0',
      REDIS_URL: 'http://user:redis-password@redis:6379',
      ALLOWED_HOSTS: 'https://healthie.internal',
    });
    const text = problems.join('\n');
    expect(problems).toHaveLength(7);
    expect(text).toContain('ROUTER_SECRET must be at least 16 characters');
    expect(text).toContain('TENANT_HASH_SECRET must be at least 32 characters');
    expect(text).toContain('HEALTHIE_ALLOW_SCHEDULING must be true or false (got "yes")');
    expect(text).toContain('HEALTHIE_REQUIRE_IDEMPOTENCY_KEY must be true or false');
    expect(text).toContain('IDEMPOTENCY_TTL_S must be at least 60');
    expect(text).toContain('REDIS_URL must be a redis:// or rediss:// URL');
    expect(text).toContain('ALLOWED_HOSTS must be comma-separated host names');
    for (const secret of ['short-secret', 'short-hash-secret', 'redis-password']) expect(text).not.toContain(secret);
  });

  it('refuses a settle window shorter than HEALTHIE_TIMEOUT_MS against a Healthie elsewhere or in production, and one out of range', () => {
    const tooShort = 'HEALTHIE_BOOKING_SETTLE_MS (5000) must be at least HEALTHIE_TIMEOUT_MS (10000)';
    expect(problemsOf({ HEALTHIE_API_URL: 'https://api.gethealthie.com/graphql', HEALTHIE_BOOKING_SETTLE_MS: '5000' })).toEqual([expect.stringContaining(tooShort)]);
    expect(problemsOf({ NODE_ENV: 'production', HEALTHIE_API_URL: 'http://127.0.0.1:9000/graphql', HEALTHIE_BOOKING_SETTLE_MS: '5000' })).toEqual([
      expect.stringContaining(tooShort),
    ]);
    expect(problemsOf({ HEALTHIE_API_URL: 'https://localhost.example.com/graphql', HEALTHIE_BOOKING_SETTLE_MS: '0' })).toEqual([
      expect.stringContaining('HEALTHIE_BOOKING_SETTLE_MS (0) must be at least HEALTHIE_TIMEOUT_MS (10000)'),
    ]);
    expect(problemsOf({ HEALTHIE_BOOKING_SETTLE_MS: '-1' })).toEqual(['HEALTHIE_BOOKING_SETTLE_MS must be at least 0 (got "-1")']);
    expect(problemsOf({ HEALTHIE_BOOKING_SETTLE_MS: '600001' })).toEqual(['HEALTHIE_BOOKING_SETTLE_MS must be at most 600000 (got "600001")']);
    expect(problemsOf({ HEALTHIE_BOOKING_SETTLE_MS: '1.5' })).toEqual(['HEALTHIE_BOOKING_SETTLE_MS must be a whole number (got "1.5")']);
  });
});

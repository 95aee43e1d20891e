/**
 * Configuration: read from the environment once, at start-up, and validated in one place.
 * A bad environment fails with one error that lists every problem and how to fix it, rather
 * than the first problem only.
 */
import { z } from 'zod';
import { boolean, integer, optionalInteger, optionalText } from './config-fields.js';
import type { Credentials } from './credentials.js';

export interface Config {
  readonly healthie: {
    /** Healthie's GraphQL endpoint; undefined means "start the built-in sandbox" (never in production). */
    readonly url: string | undefined;
    /** Server-level credentials, used when a request brings none. */
    readonly credentials: Credentials | undefined;
    /** Expected Healthie API version; must equal the one the schema was built for (checked at start-up). */
    readonly apiVersion: string | undefined;
    readonly timeoutMs: number;
    /** Connections to Healthie shared by all tenants (HEALTHIE_CONNECTIONS). */
    readonly connections: number;
    /** Healthie requests in flight per API key; always below `connections`. */
    readonly maxInFlightPerKey: number;
    /** Longest wait for a per-key slot before UPSTREAM_BUSY. */
    readonly queueTimeoutMs: number;
    /** Per-key request rate enforced here; undefined: none. */
    readonly rateLimitRps: number | undefined;
    /** Retries of a read after a rate-limit answer, a 5xx or a failed connection. */
    readonly retries: number;
    /** How long the breaker stays open once most calls of its window failed. */
    readonly breakerCooldownMs: number;
  };
  /** Redis shared by replicas (per-key rates, booking idempotency); undefined: in-process state. */
  readonly redisUrl: string | undefined;
  /** Serve /metrics on this port instead of the main one; undefined: the main port. */
  readonly metricsPort: number | undefined;
  /** Shared secret of the router; when set, /graphql and /metrics require `router-authorization`. */
  readonly routerSecret: string | undefined;
  readonly port: number;
  /** Interface to listen on. */
  readonly host: string;
  readonly logLevel: string;
  readonly production: boolean;
  /** The planned path (src/plan): translated once per document, forwarded without re-execution. */
  readonly plan: { readonly enabled: boolean; readonly cacheSize: number; readonly cacheMaxBytes: number };
  /** Access to the subgraph itself: who may call it, and under which Host names. */
  readonly access: {
    /** Host names accepted besides loopback names; undefined means "any" (production only). */
    readonly allowedHosts: readonly string[] | undefined;
  };
  readonly booking: {
    /** healthieCreateAppointment is refused with FORBIDDEN unless this is true. */
    readonly allowScheduling: boolean;
    /** Refuse bookings without an Idempotency-Key header. */
    readonly requireIdempotencyKey: boolean;
    /** How long an Idempotency-Key and its outcome are remembered. */
    readonly idempotencyTtlS: number;
    /** How long a booking whose outcome is unknown is left to settle before a retry looks and books. */
    readonly settleMs: number;
    /** Keys the hashes of API keys and booking inputs; undefined means a random per-process key. */
    readonly hashSecret: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every setting.`);
    this.name = 'ConfigError';
  }
}

const SECRET_SETTINGS = new Set(['HEALTHIE_API_KEY', 'HEALTHIE_SHARD', 'ROUTER_SECRET', 'REDIS_URL', 'TENANT_HASH_SECRET']);

/** Accepted NODE_ENV values; anything else (e.g. `Production`) is a start-up error, not silently development. */
export const NODE_ENVS = ['development', 'test', 'production'] as const;

/**
 * The settle window of a booking whose outcome is unknown (HEALTHIE_BOOKING_SETTLE_MS): Healthie
 * publishes no server-side timeout, and a minute is what web servers and their load balancers
 * commonly allow one request before they abandon it; never shorter than HEALTHIE_TIMEOUT_MS.
 */
const DEFAULT_SETTLE_MS = 60_000;

/** Shortest accepted secret: long enough that guessing it is not an option. */
const MIN_SECRET_LENGTH = 32;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  HEALTHIE_API_URL: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, message: 'HEALTHIE_API_URL must be an http(s) URL such as https://api.gethealthie.com/graphql' })
      .optional(),
  ),
  HEALTHIE_API_KEY: optionalText,
  HEALTHIE_SHARD: optionalText,
  HEALTHIE_API_VERSION: optionalText.pipe(
    z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'HEALTHIE_API_VERSION must be a date such as 2026-01-01').optional(),
  ),
  HEALTHIE_TIMEOUT_MS: integer('HEALTHIE_TIMEOUT_MS', 100, 120_000, 10_000),
  HEALTHIE_CONNECTIONS: integer('HEALTHIE_CONNECTIONS', 2, 1_024, 32),
  HEALTHIE_MAX_IN_FLIGHT_PER_KEY: integer('HEALTHIE_MAX_IN_FLIGHT_PER_KEY', 1, 1_023, 8),
  HEALTHIE_QUEUE_TIMEOUT_MS: integer('HEALTHIE_QUEUE_TIMEOUT_MS', 0, 60_000, 2_000),
  HEALTHIE_RATE_LIMIT_RPS: optionalInteger('HEALTHIE_RATE_LIMIT_RPS', 1, 10_000),
  HEALTHIE_RETRIES: integer('HEALTHIE_RETRIES', 0, 5, 2),
  HEALTHIE_BREAKER_COOLDOWN_MS: integer('HEALTHIE_BREAKER_COOLDOWN_MS', 100, 600_000, 10_000),
  REDIS_URL: optionalText.pipe(z.url({ protocol: /^rediss?$/, message: 'REDIS_URL must be a redis:// or rediss:// URL' }).optional()),
  METRICS_PORT: optionalInteger('METRICS_PORT', 0, 65_535),
  ROUTER_SECRET: optionalText.pipe(z.string().min(16, 'ROUTER_SECRET must be at least 16 characters').optional()),
  PORT: integer('PORT', 0, 65_535, 4001),
  HOST: optionalText,
  LOG_LEVEL: optionalText.pipe(z.enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).optional()),
  PLAN_ENABLED: optionalText.pipe(z.enum(['true', 'false'], { message: 'PLAN_ENABLED must be true or false' }).optional()),
  PLAN_CACHE_SIZE: integer('PLAN_CACHE_SIZE', 1, 100_000, 1000),
  PLAN_CACHE_MAX_MB: integer('PLAN_CACHE_MAX_MB', 1, 4_096, 64),
  NODE_ENV: optionalText.pipe(z.enum(NODE_ENVS, { message: `NODE_ENV must be one of ${NODE_ENVS.join(', ')} (or unset)` }).optional()),
  ALLOWED_HOSTS: optionalText.pipe(
    z
      .string()
      .transform((value) => value.split(',').map((host) => host.trim().toLowerCase()).filter((host) => host !== ''))
      .pipe(
        z.array(z.string().regex(/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/, 'ALLOWED_HOSTS must be comma-separated host names without ports or schemes, e.g. healthie.internal,10.0.0.5')),
      )
      .optional(),
  ),
  HEALTHIE_ALLOW_SCHEDULING: boolean('HEALTHIE_ALLOW_SCHEDULING'),
  HEALTHIE_REQUIRE_IDEMPOTENCY_KEY: boolean('HEALTHIE_REQUIRE_IDEMPOTENCY_KEY'),
  IDEMPOTENCY_TTL_S: integer('IDEMPOTENCY_TTL_S', 60, 30 * 86_400, 86_400),
  HEALTHIE_BOOKING_SETTLE_MS: optionalInteger('HEALTHIE_BOOKING_SETTLE_MS', 0, 600_000),
  TENANT_HASH_SECRET: optionalText.pipe(
    z.string().min(MIN_SECRET_LENGTH, `TENANT_HASH_SECRET must be at least ${MIN_SECRET_LENGTH} characters; generate one with: openssl rand -hex 32`).optional(),
  ),
});

/** https, or http to this machine itself (a local Healthie-compatible server in tests). */
function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        // Echo the offending value to make the fix obvious, except for secrets.
        return SECRET_SETTINGS.has(name) ? issue.message : `${issue.message} (got "${env[name]}")`;
      });
  const production = env.NODE_ENV?.trim() === 'production';

  if (parsed.success) {
    const values = parsed.data;
    if (production && !values.HEALTHIE_API_URL) {
      problems.push('HEALTHIE_API_URL is required when NODE_ENV=production (e.g. https://api.gethealthie.com/graphql); the built-in sandbox only runs outside production');
    }
    if (production && values.HEALTHIE_API_URL && !isHttpsOrLoopback(values.HEALTHIE_API_URL)) {
      problems.push(`HEALTHIE_API_URL must use https in production; http would send API keys in clear text (got "${values.HEALTHIE_API_URL}")`);
    }
    if (values.HEALTHIE_MAX_IN_FLIGHT_PER_KEY >= values.HEALTHIE_CONNECTIONS) {
      problems.push(
        `HEALTHIE_MAX_IN_FLIGHT_PER_KEY (${values.HEALTHIE_MAX_IN_FLIGHT_PER_KEY}) must be below HEALTHIE_CONNECTIONS (${values.HEALTHIE_CONNECTIONS}), so one key can never take every connection; lower it or raise HEALTHIE_CONNECTIONS`,
      );
    }
    if (values.METRICS_PORT !== undefined && values.METRICS_PORT !== 0 && values.METRICS_PORT === values.PORT) {
      problems.push(`METRICS_PORT must differ from PORT (both ${values.PORT}); unset METRICS_PORT to serve /metrics on PORT`);
    }
    if (values.HEALTHIE_SHARD && !values.HEALTHIE_API_KEY) {
      problems.push('HEALTHIE_SHARD is set without HEALTHIE_API_KEY; a shard belongs to a key, so set both or neither');
    }
    if (production && values.HEALTHIE_API_KEY && !values.ROUTER_SECRET) {
      problems.push(
        'ROUTER_SECRET is required when NODE_ENV=production and HEALTHIE_API_KEY is set: without it anyone who reaches the port acts with that key. Set ROUTER_SECRET (and have the router send it as router-authorization), or unset HEALTHIE_API_KEY and let the router forward x-healthie-api-key',
      );
    }
    if (values.REDIS_URL && values.HEALTHIE_RATE_LIMIT_RPS && !values.TENANT_HASH_SECRET) {
      problems.push(
        'TENANT_HASH_SECRET is required when REDIS_URL and HEALTHIE_RATE_LIMIT_RPS are set: replicas sharing the per-key rate name its buckets by a hash keyed with it. Set the same value (openssl rand -hex 32) on every replica',
      );
    }
    // Shorter than our own timeout, a retry could look before Healthie has finished a booking we
    // gave up on, and book it again: allowed only against a Healthie on this machine (tests).
    const settle = values.HEALTHIE_BOOKING_SETTLE_MS;
    const localHealthie = !values.HEALTHIE_API_URL || ['localhost', '127.0.0.1', '[::1]'].includes(new URL(values.HEALTHIE_API_URL).hostname);
    if (settle !== undefined && settle < values.HEALTHIE_TIMEOUT_MS && (production || !localHealthie)) {
      problems.push(
        `HEALTHIE_BOOKING_SETTLE_MS (${settle}) must be at least HEALTHIE_TIMEOUT_MS (${values.HEALTHIE_TIMEOUT_MS}): Healthie may still run a booking after this server stopped waiting for it. Raise it (60000 is the default) or unset it`,
      );
    }
    if (values.REDIS_URL && values.HEALTHIE_ALLOW_SCHEDULING && !values.TENANT_HASH_SECRET) {
      problems.push(
        'TENANT_HASH_SECRET is required when REDIS_URL is set and HEALTHIE_ALLOW_SCHEDULING=true: replicas sharing the idempotency store must hash tenants and booking inputs with the same key. Set the same value (openssl rand -hex 32) on every replica',
      );
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const values = parsed.data;
  return {
    healthie: {
      url: values.HEALTHIE_API_URL,
      credentials: values.HEALTHIE_API_KEY ? { apiKey: values.HEALTHIE_API_KEY, shard: values.HEALTHIE_SHARD } : undefined,
      apiVersion: values.HEALTHIE_API_VERSION,
      timeoutMs: values.HEALTHIE_TIMEOUT_MS,
      connections: values.HEALTHIE_CONNECTIONS,
      maxInFlightPerKey: values.HEALTHIE_MAX_IN_FLIGHT_PER_KEY,
      queueTimeoutMs: values.HEALTHIE_QUEUE_TIMEOUT_MS,
      rateLimitRps: values.HEALTHIE_RATE_LIMIT_RPS,
      retries: values.HEALTHIE_RETRIES,
      breakerCooldownMs: values.HEALTHIE_BREAKER_COOLDOWN_MS,
    },
    redisUrl: values.REDIS_URL,
    metricsPort: values.METRICS_PORT,
    routerSecret: values.ROUTER_SECRET,
    port: values.PORT,
    // The built-in sandbox (no HEALTHIE_API_URL) is a developer's machine: stay on loopback.
    host: values.HOST ?? (!production && !values.HEALTHIE_API_URL ? '127.0.0.1' : '0.0.0.0'),
    logLevel: values.LOG_LEVEL ?? 'info',
    production,
    plan: { enabled: values.PLAN_ENABLED !== 'false', cacheSize: values.PLAN_CACHE_SIZE, cacheMaxBytes: values.PLAN_CACHE_MAX_MB * 1024 * 1024 },
    access: {
      // Outside production the Host check is always on (loopback names plus this list), so a web
      // page cannot reach a developer's server by DNS rebinding; in production, when listed.
      allowedHosts: values.ALLOWED_HOSTS ?? (production ? undefined : []),
    },
    booking: {
      allowScheduling: values.HEALTHIE_ALLOW_SCHEDULING,
      requireIdempotencyKey: values.HEALTHIE_REQUIRE_IDEMPOTENCY_KEY,
      idempotencyTtlS: values.IDEMPOTENCY_TTL_S,
      settleMs: values.HEALTHIE_BOOKING_SETTLE_MS ?? Math.max(DEFAULT_SETTLE_MS, values.HEALTHIE_TIMEOUT_MS),
      hashSecret: values.TENANT_HASH_SECRET,
    },
  };
}

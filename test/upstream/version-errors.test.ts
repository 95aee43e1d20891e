/**
 * A Healthie API version that cannot be used: refused by Healthie (after its sunset date), or
 * configured differently from the version the schema was built for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createServer } from '../../src/server.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

describe('Healthie refusing the version after its sunset date', () => {
  let stack: Stack;
  let base: string;
  beforeAll(async () => {
    // The sandbox's clock is past 2027-01-31: like Healthie then, it refuses every version before 2026-07-01.
    stack = await startStack({ sandbox: { now: () => new Date('2027-02-01T15:00:00Z') } });
    base = stack.url.replace('/graphql', '');
  });
  afterAll(() => stack.close());

  it('fails an operation with UPSTREAM_VERSION_UNSUPPORTED, naming the version and the rebuild', async () => {
    const result = await stack.query('{ healthieCurrentUser { id } healthieUsers(first: 1) { nodes { id } } }', {}, auth);
    expect(result.body.data ?? null).toBeNull();
    const error = result.body.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_VERSION_UNSUPPORTED', apiVersion: '2026-01-01', minimumSupportedVersion: '2026-07-01', latestVersion: '2026-07-01' });
    expect(error?.message).toMatch(/does not serve API version 2026-01-01/);
    expect(error?.message).toMatch(/schema:build -- --api-version 2026-07-01/);
    expect(stack.sandbox.requests.at(-1)!.headers['healthie-graphql-api-version']).toBe('2026-01-01');
  });

  it('answers /readyz with 503 and the reason', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as Record<string, string>;
    expect(body).toMatchObject({ status: 'upstream version unsupported', healthieApiVersion: '2026-01-01' });
    expect(body.reason).toMatch(/Rebuild the subgraph on a supported version/);
  });

  it('logs the refusal at warn level once, without request data', async () => {
    await stack.query('query Secret($kw: String) { healthieUsers(keywords: $kw) { nodes { id } } }', { kw: 'Maple' }, auth);
    const refusals = stack.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'healthie refuses the api version');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 'warn', code: 'UNSUPPORTED_API_VERSION', apiVersion: '2026-01-01', requested_version: '2026-01-01' });
    expect(stack.logs.join('')).not.toContain('Maple');
  });
});

describe('HEALTHIE_API_VERSION that contradicts the schema', () => {
  it('stops start-up naming both versions and the fix', async () => {
    const config = loadConfig({ HEALTHIE_API_URL: 'http://127.0.0.1:9/graphql', HEALTHIE_API_VERSION: '2025-10-15' });
    const failure = await createServer(config).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    const message = (failure as ConfigError).message;
    expect(message).toContain('HEALTHIE_API_VERSION is "2025-10-15"');
    expect(message).toContain('built for Healthie API version "2026-01-01"');
    expect(message).toContain('npm run schema:build -- --api-version 2025-10-15');
  });
});

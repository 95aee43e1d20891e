/**
 * The Healthie API version in use: sent on every Healthie request (operations, entity loads, the
 * readiness probe), reported by /readyz, and Healthie's deprecation warnings logged, throttled and
 * free of request data.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { VersionMonitor, WARNING_LOG_INTERVAL_MS } from '../../src/upstream/version.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const SUNSET = { code: 'API_VERSION_SUNSET_WARNING', requested_version: '2026-01-01', sunset_date: '2027-01-31', latest_version: '2026-07-01', message: 'upgrade' };

describe('the Healthie API version against the sandbox', () => {
  let stack: Stack;
  let base: string;
  beforeAll(async () => {
    stack = await startStack();
    base = stack.url.replace('/graphql', '');
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('sends Healthie-GraphQL-API-Version: 2026-01-01 on operations, entity loads and the readiness probe', async () => {
    await stack.query('{ healthieUsers(first: 2) { nodes { id } } }', {}, auth);
    await stack.query('query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id } } }', { r: [{ __typename: 'HealthieUser', id: '1010' }] }, auth);
    await fetch(`${base}/readyz`);
    expect(stack.sandbox.requests.map((request) => request.query.includes('__typename') && !request.account ? 'probe' : 'operation')).toContain('probe');
    expect(stack.sandbox.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of stack.sandbox.requests) expect(request.headers['healthie-graphql-api-version']).toBe('2026-01-01');
  });

  it('reports the version in use and, once Healthie has warned, its sunset date and the latest version on /readyz', async () => {
    await stack.query('{ healthieCurrentUser { id } }', {}, auth);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', schema: 'loaded', healthieApiVersion: '2026-01-01', sunsetDate: '2027-01-31', latestVersion: '2026-07-01' });
  });

  it("logs Healthie's sunset warning at warn level with its dates only, not once per request", async () => {
    const before = stack.logs.length;
    for (let i = 0; i < 3; i++) await stack.query('query Secret($kw: String) { healthieUsers(keywords: $kw, first: 1) { nodes { email } } }', { kw: 'Maple' }, auth);
    const warnings = stack.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'healthie api version warning');
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', code: 'API_VERSION_SUNSET_WARNING', sunset_date: '2027-01-31', latest_version: '2026-07-01', apiVersion: '2026-01-01' });
    const text = stack.logs.slice(before).join('');
    for (const secret of ['Maple', '@example.com', DEMO_API_KEY]) expect(text).not.toContain(secret);
  });
});

describe('the version monitor', () => {
  const capture = () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    return { lines, logger: createLogger({ level: 'trace', destination }) };
  };

  it('logs each warning code at most once per hour, on an injected clock', () => {
    const { lines, logger } = capture();
    let now = 0;
    const monitor = new VersionMonitor({ apiVersion: '2026-01-01', logger, now: () => now });
    const missing = { code: 'MISSING_API_VERSION_HEADER', message: 'send the header' };
    for (let i = 0; i < 5; i++) monitor.inspect({ data: {}, extensions: { warnings: [SUNSET, missing] } });
    expect(lines.map((line) => line.code)).toEqual(['API_VERSION_SUNSET_WARNING', 'MISSING_API_VERSION_HEADER']);
    now += WARNING_LOG_INTERVAL_MS - 1;
    monitor.inspect({ extensions: { warnings: [SUNSET] } });
    expect(lines).toHaveLength(2);
    now += 1;
    monitor.inspect({ extensions: { warnings: [SUNSET] } });
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => line.level === 'warn')).toBe(true);
    // Healthie's free-text message is not logged: only the code and the versions and dates.
    expect(JSON.stringify(lines)).not.toContain('send the header');
  });

  it('ignores malformed warnings and answers without any', () => {
    const { lines, logger } = capture();
    const monitor = new VersionMonitor({ apiVersion: '2026-01-01', logger });
    for (const body of [null, 'text', { extensions: { warnings: 'no' } }, { extensions: { warnings: [null, 7, { code: 3 }, { code: 'x'.repeat(200) }] } }]) {
      expect(monitor.inspect(body)).toBeUndefined();
    }
    expect(lines).toEqual([]);
    expect(monitor.readiness()).toEqual({ healthieApiVersion: '2026-01-01' });
  });
});

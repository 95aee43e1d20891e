/**
 * Introspection and the latest-version probe when the endpoint refuses or is not Healthie: the
 * error names the endpoint, the version, the HTTP status, Healthie's error codes and a hint, and
 * never the text of Healthie's messages (CI logs are not a place for what a message may echo).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNAUTHENTICATED_MESSAGE } from '../../src/sandbox/auth.js';
import { DEMO_API_KEY, startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { introspectSource, latestVersion } from '../../src/schema/source.js';

/** Text that must never reach an error message. */
const SECRET = 'patient Jane Roe, dob 1980-02-03';

describe('introspection refused by the sandbox', () => {
  let sandbox: StartedSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('fails with the endpoint, the code and a hint when the key is refused, without the message', async () => {
    const failure = introspectSource(sandbox.url, sandbox.apiVersion, { HEALTHIE_API_KEY: 'not-a-key' });
    await expect(failure).rejects.toThrow(
      /^Introspection of http:\/\/127\.0\.0\.1:\d+\/graphql at API version 2026-01-01 failed: HTTP \d+, UNAUTHENTICATED; check HEALTHIE_API_KEY, and HEALTHIE_SHARD for a sharded account$/,
    );
    await expect(failure).rejects.not.toThrow(UNAUTHENTICATED_MESSAGE);
  });

  it('names a refused version with its code and Healthie\'s latest version, without the message', async () => {
    const failure = introspectSource(sandbox.url, '2031-01-01', { HEALTHIE_API_KEY: DEMO_API_KEY });
    await expect(failure).rejects.toThrow(
      /at API version 2031-01-01 failed: HTTP \d+, UNSUPPORTED_API_VERSION; Healthie does not serve this version; name a published one with --api-version; Healthie's latest version is 2026-07-01$/,
    );
    await expect(failure).rejects.not.toThrow(/not a published API version/);
  });

  it('refuses to introspect without HEALTHIE_API_KEY, saying what to set', async () => {
    const before = sandbox.requests.length;
    await expect(introspectSource(sandbox.url, sandbox.apiVersion, {})).rejects.toThrow(/needs HEALTHIE_API_KEY/);
    await expect(latestVersion(sandbox.url, [], {})).rejects.toThrow(/needs HEALTHIE_API_KEY/);
    expect(sandbox.requests).toHaveLength(before);
  });
});

describe('an endpoint that is not Healthie', () => {
  let server: Server;
  let url: string;
  /** The answer the endpoint gives next. */
  let answer: { status: number; body: unknown };
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reports errors without a code by their count and a hint, never their messages', async () => {
    answer = { status: 500, body: { errors: [{ message: SECRET }, { message: SECRET, extensions: { code: SECRET } }] } };
    const failure = introspectSource(url, '2026-01-01', { HEALTHIE_API_KEY: DEMO_API_KEY });
    await expect(failure).rejects.toThrow(/failed: HTTP 500, 2 error\(s\) without a code; check that the URL is a Healthie GraphQL endpoint$/);
    await expect(failure).rejects.not.toThrow(/Jane/);
  });

  it('reports an answer that is not JSON by its HTTP status', async () => {
    answer = { status: 502, body: undefined };
    await expect(introspectSource(url, '2026-01-01', { HEALTHIE_API_KEY: DEMO_API_KEY })).rejects.toThrow(/failed: HTTP 502, no data; check that the URL/);
  });

  it('fails the latest-version probe when the refusal names no usable latest version', async () => {
    answer = { status: 200, body: { errors: [{ message: SECRET, extensions: { code: 'UNSUPPORTED_API_VERSION', latest_version: SECRET } }] } };
    const failure = latestVersion(url, [], { HEALTHIE_API_KEY: DEMO_API_KEY });
    await expect(failure).rejects.toThrow(/the unpublished version 1970-01-01\) did not name one: HTTP 200, UNSUPPORTED_API_VERSION; Healthie does not serve/);
    await expect(failure).rejects.not.toThrow(/Jane/);
  });

  it('ignores a warning whose latest_version is not a release date and asks instead', async () => {
    answer = { status: 200, body: { errors: [{ message: SECRET, extensions: { code: 'UNSUPPORTED_API_VERSION', latest_version: '2027-01-01' } }] } };
    const learnt = await latestVersion(url, [{ code: 'API_VERSION_SUNSET_WARNING', latest_version: 'next week' }], { HEALTHIE_API_KEY: DEMO_API_KEY });
    expect(learnt).toEqual({ version: '2027-01-01', learntFrom: 'refusal' });
  });
});

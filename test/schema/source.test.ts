/**
 * `schema:build --from <url>`: a live Healthie-compatible endpoint, read by introspection with the
 * key from the environment. The built-in sandbox serves exactly the approved subset, so building
 * from it must reproduce the committed files.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllowlist } from '../../src/schema/allowlist.js';
import { buildArtifacts } from '../../src/schema/build.js';
import { introspect, introspectSource } from '../../src/schema/source.js';
import { DEMO_API_KEY, startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';

describe('a source schema read by introspection', () => {
  let sandbox: StartedSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('reproduces the committed schema files from the sandbox, authenticated with HEALTHIE_API_KEY', async () => {
    const source = await introspectSource(sandbox.url, sandbox.apiVersion, { HEALTHIE_API_KEY: DEMO_API_KEY });
    const built = buildArtifacts(source, loadAllowlist('schema/approved.yaml'));
    expect(built.subgraphSdl).toBe(readFileSync('schema/healthie.graphql', 'utf8'));
    expect(built.approvedSdl).toBe(readFileSync('schema/healthie-approved.graphql', 'utf8'));
    expect(sandbox.requests.at(-1)!.headers).toMatchObject({
      authorization: `Basic ${DEMO_API_KEY}`,
      authorizationsource: 'API',
      'healthie-graphql-api-version': '2026-01-01',
    });
  });

  it('reports the version warnings of the answer and names a refused version with its code', async () => {
    const { warnings } = await introspect(sandbox.url, sandbox.apiVersion, { HEALTHIE_API_KEY: DEMO_API_KEY });
    expect(warnings).toEqual([{ code: 'API_VERSION_SUNSET_WARNING', requested_version: '2026-01-01', sunset_date: '2027-01-31', latest_version: '2026-07-01' }]);
    await expect(introspectSource(sandbox.url, '2031-01-01', { HEALTHIE_API_KEY: DEMO_API_KEY })).rejects.toThrow(
      /at API version 2031-01-01 failed: UNSUPPORTED_API_VERSION: 2031-01-01 is not a published API version/,
    );
  });

  it('fails with the endpoint and the reason when the key is refused', async () => {
    await expect(introspectSource(sandbox.url, sandbox.apiVersion, { HEALTHIE_API_KEY: 'not-a-key' })).rejects.toThrow(/Introspection of http:\/\/127\.0\.0\.1:\d+\/graphql at API version 2026-01-01 failed: UNAUTHENTICATED: .*invalid/);
  });

  it('refuses to introspect without HEALTHIE_API_KEY, saying what to set', async () => {
    const before = sandbox.requests.length;
    await expect(introspectSource(sandbox.url, sandbox.apiVersion, {})).rejects.toThrow(/needs HEALTHIE_API_KEY/);
    expect(sandbox.requests).toHaveLength(before);
  });
});

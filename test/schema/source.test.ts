/**
 * `schema:build --from <url>`: a live Healthie-compatible endpoint, read by introspection with the
 * key from the environment. The built-in sandbox serves exactly the approved subset, so building
 * from it must reproduce the committed files.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllowlist } from '../../src/schema/allowlist.js';
import { buildArtifacts } from '../../src/schema/build.js';
import { introspect, introspectSource, latestVersion, UNPUBLISHED_VERSION } from '../../src/schema/source.js';
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

  it('reports the version warnings of the answer', async () => {
    const { warnings } = await introspect(sandbox.url, sandbox.apiVersion, { HEALTHIE_API_KEY: DEMO_API_KEY });
    expect(warnings).toEqual([{ code: 'API_VERSION_SUNSET_WARNING', requested_version: '2026-01-01', sunset_date: '2027-01-31', latest_version: '2026-07-01' }]);
  });

  it('takes the latest version from a warning already received, without another request', async () => {
    const { warnings } = await introspect(sandbox.url, sandbox.apiVersion, { HEALTHIE_API_KEY: DEMO_API_KEY });
    const before = sandbox.requests.length;
    expect(await latestVersion(sandbox.url, warnings, { HEALTHIE_API_KEY: DEMO_API_KEY })).toEqual({ version: '2026-07-01', learntFrom: 'warning' });
    expect(sandbox.requests).toHaveLength(before);
  });

  it('learns the latest version from the refusal of an unpublished version when no warning names it', async () => {
    const before = sandbox.requests.length;
    expect(await latestVersion(sandbox.url, [], { HEALTHIE_API_KEY: DEMO_API_KEY })).toEqual({ version: '2026-07-01', learntFrom: 'refusal' });
    expect(sandbox.requests.slice(before).map((request) => request.headers['healthie-graphql-api-version'])).toEqual([UNPUBLISHED_VERSION]);
  });
});

/**
 * scripts/upstream-check.ts, the weekly workflow's check, run against the built-in sandbox standing
 * in for Healthie: the pinned version's subset, its sunset, and the latest version's changes.
 */
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { APPROVED_SDL_PATH, CLI_TIMEOUT, editSdl, readText, ROOT } from './helpers.js';

function upstreamCheck(url: string, key = DEMO_API_KEY): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'scripts/upstream-check.ts', '--url', url],
      { cwd: ROOT, env: { ...process.env, HEALTHIE_API_KEY: key, HEALTHIE_SHARD: '', NO_COLOR: '1' }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

describe('the upstream check against the sandbox', () => {
  let sandbox: StartedSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it(
    'fails because 2026-01-01 is being sunset, and lists what 2026-07-01 changes in the approved subset',
    async () => {
      const next = editSdl(readText(APPROVED_SDL_PATH), { removeField: [['User', 'dob']], removeArgument: [['Query', 'users', 'keywords']] });
      sandbox = await startSandbox({ extraVersions: { '2026-07-01': next } });
      const { code, output } = await upstreamCheck(sandbox.url);
      expect(code).not.toBe(0);
      expect(output).toContain('== Pinned version 2026-01-01');
      expect(output).toContain('  unchanged');
      expect(output).toContain('Healthie is sunsetting API version 2026-01-01 on 2027-01-31; move to 2026-07-01');
      expect(output).toContain('== Latest version 2026-07-01');
      expect(output).toContain('User.dob: not in source schema');
      expect(output).toContain('Query.users(keywords:): not in source schema');
      expect(sandbox.requests.map((request) => request.headers['healthie-graphql-api-version'])).toEqual(['2026-01-01', '2026-07-01']);
    },
    CLI_TIMEOUT,
  );

  it(
    "fails naming the coordinate when the pinned version's approved subset changed upstream",
    async () => {
      const changed = editSdl(readText(APPROVED_SDL_PATH), { removeField: [['Appointment', 'pm_status']] });
      sandbox = await startSandbox({ extraVersions: { '2026-01-01': changed, '2026-07-01': readText(APPROVED_SDL_PATH) } });
      const { code, output } = await upstreamCheck(sandbox.url);
      expect(code).not.toBe(0);
      expect(output).toContain('Appointment.pm_status: not in source schema');
      expect(output).toContain('the approved subset of 2026-01-01 changed upstream');
    },
    CLI_TIMEOUT,
  );

  it(
    'fails with the reason when the key is refused',
    async () => {
      sandbox = await startSandbox();
      const { code, output } = await upstreamCheck(sandbox.url, 'not-a-key');
      expect(code).not.toBe(0);
      expect(output).toMatch(/at API version 2026-01-01 failed: UNAUTHENTICATED/);
      expect(output).not.toContain('not-a-key');
    },
    CLI_TIMEOUT,
  );
});

/**
 * scripts/upstream-check.ts, the weekly workflow's check, run against the built-in sandbox standing
 * in for Healthie: the pinned version's subset, its sunset, and the latest version's changes, with
 * the latest version learnt on every run (from the warning, or from Healthie's refusal of an
 * unpublished version when the answer carries no warning).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { APPROVED_SDL_PATH, CLI_TIMEOUT, editSdl, readText } from './helpers.js';
import { upstreamCheck } from './upstream-check-helpers.js';

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
      expect(output).toContain("== Latest version 2026-07-01 (named in Healthie's warning)");
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
    'learns the latest version from Healthie refusing an unpublished one when the checked version is not warned about, and passes',
    async () => {
      sandbox = await startSandbox({ extraVersions: { '2026-07-01': readText(APPROVED_SDL_PATH) } });
      const { code, output } = await upstreamCheck(sandbox.url, undefined, ['--api-version', '2026-07-01']);
      expect(output).toContain('== Version 2026-07-01 (--api-version)');
      expect(output).toContain('  unchanged');
      expect(output).not.toContain('Healthie warns');
      expect(output).toContain('== Latest version 2026-07-01 (named by Healthie refusing the unpublished version 1970-01-01)');
      expect(output).toContain('2026-07-01 is the latest version: its drift is the one above');
      expect(output).toContain('upstream check passed');
      expect(code).toBe(0);
      expect(sandbox.requests.map((request) => request.headers['healthie-graphql-api-version'])).toEqual(['2026-07-01', '1970-01-01']);
    },
    CLI_TIMEOUT,
  );
});

/**
 * scripts/upstream-check.ts when Healthie (the built-in sandbox standing in for it) refuses it:
 * the run fails with Healthie's error code and a hint, never with Healthie's message or the key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UNAUTHENTICATED_MESSAGE } from '../../src/sandbox/auth.js';
import { startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { CLI_TIMEOUT } from './helpers.js';
import { upstreamCheck } from './upstream-check-helpers.js';

describe('the upstream check refused by the sandbox', () => {
  let sandbox: StartedSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it(
    'fails with the code and a hint when the key is refused, echoing neither the key nor the message',
    async () => {
      sandbox = await startSandbox();
      const { code, output } = await upstreamCheck(sandbox.url, 'not-a-key');
      expect(code).not.toBe(0);
      expect(output).toMatch(/at API version 2026-01-01 failed: HTTP \d+, UNAUTHENTICATED; check HEALTHIE_API_KEY/);
      expect(output).not.toContain('not-a-key');
      expect(output).not.toContain(UNAUTHENTICATED_MESSAGE);
    },
    CLI_TIMEOUT,
  );

  it(
    'fails naming the refused version and the latest one when --api-version is not published',
    async () => {
      sandbox = await startSandbox();
      const { code, output } = await upstreamCheck(sandbox.url, undefined, ['--api-version', '2031-01-01']);
      expect(code).not.toBe(0);
      expect(output).toMatch(/at API version 2031-01-01 failed: HTTP \d+, UNSUPPORTED_API_VERSION; .*Healthie's latest version is 2026-07-01/);
      expect(output).not.toContain('is not a published API version');
    },
    CLI_TIMEOUT,
  );
});

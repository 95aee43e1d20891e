/** Runs scripts/upstream-check.ts, the weekly workflow's check, as the workflow does. */
import { execFile } from 'node:child_process';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { ROOT } from './helpers.js';

export function upstreamCheck(url: string, key = DEMO_API_KEY, args: readonly string[] = []): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'scripts/upstream-check.ts', '--url', url, ...args],
      { cwd: ROOT, env: { ...process.env, HEALTHIE_API_KEY: key, HEALTHIE_SHARD: '', NO_COLOR: '1' }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

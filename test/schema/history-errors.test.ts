/**
 * Where the previous version's allowlist cannot be read from git: a shallow clone, no repository,
 * or no commit with another version. Each says why, so drift reports can warn instead of silently
 * dropping what the last move removed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allowlistBeforeVersion } from '../../src/schema/history.js';
import { repositoryWith } from './history-helpers.js';

describe('the allowlist of the previous API version, when history cannot tell it', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('warns that a shallow clone hides it, even though the older commit exists upstream', () => {
    const origin = repositoryWith([[undefined, ['offset']], ['2026-01-01', ['first']]]);
    const clone = mkdtempSync(join(tmpdir(), 'healthie-allowlist-shallow-'));
    dirs.push(origin, clone);
    execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${origin}`, clone], { stdio: 'ignore' });
    const previous = allowlistBeforeVersion('2026-01-01', 'schema/approved.yaml', clone);
    expect(previous.allowlist).toBeUndefined();
    expect(previous.warning).toMatch(/git history is shallow \(fetch it with fetch-depth: 0\).*will not be reported/);
  });

  it('warns when the directory is not a git repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'healthie-allowlist-nogit-'));
    dirs.push(dir);
    const previous = allowlistBeforeVersion('2026-01-01', 'schema/approved.yaml', dir);
    expect(previous.allowlist).toBeUndefined();
    expect(previous.warning).toMatch(/git history is not available here/);
  });

  it('warns when every commit declares the current version', () => {
    const dir = repositoryWith([['2026-01-01', ['first']], ['2026-01-01', ['first', 'after']]]);
    dirs.push(dir);
    const previous = allowlistBeforeVersion('2026-01-01', 'schema/approved.yaml', dir);
    expect(previous.allowlist).toBeUndefined();
    expect(previous.warning).toMatch(/no commit of schema\/approved.yaml declares another API version than 2026-01-01/);
  });
});

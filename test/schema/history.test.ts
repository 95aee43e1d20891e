/**
 * The allowlist of the previous Healthie API version, read from real git history (a repository
 * made for each test), and its union with today's allowlist for upstream drift reports.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllowlist } from '../../src/schema/allowlist.js';
import { allowlistBeforeVersion, unionAllowlists } from '../../src/schema/history.js';
import { allowlistText, repositoryWith } from './history-helpers.js';

describe('the allowlist of the previous API version', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is the allowlist at the most recent commit declaring another version, unversioned included', () => {
    const dir = repositoryWith([
      [undefined, ['offset']],
      [undefined, ['offset', 'page_size']],
      ['2026-01-01', ['first']],
      ['2026-01-01', ['first', 'after']],
    ]);
    dirs.push(dir);
    const previous = allowlistBeforeVersion('2026-01-01', 'schema/approved.yaml', dir);
    expect(previous.warning).toBeUndefined();
    expect(previous.apiVersion).toBe('unversioned');
    expect([...previous.allowlist!.query.get('users')!.args.keys()]).toEqual(['offset', 'page_size']);
    expect(previous.origin).toMatch(/^[0-9a-f]{7}$/);
  });

  it('skips earlier commits of the same version and finds the dated version before it', () => {
    const dir = repositoryWith([
      ['2025-10-15', ['page_size']],
      ['2026-01-01', ['first']],
      ['2026-07-01', ['first']],
      ['2026-07-01', ['first', 'last']],
    ]);
    dirs.push(dir);
    const previous = allowlistBeforeVersion('2026-07-01', 'schema/approved.yaml', dir);
    expect(previous.apiVersion).toBe('2026-01-01');
    expect([...previous.allowlist!.query.get('users')!.args.keys()]).toEqual(['first']);
  });
});

describe('the union of two allowlists', () => {
  it("keeps every argument either approves, with today's reasons where both approve a member", () => {
    const today = parseAllowlist(allowlistText('2026-01-01', ['first', 'after'], 'Today.'));
    const earlier = parseAllowlist(allowlistText(undefined, ['offset', 'page_size'], 'Earlier.'));
    const union = unionAllowlists(today, earlier);
    expect(union.healthieApiVersion).toBe('2026-01-01');
    expect([...union.query.get('users')!.args.keys()].sort()).toEqual(['after', 'first', 'offset', 'page_size']);
    expect(union.query.get('users')!.reason).toBe('Today.');
    expect([...union.types.get('User')!.fields.keys()]).toEqual(['id']);
    // The inputs are left as they were.
    expect([...today.query.get('users')!.args.keys()]).toEqual(['first', 'after']);
  });
});

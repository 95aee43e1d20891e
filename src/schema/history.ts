/**
 * The allowlist as it stood on the previous Healthie API version, for upstream drift reports.
 *
 * A move between versions changes the allowlist too: arguments the new version dropped (the
 * unversioned API's `page_size`, `offset`, `should_paginate`) leave it in the same commit. A drift
 * report that filtered the old version with today's allowlist would never see them, and the very
 * removals consumers must hear about would vanish. So the old side is filtered with the union of
 * the allowlist it was approved with and today's: by default the one in git history at the most
 * recent commit whose `healthieApiVersion` differs from today's (or is absent, i.e. unversioned).
 */
import { execFileSync } from 'node:child_process';
import { parseAllowlist, type Allowlist, type ApprovedField, type ApprovedType } from './allowlist.js';

/** Where the old side's allowlist came from, and what to warn about when it is only today's. */
export interface PreviousAllowlist {
  /** undefined when no earlier version was found: the caller filters with today's allowlist only. */
  readonly allowlist?: Allowlist;
  /** A commit (short hash) or the file given with --from-allowlist. */
  readonly origin?: string;
  /** The earlier allowlist's version, `unversioned` when it declared none. */
  readonly apiVersion?: string;
  /** Set when the history could not be read: why, and what the report may then miss. */
  readonly warning?: string;
}

const git = (cwd: string | undefined, args: readonly string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 * 1024 * 1024 });

const MISSES = 'arguments and fields dropped from the allowlist during the last move will not be reported';

/**
 * The allowlist at the most recent commit (reachable from HEAD) whose `healthieApiVersion`
 * differs from `currentVersion`. Fails soft with a warning when git or its history is missing.
 */
export function allowlistBeforeVersion(currentVersion: string | undefined, path = 'schema/approved.yaml', cwd?: string): PreviousAllowlist {
  let commits: string[];
  try {
    if (git(cwd, ['rev-parse', '--is-shallow-repository']).trim() === 'true') {
      return { warning: `git history is shallow (fetch it with fetch-depth: 0), so the allowlist of the previous API version is unknown: ${MISSES}` };
    }
    commits = git(cwd, ['log', '--format=%H', '--', path]).split('\n').filter(Boolean);
  } catch {
    return { warning: `git history is not available here, so the allowlist of the previous API version is unknown: ${MISSES}` };
  }
  for (const commit of commits) {
    let text: string;
    try {
      text = git(cwd, ['show', `${commit}:${path}`]);
    } catch {
      continue; // the file was deleted in this commit
    }
    let allowlist: Allowlist;
    try {
      allowlist = parseAllowlist(text, `${path}@${commit.slice(0, 7)}`);
    } catch {
      continue; // an unreadable historical version cannot describe the old side
    }
    if (allowlist.healthieApiVersion !== currentVersion) {
      return { allowlist, origin: commit.slice(0, 7), apiVersion: allowlist.healthieApiVersion ?? 'unversioned' };
    }
  }
  return { warning: `no commit of ${path} declares another API version than ${currentVersion ?? 'unversioned'}: ${MISSES}` };
}

function unionFields(preferred: ReadonlyMap<string, ApprovedField>, other: ReadonlyMap<string, ApprovedField>): Map<string, ApprovedField> {
  const fields = new Map(other);
  for (const [name, field] of preferred) {
    const earlier = other.get(name);
    // Today's entry wins (reason, phi, defaults); arguments only the earlier one approved are kept.
    fields.set(name, earlier ? { ...field, args: new Map([...earlier.args, ...field.args]) } : field);
  }
  return fields;
}

/** Everything either allowlist approves; where both approve a member, `preferred`'s entry is used. */
export function unionAllowlists(preferred: Allowlist, other: Allowlist): Allowlist {
  const types = new Map<string, ApprovedType>(other.types);
  for (const [name, type] of preferred.types) {
    const earlier = other.types.get(name);
    types.set(name, earlier ? { ...type, fields: unionFields(type.fields, earlier.fields) } : type);
  }
  return {
    ...(preferred.healthieApiVersion ? { healthieApiVersion: preferred.healthieApiVersion } : {}),
    query: unionFields(preferred.query, other.query),
    mutation: unionFields(preferred.mutation, other.mutation),
    types,
  };
}

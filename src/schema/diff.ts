/**
 * Schema change reports for `npm run schema:check`, by schema coordinate, with
 * @graphql-inspector/core deciding what is breaking.
 */
import { execFileSync } from 'node:child_process';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import type { Allowlist } from './allowlist.js';
import { applyAllowlist, checkAllowlist } from './filter.js';
import { unionAllowlists } from './history.js';

export interface ChangeReport {
  readonly breaking: readonly string[];
  readonly other: readonly string[];
}

function describe(change: Change): string {
  return change.path ? `${change.path}: ${change.message}` : change.message;
}

export async function compareSchemas(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): Promise<ChangeReport> {
  const changes = await diff(oldSchema, newSchema);
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  const other = changes.filter((c) => c.criticality.level !== CriticalityLevel.Breaking);
  return { breaking: breaking.map(describe), other: other.map(describe) };
}

/** SDL with federation directives, read as a plain schema for comparison. */
export function schemaFromSdl(sdl: string): GraphQLSchema {
  return buildSchema(sdl, { assumeValidSDL: true });
}

/**
 * Upstream drift: what changed between two Healthie versions within the approved subset only.
 * An entry that the new version no longer satisfies (a removed field, a newly required input
 * field) is reported as breaking by its coordinate, and so is every breaking change between the
 * two versions' approved members (a list that became a connection, a String id that became ID);
 * changes outside the subset do not appear. The old version need not satisfy the allowlist: it
 * may be the version the subgraph is moving away from. `oldAllowlist`, the allowlist the old
 * version was approved with, widens the old side (unioned with `allowlist`), so what the move
 * dropped from the allowlist (removed arguments) is reported too instead of filtered out of both.
 */
export async function compareUpstream(
  oldSource: GraphQLSchema,
  newSource: GraphQLSchema,
  allowlist: Allowlist,
  oldAllowlist?: Allowlist,
): Promise<ChangeReport> {
  const unmet = checkAllowlist(newSource, allowlist);
  const oldSide = oldAllowlist ? unionAllowlists(allowlist, oldAllowlist) : allowlist;
  const changes = await compareSchemas(applyAllowlist(oldSource, oldSide), applyAllowlist(newSource, allowlist));
  return { breaking: [...unmet, ...changes.breaking], other: changes.other };
}

/** A file's contents at a git ref, or undefined when the ref or the file does not exist there. */
export function readAtRef(ref: string, path: string): string | undefined {
  try {
    return execFileSync('git', ['show', `${ref}:${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** The default base for breaking-change checks: origin/main when it exists, else the previous commit. */
export function defaultBaseRef(): string | undefined {
  for (const ref of ['origin/main', 'HEAD~1']) {
    try {
      execFileSync('git', ['rev-parse', '--verify', '--quiet', ref], { stdio: 'ignore' });
      return ref;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

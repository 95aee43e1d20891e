/**
 * Reviewed breaking changes of the subgraph SDL (`schema/breaking-changes.yaml`).
 *
 * A move to another Healthie API version can break consumers on purpose (2026-01-01 turned lists
 * into connections). `npm run schema:check` still lists every breaking change by coordinate, but
 * passes when each one is acknowledged for exactly that move: an entry names the version the base
 * schema was built for (`from`, "unversioned" before versions were recorded) and the version of
 * the new one (`to`). Once the move is on the base, its entries no longer apply, so any later
 * breaking change fails again until it is reviewed in its own entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const ACKNOWLEDGED_FILE = 'schema/breaking-changes.yaml';
export const UNVERSIONED = 'unversioned';

export interface Acknowledgement {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly changes: readonly string[];
}

export function loadAcknowledgements(path = ACKNOWLEDGED_FILE): Acknowledgement[] {
  if (!existsSync(path)) return [];
  const entries: unknown = parse(readFileSync(path, 'utf8')) ?? [];
  if (!Array.isArray(entries)) throw new Error(`${path}: expected a list of { from, to, reason, changes } entries`);
  return entries.map((entry: Record<string, unknown>, index) => {
    const { from, to, reason, changes } = entry ?? {};
    const ok = [from, to, reason].every((value) => typeof value === 'string' && value.trim() !== '') &&
      Array.isArray(changes) && changes.every((change) => typeof change === 'string');
    if (!ok) throw new Error(`${path}: entry ${index + 1} needs from, to, reason (strings) and changes (a list of strings)`);
    return { from: from as string, to: to as string, reason: reason as string, changes: changes as string[] };
  });
}

/** Splits breaking changes into those acknowledged for the move `from` → `to` and the rest. */
export function partitionBreaking(
  breaking: readonly string[],
  from: string,
  to: string,
  acknowledgements: readonly Acknowledgement[],
): { acknowledged: string[]; unacknowledged: string[] } {
  const accepted = new Set(acknowledgements.filter((a) => a.from === from && a.to === to).flatMap((a) => a.changes));
  return {
    acknowledged: breaking.filter((change) => accepted.has(change)),
    unacknowledged: breaking.filter((change) => !accepted.has(change)),
  };
}

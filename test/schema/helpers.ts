/**
 * Shared paths for the schema tests. The real Healthie snapshots live beside the project in
 * ../shared/healthie and are never copied into the repository; tests that need them are skipped
 * (with a note on the console) on machines where they are absent.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, print, visit, type DocumentNode } from 'graphql';
import type { SubgraphSource } from '../../src/schema/compose.js';

/** The project root (/work/main), from this file's location rather than the working directory. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const fromRoot = (...parts: string[]): string => resolve(ROOT, ...parts);

export const SNAPSHOT_DIR = fromRoot('../shared/healthie');
export const SNAPSHOT_2024_09_11 = resolve(SNAPSHOT_DIR, 'schema-2024-09-11.graphql');
export const SNAPSHOT_2024_11_07 = resolve(SNAPSHOT_DIR, 'schema-2024-11-07.graphql');
/** Healthie API version 2026-01-01: the source the committed schema is built from. */
export const SNAPSHOT_2026_01_01 = resolve(SNAPSHOT_DIR, 'schema-api-2026-01-01.graphql');

/**
 * Whether this clone has its git history (not a shallow clone): the checks that read the
 * allowlist of an earlier API version from history need it, and fall back to today's without it.
 */
export const haveHistory = (() => {
  const result = spawnSync('git', ['rev-parse', '--is-shallow-repository'], { cwd: ROOT, encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === 'false';
})();

export const haveSnapshots = existsSync(SNAPSHOT_2024_09_11) && existsSync(SNAPSHOT_2024_11_07) && existsSync(SNAPSHOT_2026_01_01);

/** Prints why a group of tests is skipped; call at module level next to `describe.skipIf`. */
export function noteIfSnapshotsMissing(what: string): void {
  if (!haveSnapshots) {
    console.warn(
      `[schema tests] SKIPPED ${what}: the Healthie snapshots are not at ${SNAPSHOT_DIR} ` +
        '(expected schema-2024-09-11.graphql, schema-2024-11-07.graphql and schema-api-2026-01-01.graphql beside the project).',
    );
  }
}

export const readText = (path: string): string => readFileSync(path, 'utf8');

/** Committed artifacts. */
export const SUBGRAPH_SDL_PATH = fromRoot('schema/healthie.graphql');
export const APPROVED_SDL_PATH = fromRoot('schema/healthie-approved.graphql');
export const ALLOWLIST_PATH = fromRoot('schema/approved.yaml');

export interface SdlEdit {
  /** Remove `type.field` (object, interface or input type). */
  readonly removeField?: readonly (readonly [type: string, field: string])[];
  /** Remove argument `arg` of `type.field`. */
  readonly removeArgument?: readonly (readonly [type: string, field: string, arg: string])[];
  /** Add a field, given as SDL (for example `reason_code: String!`), to an input type. */
  readonly addInputField?: readonly (readonly [type: string, sdl: string])[];
}

/** A Healthie SDL with some members removed or added, printed back to SDL. */
export function editSdl(sdl: string, edit: SdlEdit): string {
  const document: DocumentNode = parse(sdl, { noLocation: true });
  let applied = 0;
  const expected =
    (edit.removeField?.length ?? 0) + (edit.removeArgument?.length ?? 0) + (edit.addInputField?.length ?? 0);
  const edited = visit(document, {
    ObjectTypeDefinition(node) {
      const fields = node.fields?.flatMap((field) => {
        if (edit.removeField?.some(([t, f]) => t === node.name.value && f === field.name.value)) {
          applied++;
          return [];
        }
        const args = field.arguments?.filter((arg) => {
          const remove = edit.removeArgument?.some(
            ([t, f, a]) => t === node.name.value && f === field.name.value && a === arg.name.value,
          );
          if (remove) applied++;
          return !remove;
        });
        return [{ ...field, arguments: args }];
      });
      return { ...node, fields };
    },
    InputObjectTypeDefinition(node) {
      const fields = (node.fields ?? []).filter((field) => {
        const remove = edit.removeField?.some(([t, f]) => t === node.name.value && f === field.name.value);
        if (remove) applied++;
        return !remove;
      });
      for (const [type, fieldSdl] of edit.addInputField ?? []) {
        if (type !== node.name.value) continue;
        const added = parse(`input X { ${fieldSdl} }`, { noLocation: true }).definitions[0];
        if (added?.kind === 'InputObjectTypeDefinition') fields.push(...(added.fields ?? []));
        applied++;
      }
      return { ...node, fields };
    },
  });
  // An edit that matched nothing would make a test pass for the wrong reason.
  if (applied !== expected) throw new Error(`editSdl applied ${applied} of ${expected} edits`);
  return print(edited);
}

const CONSUMER_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@external", "@requires"])';

/** A consumer subgraph whose tickets point at a patient, with its own view of HealthieUser. */
export function consumer(healthieUser: string): SubgraphSource {
  return {
    name: 'other-consumer',
    url: 'http://localhost/other-consumer',
    sdl: `${CONSUMER_LINK}
      type Query { ticket(id: ID!): Ticket }
      type Ticket @key(fields: "id") { id: ID! patient: HealthieUser }
      ${healthieUser}`,
  };
}

/** Runs `npx tsx scripts/schema-check.ts …` in the project root; resolves with exit code and output. */
export function schemaCheck(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      'npx',
      ['tsx', 'scripts/schema-check.ts', ...args],
      { cwd: ROOT, env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolvePromise({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Time allowed for one CLI run (about 2 s alone; more when test files run side by side). */
export const CLI_TIMEOUT = 90_000;

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  editSdl,
  haveSnapshots,
  noteIfSnapshotsMissing,
  readText,
  ROOT,
  SNAPSHOT_2024_09_11,
  SNAPSHOT_2024_11_07,
} from './helpers.js';

/** Runs `npx tsx scripts/schema-check.ts …` in the project root; never rejects. */
function schemaCheck(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      'npx',
      ['tsx', 'scripts/schema-check.ts', ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolvePromise({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

const CLI_TIMEOUT = 90_000;

describe('npm run schema:check on the committed tree', () => {
  it(
    'passes: committed schema files up to date (when the snapshot is present) and composition succeeds',
    async () => {
      const { code, output } = await schemaCheck([]);
      expect(output).toContain('schema:check passed');
      expect(code).toBe(0);
      expect(output).toContain('composes');
      if (haveSnapshots) {
        expect(output).toContain('schema/healthie.graphql: up to date');
        expect(output).toContain('schema/healthie-approved.graphql: up to date');
      }
    },
    CLI_TIMEOUT,
  );

  it(
    'fails with a usage message when --from is given without --to',
    async () => {
      const { code, output } = await schemaCheck(['--from', 'old.graphql']);
      expect(code).not.toBe(0);
      expect(output).toContain('--from and --to go together');
    },
    CLI_TIMEOUT,
  );
});

noteIfSnapshotsMissing('check-cli.test.ts runs of schema:check against the Healthie snapshots');

describe.skipIf(!haveSnapshots)('npm run schema:check against the Healthie snapshots', () => {
  let dir: string;
  let withoutDob: string;
  let drifted: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'healthie-schema-check-'));
    const latest = readText(SNAPSHOT_2024_11_07);
    withoutDob = join(dir, 'schema-without-user-dob.graphql');
    writeFileSync(withoutDob, editSdl(latest, { removeField: [['User', 'dob']] }));
    drifted = join(dir, 'schema-drifted.graphql');
    writeFileSync(
      drifted,
      editSdl(latest, {
        removeField: [['Appointment', 'pm_status']],
        removeArgument: [['Query', 'users', 'keywords']],
        addInputField: [['createAppointmentInput', 'reason_code: String!']],
      }),
    );
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'fails the drift check naming User.dob when the source no longer has it (--source)',
    async () => {
      const { code, output } = await schemaCheck(['--source', withoutDob]);
      expect(code).not.toBe(0);
      expect(output).toContain('User.dob: not in source schema');
      expect(output).not.toContain('schema:check passed');
    },
    CLI_TIMEOUT,
  );

  it(
    'passes --from 2024-09-11 --to 2024-11-07, listing only non-breaking drift',
    async () => {
      const { code, output } = await schemaCheck(['--from', SNAPSHOT_2024_09_11, '--to', SNAPSHOT_2024_11_07]);
      expect(code).toBe(0);
      expect(output).toContain('schema:check passed');
      expect(output).not.toContain('Breaking:');
      expect(output).toContain('Not breaking:');
      expect(output).toContain('Query.availableSlotsForRange.start_date');
    },
    CLI_TIMEOUT,
  );

  it(
    'fails --from <snapshot> --to <copy without approved members>, naming every coordinate',
    async () => {
      const { code, output } = await schemaCheck(['--from', SNAPSHOT_2024_11_07, '--to', drifted]);
      expect(code).not.toBe(0);
      expect(output).toContain('Breaking:');
      expect(output).toContain('Appointment.pm_status: not in source schema');
      expect(output).toContain('Query.users(keywords:): not in source schema');
      expect(output).toContain('createAppointmentInput.reason_code: required by Healthie but not approved');
      expect(output).toContain('upstream drift: 3 breaking change(s) in the approved subset');
    },
    CLI_TIMEOUT,
  );
});

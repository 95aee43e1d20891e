import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLI_TIMEOUT,
  editSdl,
  haveSnapshots,
  noteIfSnapshotsMissing,
  readText,
  schemaCheck,
  SNAPSHOT_2024_11_07,
} from './helpers.js';

describe('npm run schema:check misuse', () => {
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

noteIfSnapshotsMissing('check-cli-errors.test.ts runs of schema:check against edited Healthie snapshots');

describe.skipIf(!haveSnapshots)('npm run schema:check against edited copies of the 2024-11-07 snapshot', () => {
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
    'fails the drift check naming User.dob when --source no longer has it',
    async () => {
      const { code, output } = await schemaCheck(['--source', withoutDob]);
      expect(code).not.toBe(0);
      expect(output).toContain('User.dob: not in source schema');
      expect(output).not.toContain('schema:check passed');
    },
    CLI_TIMEOUT,
  );

  it(
    'fails --from <snapshot> --to <copy with approved members removed or newly required>, naming every coordinate',
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  haveHistory,
  CLI_TIMEOUT,
  editSdl,
  haveSnapshots,
  noteIfSnapshotsMissing,
  readText,
  schemaCheck,
  SNAPSHOT_2026_01_01,
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

  it(
    'fails with a usage message when --from-allowlist is given without --from and --to',
    async () => {
      const { code, output } = await schemaCheck(['--from-allowlist', 'schema/approved.yaml']);
      expect(code).not.toBe(0);
      expect(output).toContain('--from-allowlist names the old side of --from <old schema> --to <new schema>');
    },
    CLI_TIMEOUT,
  );

  it(
    'fails naming the file when --from-allowlist does not exist',
    async () => {
      const { code, output } = await schemaCheck(['--from', 'old.graphql', '--to', 'new.graphql', '--from-allowlist', 'no-such-allowlist.yaml']);
      expect(code).not.toBe(0);
      expect(output).toContain('no-such-allowlist.yaml');
      expect(output).not.toContain('schema:check passed');
    },
    CLI_TIMEOUT,
  );
});

noteIfSnapshotsMissing('check-cli-errors.test.ts runs of schema:check against edited Healthie snapshots');

describe.skipIf(!haveSnapshots)('npm run schema:check against edited copies of the 2026-01-01 snapshot', () => {
  let dir: string;
  let withoutDob: string;
  let drifted: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'healthie-schema-check-'));
    const latest = readText(SNAPSHOT_2026_01_01);
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
      const { code, output } = await schemaCheck(['--from', SNAPSHOT_2026_01_01, '--to', drifted]);
      expect(code).not.toBe(0);
      expect(output).toContain('Breaking:');
      expect(output).toContain('Appointment.pm_status: not in source schema');
      expect(output).toContain('Query.users(keywords:): not in source schema');
      expect(output).toContain('createAppointmentInput.reason_code: required by Healthie but not approved');
      expect(output).toContain("Appointment.pm_status: Field 'pm_status' was removed from object type 'Appointment'");
      expect(output).toMatch(/upstream drift: \d+ breaking change\(s\) in the approved subset/);
    },
    CLI_TIMEOUT,
  );
});

/** schema/healthie.graphql as it was before Healthie API versions were recorded (the commit before the move to 2026-01-01). */
const UNVERSIONED_BASE_REF = '1a0920b';

// Reads an earlier commit's schema from git history, which a shallow clone does not have.
describe.skipIf(!haveHistory)('breaking changes of the subgraph against its base', () => {
  let dir: string;
  let unversioned: string;
  let withExtraField: string;
  let versionedWithExtraField: string;

  beforeAll(async () => {
    const { execFileSync } = await import('node:child_process');
    dir = mkdtempSync(join(tmpdir(), 'healthie-schema-base-'));
    const before = execFileSync('git', ['show', `${UNVERSIONED_BASE_REF}:schema/healthie.graphql`], { encoding: 'utf8' });
    unversioned = join(dir, 'unversioned.graphql');
    writeFileSync(unversioned, before);
    // A base that also had HealthieUser.ssn: the current schema "removes" it, a change nobody acknowledged.
    withExtraField = join(dir, 'unversioned-with-extra-field.graphql');
    writeFileSync(withExtraField, before.replace('type HealthieUser @key(fields: "id") {', 'type HealthieUser @key(fields: "id") {\n  ssn: String'));
    versionedWithExtraField = join(dir, 'versioned-with-extra-field.graphql');
    const current = readText('schema/healthie.graphql');
    writeFileSync(versionedWithExtraField, current.replace('type HealthieUser @key(fields: "id") {', 'type HealthieUser @key(fields: "id") {\n  ssn: String'));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'passes against the unversioned schema, listing the 29 breaking changes acknowledged in schema/breaking-changes.yaml',
    async () => {
      const { code, output } = await schemaCheck(['--base', unversioned]);
      expect(output).toContain('Breaking, acknowledged in schema/breaking-changes.yaml for unversioned → 2026-01-01:');
      expect(output).toContain("Query.healthieUsers: Field 'Query.healthieUsers' changed type from '[HealthieUser!]' to 'HealthieUserConnection!'");
      expect(output).not.toContain('not acknowledged');
      expect(output).toContain('schema:check passed');
      expect(code).toBe(0);
    },
    CLI_TIMEOUT,
  );

  it(
    'fails on a breaking change the acknowledgement does not list, naming its coordinate',
    async () => {
      const { code, output } = await schemaCheck(['--base', withExtraField]);
      expect(code).not.toBe(0);
      expect(output).toContain('Breaking, not acknowledged (unversioned → 2026-01-01):');
      expect(output).toMatch(/HealthieUser\.ssn: Field 'ssn' .*removed/);
      expect(output).toContain('breaking: 1 breaking change(s)');
    },
    CLI_TIMEOUT,
  );

  it(
    'does not apply the acknowledgement of one move to another: a breaking change on 2026-01-01 itself fails',
    async () => {
      const { code, output } = await schemaCheck(['--base', versionedWithExtraField]);
      expect(code).not.toBe(0);
      expect(output).toContain('Breaking, not acknowledged (2026-01-01 → 2026-01-01):');
      expect(output).toContain('breaking: 1 breaking change(s)');
    },
    CLI_TIMEOUT,
  );
});

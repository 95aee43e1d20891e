import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { allowlistBeforeVersion } from '../../src/schema/history.js';
import {
  CLI_TIMEOUT,
  haveHistory,
  haveSnapshots,
  noteIfSnapshotsMissing,
  schemaCheck,
  SNAPSHOT_2024_11_07,
  SNAPSHOT_2026_01_01,
} from './helpers.js';

describe('npm run schema:check on the committed tree', () => {
  it(
    'passes: committed schema files are up to date (when the snapshot is present) and composition succeeds',
    async () => {
      const { code, output } = await schemaCheck([]);
      expect(output).toContain('schema:check passed');
      expect(code).toBe(0);
      expect(output).toContain('  composes');
      if (haveSnapshots) {
        expect(output).toContain('schema/healthie.graphql: up to date');
        expect(output).toContain('schema/healthie-approved.graphql: up to date');
      } else {
        expect(output).toContain('skipped:');
      }
    },
    CLI_TIMEOUT,
  );
});

describe('npm run schema:check against a live endpoint and a base commit', () => {
  let sandbox: StartedSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it(
    'rebuilds from --source <url> at the allowlist\'s version, as the next move\'s step 3 does, and finds the files up to date',
    async () => {
      const { code, output } = await schemaCheck(['--source', sandbox.url, '--base', 'HEAD'], { HEALTHIE_API_KEY: DEMO_API_KEY, HEALTHIE_SHARD: '' });
      expect(output).toContain(`Drift: committed schema/ against a rebuild from ${sandbox.url} (Healthie API version 2026-01-01)`);
      expect(output).not.toContain('skipped');
      expect(output).toContain('schema/healthie.graphql: up to date');
      expect(output).toContain('schema/healthie-approved.graphql: up to date');
      expect(code).toBe(0);
      expect(sandbox.requests.at(-1)!.headers['healthie-graphql-api-version']).toBe('2026-01-01');
    },
    CLI_TIMEOUT,
  );

  it.skipIf(!haveHistory)(
    'compares with a commit given by hash, as CI does with the commit before a push, and lists the acknowledged move',
    async () => {
      const beforeMove = allowlistBeforeVersion('2026-01-01').origin;
      expect(beforeMove).toMatch(/^[0-9a-f]{7}$/);
      const { code, output } = await schemaCheck(['--base', beforeMove!]);
      expect(output).toContain(`against ${beforeMove}`);
      expect(output).toContain('Breaking, acknowledged in schema/breaking-changes.yaml for unversioned → 2026-01-01:');
      expect(output).toContain("Query.healthieUsers.pageSize: Argument 'pageSize: Int' was removed from field 'Query.healthieUsers'");
      expect(output).toContain('schema:check passed');
      expect(code).toBe(0);
    },
    CLI_TIMEOUT,
  );
});

noteIfSnapshotsMissing('check-cli.test.ts --from/--to run between the two Healthie snapshots');

describe.skipIf(!haveSnapshots)('npm run schema:check between Healthie versions', () => {
  it(
    'passes --from 2026-01-01 --to the same version: no change touches the approved subset',
    async () => {
      const { code, output } = await schemaCheck(['--from', SNAPSHOT_2026_01_01, '--to', SNAPSHOT_2026_01_01]);
      expect(code).toBe(0);
      expect(output).toContain('no change touches the approved subset');
    },
    CLI_TIMEOUT,
  );

  it(
    'fails --from 2024-11-07 --to 2026-01-01, listing the breaking changes inside the approved subset by coordinate',
    async () => {
      const { code, output } = await schemaCheck(['--from', SNAPSHOT_2024_11_07, '--to', SNAPSHOT_2026_01_01]);
      expect(code).not.toBe(0);
      expect(output).toContain('Breaking:');
      for (const coordinate of [
        "Query.users: Field 'Query.users' changed type from '[User!]' to 'UserConnection!'",
        "Query.appointments: Field 'Query.appointments' changed type from '[Appointment!]' to 'AppointmentPaginationConnection'",
        "Query.availableSlotsForRange.provider_id: Type for argument 'provider_id' on field 'Query.availableSlotsForRange' changed from 'String' to 'ID!'",
        "Mutation.createAppointment.input: Type for argument 'input' on field 'Mutation.createAppointment' changed from 'createAppointmentInput' to 'createAppointmentInput!'",
        "User.dob: Field 'User.dob' changed type from 'String' to 'ISO8601Date'",
      ]) {
        expect(output).toContain(coordinate);
      }
      // The paging arguments left the allowlist with the move; the old side still reports them,
      // from the allowlist in git history (a shallow clone falls back to today's, with a warning).
      if (!haveHistory) return;
      expect(output).toMatch(/old side: schema\/approved.yaml unioned with the allowlist of unversioned \(schema\/approved.yaml at [0-9a-f]{7}\)/);
      for (const field of ['users', 'organizationMembers', 'appointments', 'appointmentTypes']) {
        for (const arg of ['offset', 'page_size']) {
          expect(output).toContain(`Query.${field}.${arg}: Argument '${arg}: Int' was removed from field 'Query.${field}'`);
        }
      }
      expect(output).toContain("Query.appointments.should_paginate: Argument 'should_paginate: Boolean' was removed from field 'Query.appointments'");
      // schema/breaking-changes.yaml's 29, plus members approved only since the move whose Healthie type changed.
      expect(output).toContain('upstream drift: 33 breaking change(s) in the approved subset');
    },
    CLI_TIMEOUT,
  );

  it(
    'filters the old side with the allowlist given by --from-allowlist instead of the one in git history',
    async () => {
      const { code, output } = await schemaCheck(['--from', SNAPSHOT_2024_11_07, '--to', SNAPSHOT_2026_01_01, '--from-allowlist', 'schema/approved.yaml']);
      expect(code).not.toBe(0);
      expect(output).toContain('old side: schema/approved.yaml unioned with the allowlist of 2026-01-01 (schema/approved.yaml)');
      expect(output).not.toContain('was removed from field');
      expect(output).toContain("Query.users: Field 'Query.users' changed type from '[User!]' to 'UserConnection!'");
    },
    CLI_TIMEOUT,
  );
});

import { describe, expect, it } from 'vitest';
import {
  CLI_TIMEOUT,
  haveSnapshots,
  noteIfSnapshotsMissing,
  schemaCheck,
  SNAPSHOT_2024_09_11,
  SNAPSHOT_2024_11_07,
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

noteIfSnapshotsMissing('check-cli.test.ts --from/--to run between the two Healthie snapshots');

describe.skipIf(!haveSnapshots)('npm run schema:check between the two Healthie snapshots', () => {
  it(
    'passes --from 2024-09-11 --to 2024-11-07, listing only non-breaking drift in the approved subset',
    async () => {
      const { code, output } = await schemaCheck(['--from', SNAPSHOT_2024_09_11, '--to', SNAPSHOT_2024_11_07]);
      expect(code).toBe(0);
      expect(output).toContain('schema:check passed');
      expect(output).not.toContain('Breaking:');
      expect(output).toContain('Not breaking:');
      expect(output).toContain('Query.availableSlotsForRange.start_date');
      expect(output).toContain('Query.availableSlotsForRange.end_date');
    },
    CLI_TIMEOUT,
  );
});

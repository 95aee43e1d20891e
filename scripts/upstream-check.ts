/**
 * npx tsx scripts/upstream-check.ts --url <Healthie GraphQL endpoint> [--api-version <date>]
 *
 * The scheduled check for the next Healthie API version (.github/workflows/healthie-upstream.yml),
 * with HEALTHIE_API_KEY (and HEALTHIE_SHARD) from the environment. On every run:
 *   1. introspects the endpoint at the pinned version (healthieApiVersion in schema/approved.yaml,
 *      or --api-version to look at another) and compares its approved subset with the committed
 *      schema/healthie-approved.graphql;
 *   2. learns Healthie's newest version: the `latest_version` of Healthie's warnings, or, when the
 *      answer carried none (the pinned version is not being sunset), the one Healthie names when it
 *      refuses a request on an unpublished version;
 *   3. introspects the newest version too (unless it is the pinned one) and reports its changes to
 *      the approved subset: the work the next move needs.
 * Fails, naming every coordinate, when the pinned version's subset changed or Healthie is sunsetting
 * the pinned version. Works against the built-in sandbox too (see test/schema/upstream-check.test.ts).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAllowlist } from '../src/schema/allowlist.js';
import { ALLOWLIST_FILE, APPROVED_SDL_FILE, buildApiVersion } from '../src/schema/build.js';
import { compareUpstream, schemaFromSdl } from '../src/schema/diff.js';
import { introspect, latestVersion, UNPUBLISHED_VERSION } from '../src/schema/source.js';
import { runCli } from './cli.js';

const list = (lines: readonly string[]) => lines.forEach((line) => console.log(`  ${line}`));

runCli(async () => {
  const { values } = parseArgs({ options: { url: { type: 'string' }, 'api-version': { type: 'string' } } });
  if (!values.url) throw new Error('--url <Healthie GraphQL endpoint> is required, e.g. --url https://api.gethealthie.com/graphql');
  const allowlist = loadAllowlist(ALLOWLIST_FILE);
  const pinned = buildApiVersion(allowlist, values['api-version']);
  const committed = schemaFromSdl(readFileSync(APPROVED_SDL_FILE, 'utf8'));
  const failures: string[] = [];

  const label = values['api-version'] ? `Version ${pinned} (--api-version)` : `Pinned version ${pinned}`;
  console.log(`== ${label}: live approved subset against ${APPROVED_SDL_FILE}`);
  const live = await introspect(values.url, pinned);
  const drift = await compareUpstream(committed, live.schema, allowlist);
  if (drift.breaking.length + drift.other.length === 0) console.log('  unchanged');
  else {
    list([...drift.breaking, ...drift.other]);
    failures.push(`the approved subset of ${pinned} changed upstream (${drift.breaking.length} breaking, ${drift.other.length} other); rebuild with npm run schema:build -- --from ${values.url} and review`);
  }

  const sunset = live.warnings.find((warning) => warning.code === 'API_VERSION_SUNSET_WARNING');
  for (const warning of live.warnings) console.log(`  Healthie warns: ${warning.code}${warning.sunset_date ? ` (sunset ${warning.sunset_date})` : ''}${warning.latest_version ? ` (latest ${warning.latest_version})` : ''}`);
  if (sunset) {
    failures.push(`Healthie is sunsetting API version ${pinned}${sunset.sunset_date ? ` on ${sunset.sunset_date}` : ''}; move to ${sunset.latest_version ?? 'the latest version'} (README: "Moving to the next Healthie API version")`);
  }

  const latest = await latestVersion(values.url, live.warnings);
  const how = latest.learntFrom === 'warning' ? "named in Healthie's warning" : `named by Healthie refusing the unpublished version ${UNPUBLISHED_VERSION}`;
  console.log(`\n== Latest version ${latest.version} (${how}): its approved subset against ${APPROVED_SDL_FILE}`);
  if (latest.version === pinned) console.log(`  ${pinned} is the latest version: its drift is the one above`);
  else {
    const next = await compareUpstream(committed, (await introspect(values.url, latest.version)).schema, allowlist);
    if (next.breaking.length > 0) {
      console.log('Breaking (to handle in the move):');
      list(next.breaking);
    }
    if (next.other.length > 0) {
      console.log('Not breaking:');
      list(next.other);
    }
    if (next.breaking.length + next.other.length === 0) console.log('  no change touches the approved subset: the move is a rebuild');
  }

  if (failures.length > 0) throw new Error(`\nupstream check failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  console.log('\nupstream check passed');
});

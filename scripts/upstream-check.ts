/**
 * npx tsx scripts/upstream-check.ts --url <Healthie GraphQL endpoint>
 *
 * The scheduled check for the next Healthie API version (.github/workflows/healthie-upstream.yml),
 * with HEALTHIE_API_KEY (and HEALTHIE_SHARD) from the environment:
 *   1. introspects the endpoint at the pinned version (healthieApiVersion in schema/approved.yaml)
 *      and compares its approved subset with the committed schema/healthie-approved.graphql;
 *   2. introspects it again at the `latest_version` Healthie names in its sunset warning, and
 *      reports that version's changes to the approved subset: the work the next move needs.
 * Fails, naming every coordinate, when the pinned version's subset changed or Healthie is sunsetting
 * the pinned version. Works against the built-in sandbox too (see test/schema/upstream-check.test.ts).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAllowlist } from '../src/schema/allowlist.js';
import { ALLOWLIST_FILE, APPROVED_SDL_FILE, buildApiVersion } from '../src/schema/build.js';
import { compareUpstream, schemaFromSdl } from '../src/schema/diff.js';
import { introspect } from '../src/schema/source.js';
import { runCli } from './cli.js';

const list = (lines: readonly string[]) => lines.forEach((line) => console.log(`  ${line}`));

runCli(async () => {
  const { values } = parseArgs({ options: { url: { type: 'string' } } });
  if (!values.url) throw new Error('--url <Healthie GraphQL endpoint> is required, e.g. --url https://api.gethealthie.com/graphql');
  const allowlist = loadAllowlist(ALLOWLIST_FILE);
  const pinned = buildApiVersion(allowlist);
  const committed = schemaFromSdl(readFileSync(APPROVED_SDL_FILE, 'utf8'));
  const failures: string[] = [];

  console.log(`== Pinned version ${pinned}: live approved subset against ${APPROVED_SDL_FILE}`);
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

  const latest = sunset?.latest_version;
  if (latest && latest !== pinned) {
    console.log(`\n== Latest version ${latest}: its approved subset against ${APPROVED_SDL_FILE}`);
    const next = await compareUpstream(committed, (await introspect(values.url, latest)).schema, allowlist);
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

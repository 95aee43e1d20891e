/**
 * npm run schema:check — the offline counterpart of Rover's checks, run in CI.
 *
 *   (no flags)            drift + composition + breaking changes against the base ref
 *   --source <file|url>   Healthie source for the drift check (default: the snapshot of the allowlist's
 *                         healthieApiVersion, ../shared/healthie/schema-api-<version>.graphql); a URL is
 *                         introspected at that version with HEALTHIE_API_KEY, as when moving to a
 *                         version that has no local snapshot
 *   --base <ref|file>     base for breaking changes: a git ref or commit hash (default: origin/main, else
 *                         the previous commit; CI passes the commit before the push, or the PR's base)
 *                         or a subgraph SDL file
 *   --from OLD --to NEW   upstream drift between two Healthie versions, approved subset only
 *                         (a URL is introspected at --api-version, default the allowlist's). The old
 *                         side is filtered with today's allowlist unioned with the one OLD was approved
 *                         with: by default schema/approved.yaml at the last commit declaring another
 *                         healthieApiVersion, or the file given with --from-allowlist <file>
 *
 * Breaking changes against the base fail unless schema/breaking-changes.yaml acknowledges each
 * one for that very move between API versions (see src/schema/acknowledged.ts).
 *
 * Exits 1 when any check fails; every failure names the schema coordinate involved.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAllowlist } from '../src/schema/allowlist.js';
import { ACKNOWLEDGED_FILE, loadAcknowledgements, partitionBreaking, UNVERSIONED } from '../src/schema/acknowledged.js';
import { ALLOWLIST_FILE, APPROVED_SDL_FILE, artifactApiVersion, buildApiVersion, buildArtifacts, defaultSource, SUBGRAPH_SDL_FILE } from '../src/schema/build.js';
import { composeSubgraphs, exampleConsumers, readRoverConfig, readSupergraphConfig } from '../src/schema/compose.js';
import { compareSchemas, compareUpstream, defaultBaseRef, readAtRef, schemaFromSdl } from '../src/schema/diff.js';
import { allowlistBeforeVersion } from '../src/schema/history.js';
import { isUrl, loadSource } from '../src/schema/source.js';
import { runCli } from './cli.js';

const failures: string[] = [];
const section = (title: string) => console.log(`\n== ${title}`);
const list = (lines: readonly string[]) => lines.forEach((line) => console.log(`  ${line}`));

runCli(async () => {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      'api-version': { type: 'string' },
      base: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'from-allowlist': { type: 'string' },
    },
  });
  const allowlist = loadAllowlist(ALLOWLIST_FILE);
  const apiVersion = buildApiVersion(allowlist, values['api-version']);
  const source = values.source ?? defaultSource(apiVersion);
  const rover = readRoverConfig();
  const subgraphSdlFile = relative(process.cwd(), rover.subgraph.schema);

  if (values['from-allowlist'] && !values.from) throw new Error('--from-allowlist names the old side of --from <old schema> --to <new schema>; give those too');
  if (values.from || values.to) {
    if (!values.from || !values.to) throw new Error('--from and --to go together: --from <old schema> --to <new schema>');
    section(`Upstream drift ${values.from} → ${values.to} (approved subset only)`);
    const fromAllowlist = values['from-allowlist'];
    const previous = fromAllowlist ? { allowlist: loadAllowlist(fromAllowlist), origin: fromAllowlist } : allowlistBeforeVersion(allowlist.healthieApiVersion);
    if (previous.allowlist) {
      const version = previous.allowlist.healthieApiVersion ?? 'unversioned';
      console.log(`  old side: ${ALLOWLIST_FILE} unioned with the allowlist of ${version} (${fromAllowlist ? fromAllowlist : `${ALLOWLIST_FILE} at ${previous.origin}`})`);
    } else {
      console.warn(`  warning: ${previous.warning}; the old side uses ${ALLOWLIST_FILE} only (pass --from-allowlist <file> to name the old allowlist)`);
    }
    const report = await compareUpstream(await loadSource(values.from, apiVersion), await loadSource(values.to, apiVersion), allowlist, previous.allowlist);
    if (report.breaking.length > 0) {
      console.log('Breaking:');
      list(report.breaking);
      failures.push(`upstream drift: ${report.breaking.length} breaking change(s) in the approved subset`);
    }
    if (report.other.length > 0) {
      console.log('Not breaking:');
      list(report.other);
    }
    if (report.breaking.length + report.other.length === 0) console.log('  no change touches the approved subset');
  } else {
    section(`Drift: committed schema/ against a rebuild from ${source} (Healthie API version ${apiVersion})`);
    if (!isUrl(source) && !existsSync(source)) {
      console.log(`  skipped: ${source} is not present on this machine; pass --source <live Healthie GraphQL url> (with HEALTHIE_API_KEY) to rebuild from Healthie at ${apiVersion}`);
    } else {
      const built = buildArtifacts(await loadSource(source, apiVersion), allowlist, apiVersion);
      for (const [path, expected] of [[SUBGRAPH_SDL_FILE, built.subgraphSdl], [APPROVED_SDL_FILE, built.approvedSdl]] as const) {
        const committed = existsSync(path) ? readFileSync(path, 'utf8') : '';
        if (committed === expected) {
          console.log(`  ${path}: up to date`);
          continue;
        }
        const report = await compareSchemas(schemaFromSdl(committed || 'scalar _Empty'), schemaFromSdl(expected));
        console.log(`  ${path}: differs from a rebuild; run npm run schema:build and commit the result`);
        list([...report.breaking, ...report.other]);
        failures.push(`drift: ${path} is not what the build produces`);
      }
    }

    section('Composition: supergraph.yaml + example consumers (@apollo/composition)');
    const composed = composeSubgraphs([...readSupergraphConfig(), ...exampleConsumers(rover)]);
    if (composed.ok) console.log('  composes');
    else {
      list(composed.errors);
      failures.push('composition failed');
    }

    const base = values.base ?? defaultBaseRef();
    section(`Breaking changes of ${subgraphSdlFile} (${rover.subgraph.name}) against ${base ?? '(no base)'}`);
    const baseSdl = !base ? undefined : existsSync(base) ? readFileSync(base, 'utf8') : readAtRef(base, subgraphSdlFile);
    if (baseSdl === undefined) console.log(`  skipped: ${subgraphSdlFile} does not exist at the base`);
    else {
      const currentSdl = readFileSync(subgraphSdlFile, 'utf8');
      const [fromVersion, toVersion] = [artifactApiVersion(baseSdl) ?? UNVERSIONED, artifactApiVersion(currentSdl) ?? UNVERSIONED];
      const report = await compareSchemas(schemaFromSdl(baseSdl), schemaFromSdl(currentSdl));
      const { acknowledged, unacknowledged } = partitionBreaking(report.breaking, fromVersion, toVersion, loadAcknowledgements());
      if (acknowledged.length > 0) {
        console.log(`Breaking, acknowledged in ${ACKNOWLEDGED_FILE} for ${fromVersion} → ${toVersion}:`);
        list(acknowledged);
      }
      if (unacknowledged.length > 0) {
        console.log(`Breaking, not acknowledged (${fromVersion} → ${toVersion}):`);
        list(unacknowledged);
        failures.push(
          `breaking: ${unacknowledged.length} breaking change(s) against ${base}; make the change compatible, or review it with ` +
            `its consumers and list it in ${ACKNOWLEDGED_FILE} under from: ${fromVersion}, to: ${toVersion}`,
        );
      }
      if (report.breaking.length === 0) console.log(`  none (${report.other.length} other change(s))`);
      list(report.other);
    }
  }

  if (failures.length > 0) {
    throw new Error(`\nschema:check failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  }
  console.log('\nschema:check passed');
});

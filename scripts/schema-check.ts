/**
 * npm run schema:check — the offline counterpart of Rover's checks, run in CI.
 *
 *   (no flags)            drift + composition + breaking changes against the base ref
 *   --source <file>       Healthie source for the drift check (default: the newest shared snapshot)
 *   --base <git ref>      base for breaking changes (default: origin/main, else the previous commit)
 *   --from OLD --to NEW   upstream drift between two Healthie versions, approved subset only
 *
 * Exits 1 when any check fails; every failure names the schema coordinate involved.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAllowlist } from '../src/schema/allowlist.js';
import { ALLOWLIST_FILE, APPROVED_SDL_FILE, buildArtifacts, DEFAULT_SOURCE, SUBGRAPH_SDL_FILE } from '../src/schema/build.js';
import { composeSubgraphs, exampleConsumers, readRoverConfig, readSupergraphConfig } from '../src/schema/compose.js';
import { compareSchemas, compareUpstream, defaultBaseRef, readAtRef, schemaFromSdl } from '../src/schema/diff.js';
import { isUrl, loadSource } from '../src/schema/source.js';
import { runCli } from './cli.js';

const failures: string[] = [];
const section = (title: string) => console.log(`\n== ${title}`);
const list = (lines: readonly string[]) => lines.forEach((line) => console.log(`  ${line}`));

runCli(async () => {
  const { values } = parseArgs({
    options: {
      source: { type: 'string', default: DEFAULT_SOURCE },
      base: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  const allowlist = loadAllowlist(ALLOWLIST_FILE);
  const rover = readRoverConfig();
  const subgraphSdlFile = relative(process.cwd(), rover.subgraph.schema);

  if (values.from || values.to) {
    if (!values.from || !values.to) throw new Error('--from and --to go together: --from <old schema> --to <new schema>');
    section(`Upstream drift ${values.from} → ${values.to} (approved subset only)`);
    const report = await compareUpstream(await loadSource(values.from), await loadSource(values.to), allowlist);
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
    section(`Drift: committed schema/ against a rebuild from ${values.source}`);
    if (!isUrl(values.source) && !existsSync(values.source)) {
      console.log(`  skipped: ${values.source} is not present on this machine`);
    } else {
      const built = buildArtifacts(await loadSource(values.source), allowlist);
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
    const baseSdl = base ? readAtRef(base, subgraphSdlFile) : undefined;
    if (baseSdl === undefined) console.log(`  skipped: ${subgraphSdlFile} does not exist at the base`);
    else {
      const report = await compareSchemas(schemaFromSdl(baseSdl), schemaFromSdl(readFileSync(subgraphSdlFile, 'utf8')));
      if (report.breaking.length > 0) {
        list(report.breaking);
        failures.push(`breaking: ${report.breaking.length} breaking change(s) against ${base}`);
      } else console.log(`  none (${report.other.length} other change(s))`);
      list(report.other);
    }
  }

  if (failures.length > 0) {
    throw new Error(`\nschema:check failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  }
  console.log('\nschema:check passed');
});

/**
 * npm run schema:build [-- --api-version <date>] [--from <file|url>] [--allowlist schema/approved.yaml] [--out-dir schema]
 *
 * Applies the allowlist to a Healthie source schema and writes schema/healthie.graphql (the
 * subgraph SDL) and schema/healthie-approved.graphql (the approved subset in Healthie's names),
 * both recording the Healthie API version they were built for.
 *
 * The version is the allowlist's `healthieApiVersion` unless --api-version names another; then the
 * allowlist is updated too, so the move to a new version is one reviewed diff. The source is
 * ../shared/healthie/schema-api-<version>.graphql unless --from names a file or a live endpoint,
 * which is introspected at that version (Healthie-GraphQL-API-Version).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAllowlist } from '../src/schema/allowlist.js';
import { ALLOWLIST_FILE, APPROVED_SDL_FILE, buildApiVersion, buildArtifacts, defaultSource, SUBGRAPH_SDL_FILE } from '../src/schema/build.js';
import { loadSource } from '../src/schema/source.js';
import { runCli } from './cli.js';

const VERSION_ENTRY = /^healthieApiVersion:.*$/m;

runCli(async () => {
  const { values } = parseArgs({
    options: {
      'api-version': { type: 'string' },
      from: { type: 'string' },
      allowlist: { type: 'string', default: ALLOWLIST_FILE },
      'out-dir': { type: 'string' },
    },
  });
  const allowlist = loadAllowlist(values.allowlist);
  const apiVersion = buildApiVersion(allowlist, values['api-version']);
  const from = values.from ?? defaultSource(apiVersion);
  const { approvedSdl, subgraphSdl } = buildArtifacts(await loadSource(from, apiVersion), allowlist, apiVersion);
  const outDir = values['out-dir'];
  const subgraphPath = outDir ? join(outDir, 'healthie.graphql') : SUBGRAPH_SDL_FILE;
  const approvedPath = outDir ? join(outDir, 'healthie-approved.graphql') : APPROVED_SDL_FILE;
  writeFileSync(subgraphPath, subgraphSdl);
  writeFileSync(approvedPath, approvedSdl);
  if (apiVersion !== allowlist.healthieApiVersion) {
    const text = readFileSync(values.allowlist, 'utf8');
    const entry = `healthieApiVersion: "${apiVersion}"`;
    writeFileSync(values.allowlist, VERSION_ENTRY.test(text) ? text.replace(VERSION_ENTRY, entry) : `${entry}\n${text}`);
    console.log(`Set ${entry} in ${values.allowlist}; review its diff with the regenerated files.`);
  }
  console.log(`Wrote ${subgraphPath} and ${approvedPath} for Healthie API version ${apiVersion} from ${from}.`);
});

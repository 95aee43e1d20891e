/**
 * npm run schema:build [-- --from <file|url>] [--allowlist schema/approved.yaml] [--out-dir schema]
 *
 * Applies the allowlist to a Healthie source schema and writes schema/healthie.graphql (the
 * subgraph SDL) and schema/healthie-approved.graphql (the approved subset in Healthie's names).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAllowlist } from '../src/schema/allowlist.js';
import { ALLOWLIST_FILE, APPROVED_SDL_FILE, buildArtifacts, DEFAULT_SOURCE, SUBGRAPH_SDL_FILE } from '../src/schema/build.js';
import { loadSource } from '../src/schema/source.js';
import { runCli } from './cli.js';

runCli(async () => {
  const { values } = parseArgs({
    options: {
      from: { type: 'string', default: DEFAULT_SOURCE },
      allowlist: { type: 'string', default: ALLOWLIST_FILE },
      'out-dir': { type: 'string' },
    },
  });
  const allowlist = loadAllowlist(values.allowlist);
  const { approvedSdl, subgraphSdl } = buildArtifacts(await loadSource(values.from), allowlist);
  const outDir = values['out-dir'];
  const subgraphPath = outDir ? join(outDir, 'healthie.graphql') : SUBGRAPH_SDL_FILE;
  const approvedPath = outDir ? join(outDir, 'healthie-approved.graphql') : APPROVED_SDL_FILE;
  writeFileSync(subgraphPath, subgraphSdl);
  writeFileSync(approvedPath, approvedSdl);
  console.log(`Wrote ${subgraphPath} and ${approvedPath} from ${values.from}.`);
});

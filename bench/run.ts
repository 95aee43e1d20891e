/**
 * npm run bench — speed and memory of the subgraph, as ratios against baselines measured in the
 * same run on the same machine (absolute timings vary between machines; ratios much less).
 *
 * 1. Overhead: `_entities` through the subgraph against the one equivalent request sent straight
 *    to the sandbox (what the subgraph itself sends), for 1 and 40 references: with no upstream
 *    latency (the subgraph's own CPU cost, which grows with the number of references because
 *    each is delegated through the renaming transforms) and with 20 ms (closer to Healthie).
 * 2. Batching: 40 references resolved by the subgraph in one upstream request, against the naive
 *    plan of 40 concurrent single-user requests, with 20 ms of upstream latency.
 * 3. Memory: heap after 3,000 more operations (after GC) against the heap after warm-up, to
 *    catch per-request state (loaders, batches, contexts) that outlives its request.
 *
 * Run with `--expose-gc` (the npm script does) for the memory figure.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServer } from '../src/server.js';
import { readFileSync } from 'node:fs';
import { DEMO_API_KEY, startSandbox } from '../src/sandbox/index.js';
import { artifactApiVersion } from '../src/schema/build.js';

const REFS = 40;
const auth = { 'content-type': 'application/json', 'x-healthie-api-key': DEMO_API_KEY };
/** What the subgraph sends Healthie, the API version of the committed schema included. */
const healthieAuth = {
  'content-type': 'application/json',
  Authorization: `Basic ${DEMO_API_KEY}`,
  AuthorizationSource: 'API',
  'Healthie-GraphQL-API-Version': artifactApiVersion(readFileSync(new URL('../schema/healthie-approved.graphql', import.meta.url), 'utf8')) ?? '',
};

async function post(url: string, headers: Record<string, string>, query: string, variables?: unknown): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(`unexpected errors: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body;
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i += 1) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function stack(latencyMs: number) {
  const sandbox = await startSandbox({ latencyMs, rateLimit: { requests: 1_000_000, windowMs: 60_000 } });
  const config = loadConfig({ HEALTHIE_API_URL: sandbox.url, LOG_LEVEL: 'silent' });
  const server = await createServer(config, { logger: createLogger({ level: 'silent' }) });
  const { url } = await server.listen(0, '127.0.0.1');
  const listed = await post(url, auth, `{ healthieUsers(first: ${REFS}) { nodes { id } } }`);
  const ids: string[] = listed.data.healthieUsers.nodes.map((u: { id: string }) => u.id);
  return { sandbox, server, url, ids, close: async () => (await server.close(), await sandbox.close()) };
}

const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id firstName lastName } } }';
const directBatch = (ids: string[]) =>
  `{ ${ids.map((id, i) => `u${i}: user(id: "${id}") { id first_name last_name }`).join(' ')} }`;

function line(name: string, value: string, target: string, pass: boolean) {
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${name.padEnd(48)} ${value.padStart(10)}   target ${target}`);
  return pass;
}

function info(name: string, value: string) {
  console.log(`info  ${name.padEnd(48)} ${value.padStart(10)}`);
}

/** p50 of the subgraph and of the direct request for the first n ids. */
async function overhead(s: Awaited<ReturnType<typeof stack>>, n: number, runs: number) {
  const ids = s.ids.slice(0, n);
  const representations = ids.map((id) => ({ __typename: 'HealthieUser', id }));
  const direct = await timeIt(runs, () => post(s.sandbox.url, healthieAuth, directBatch(ids)));
  const viaSubgraph = await timeIt(runs, () => post(s.url, auth, ENTITIES, { r: representations }));
  return { direct, viaSubgraph, ratio: viaSubgraph / direct };
}

async function main() {
  const results: boolean[] = [];
  console.log(`node ${process.version}, ${REFS} references per operation\n`);

  {
    const s = await stack(0);
    const representations = s.ids.map((id) => ({ __typename: 'HealthieUser', id }));
    const one = await overhead(s, 1, 300);
    const forty = await overhead(s, REFS, 200);
    console.log(`no upstream latency: 1 reference ${one.viaSubgraph.toFixed(2)} ms vs ${one.direct.toFixed(2)} ms direct; ${REFS} references ${forty.viaSubgraph.toFixed(2)} ms vs ${forty.direct.toFixed(2)} ms direct (p50)`);
    results.push(line('1 reference: subgraph / direct (p50)', `${one.ratio.toFixed(2)}x`, '<= 3.00x', one.ratio <= 3));
    info(`${REFS} references: subgraph / direct (p50)`, `${forty.ratio.toFixed(2)}x`);
    info(`CPU per extra reference`, `${((forty.viaSubgraph - forty.direct - (one.viaSubgraph - one.direct)) / (REFS - 1)).toFixed(3)} ms`);

    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      for (let i = 0; i < 300; i += 1) await post(s.url, auth, ENTITIES, { r: representations });
      gc();
      const warm = process.memoryUsage().heapUsed;
      for (let i = 0; i < 3000; i += 1) await post(s.url, auth, ENTITIES, { r: representations.slice(0, 5) });
      s.sandbox.clearRequests();
      gc();
      const after = process.memoryUsage().heapUsed;
      console.log(`memory: heap after warm-up ${(warm / 2 ** 20).toFixed(1)} MiB, after 3,000 more operations ${(after / 2 ** 20).toFixed(1)} MiB`);
      results.push(line('heap after 3,000 ops / heap after warm-up', `${(after / warm).toFixed(2)}x`, '<= 1.20x', after / warm <= 1.2));
    } else console.log('memory: skipped (run with node --expose-gc)');
    await s.close();
  }

  {
    const s = await stack(20);
    const representations = s.ids.map((id) => ({ __typename: 'HealthieUser', id }));
    const withLatency = await overhead(s, REFS, 30);
    console.log(`\n20 ms upstream latency: ${REFS} references ${withLatency.viaSubgraph.toFixed(1)} ms vs ${withLatency.direct.toFixed(1)} ms direct (p50)`);
    results.push(line(`${REFS} references: subgraph / direct (p50)`, `${withLatency.ratio.toFixed(2)}x`, '<= 2.00x', withLatency.ratio <= 2));
    s.sandbox.clearRequests();
    const naive = await timeIt(30, () =>
      Promise.all(s.ids.map((id) => post(s.sandbox.url, healthieAuth, `{ user(id: "${id}") { id first_name last_name } }`))),
    );
    s.sandbox.clearRequests();
    const batched = await timeIt(30, () => post(s.url, auth, ENTITIES, { r: representations }));
    const perOperation = s.sandbox.requests.length / 35;
    console.log(`${REFS} single requests in parallel p50 ${naive.toFixed(1)} ms, subgraph p50 ${batched.toFixed(1)} ms`);
    results.push(line('naive N requests / batched subgraph (p50)', `${(naive / batched).toFixed(2)}x`, '>= 1.00x', naive / batched >= 1));
    results.push(line('upstream requests per 40-reference operation', perOperation.toFixed(2), '= 1', perOperation === 1));
    await s.close();
  }

  if (results.includes(false)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * npm run bench: the subgraph against a minimal proxy in front of the same upstream, in one run,
 * as ratios (absolute figures vary between machines; ratios within one run much less).
 *
 * Processes (bench/processes.ts): the built-in sandbox as the upstream (it executes GraphQL as
 * Healthie would), a minimal Node proxy to it, and the subgraph twice (planned path, and
 * delegation with PLAN_ENABLED=false, the path before the plan), from the compiled build that
 * `npm run bench` makes first, since that is what production runs. Load comes from this process
 * (bench/load.ts). All share the machine's cores, so each process also reports its own CPU time
 * per request, which no upstream can flatter.
 *
 * Each process first serves WARM_UP_MS of the same load: the figures are those of a server in its
 * steady state (V8 still optimizes the subgraph's code several seconds into the load), which is
 * what production runs, and the proxy and the delegation path get the same warm-up.
 *
 * The bench sends every request with one API key, so the subgraph holds it to
 * HEALTHIE_MAX_IN_FLIGHT_PER_KEY (8) Healthie requests in flight while the proxy sends all 32.
 * The full run also measures a planned subgraph with that cap lifted (31), to show what the
 * fairness rule costs under a one-tenant flood; the goals are judged on the default.
 *
 *   npm run bench                 throughput, latency, CPU, memory after the load
 *   npm run bench -- --long       plus RSS after 60 s at c=32 and after a second minute
 *   npm run bench -- --short      shorter runs for CI; fails on a throughput ratio below 0.6x
 */
import { cpus } from 'node:os';
import { DEMO_API_KEY } from '../src/sandbox/index.js';
import { load, type LoadResult } from './load.js';
import { benchRequests, cpuMs, start, subgraphAuth, type Stats, type Started } from './start.js';
import { describeHeap, type MemoryStats } from './memory.js';

const SHORT = process.argv.includes('--short');
const LONG = process.argv.includes('--long');
const DURATION_MS = SHORT ? 6_000 : 15_000;
const FLOOR = 0.6;
const ROUNDS = 3;
const WARM_UP_MS = SHORT ? 2_000 : 5_000;

/** Load on `target`, with each listed process's CPU time per request over that load. */
async function measure(target: Started, headers: Record<string, string>, body: string, connections: number, durationMs: number, processes: Started[]) {
  await load(target.url, headers, body, connections, Math.min(1000, durationMs / 3)); // warm-up
  const before = await Promise.all(processes.map((p) => p.stats()));
  const result = await load(target.url, headers, body, connections, durationMs);
  const after = await Promise.all(processes.map((p) => p.stats()));
  if (result.failures > 0) throw new Error(`${result.failures} of ${result.requests} answers were not 200 without errors (first: ${result.firstFailure})`);
  return { ...result, cpuPerRequest: after.map((a, i) => (cpuMs(a) - cpuMs(before[i]!)) / result.requests) };
}

function row(label: string, value: string, note = '') {
  console.log(`${label.padEnd(58)} ${value.padStart(12)}  ${note}`);
}
const verdict = (pass: boolean, goal: string) => `${pass ? 'meets' : 'MISSES'} goal ${goal}`;

async function main() {
  console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${SHORT ? 'short' : 'full'} run, ${ROUNDS} rounds of ${DURATION_MS / ROUNDS / 1000} s per throughput figure\n`);
  const upstream = await start('upstream', ['--latency=0']);
  const [proxy, planned, delegated, uncapped] = await Promise.all([
    start('proxy', [`--upstream=${upstream.url}`, `--key=${DEMO_API_KEY}`]),
    start('subgraph', [`--upstream=${upstream.url}`, '--plan=true']),
    start('subgraph', [`--upstream=${upstream.url}`, '--plan=false']),
    SHORT ? undefined : start('subgraph', [`--upstream=${upstream.url}`, '--plan=true', '--max-in-flight-per-key=31']),
  ]);
  const all = [upstream, proxy, planned, delegated, ...(uncapped ? [uncapped] : [])];
  const failures: string[] = [];
  try {
    const { oneUser, entities } = await benchRequests(planned.url);

    for (const [name, bodies] of [['one-user query', oneUser], ['20-reference _entities', entities(20)]] as const) {
      for (const [target, headers, body] of [[proxy, {}, bodies.proxy], [planned, subgraphAuth, bodies.subgraph], [delegated, subgraphAuth, bodies.subgraph], ...(uncapped ? [[uncapped, subgraphAuth, bodies.subgraph] as const] : [])] as const) {
        await load(target.url, headers, body, 32, WARM_UP_MS);
      }
      // Rounds of proxy, planned, delegation (and the uncapped subgraph) alternate, so that a
      // change in the machine's load (other work on shared cores) falls on all of them; ratios
      // are the median over rounds.
      const rounds = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const viaProxy = await measure(proxy, {}, bodies.proxy, 32, DURATION_MS / ROUNDS, [proxy, upstream]);
        const viaPlan = await measure(planned, subgraphAuth, bodies.subgraph, 32, DURATION_MS / ROUNDS, [planned, upstream]);
        const viaDelegation = await measure(delegated, subgraphAuth, bodies.subgraph, 32, DURATION_MS / ROUNDS, [delegated, upstream]);
        const viaUncapped = uncapped ? await measure(uncapped, subgraphAuth, bodies.subgraph, 32, DURATION_MS / ROUNDS, [uncapped, upstream]) : undefined;
        rounds.push({ viaProxy, viaPlan, viaDelegation, viaUncapped, ratio: viaPlan.perSecond / viaProxy.perSecond });
      }
      rounds.sort((a, b) => a.ratio - b.ratio);
      const { viaProxy, viaPlan, viaDelegation, viaUncapped, ratio } = rounds[Math.floor(ROUNDS / 2)]!;
      console.log(`${name}, c=32: planned/proxy per round ${rounds.map((r) => r.ratio.toFixed(2)).join(', ')} (median below)`);
      row('  proxy / planned / delegation (requests/s)', '', `${viaProxy.perSecond.toFixed(0)} / ${viaPlan.perSecond.toFixed(0)} / ${viaDelegation.perSecond.toFixed(0)}`);
      row('  throughput, planned vs proxy', `${ratio.toFixed(2)}x`, verdict(ratio >= 0.85, '>= 0.85x'));
      row('  throughput, delegation vs proxy', `${(viaDelegation.perSecond / viaProxy.perSecond).toFixed(2)}x`);
      row('  CPU ms/request: proxy / planned / delegation', '', `${viaProxy.cpuPerRequest[0]!.toFixed(3)} / ${viaPlan.cpuPerRequest[0]!.toFixed(3)} / ${viaDelegation.cpuPerRequest[0]!.toFixed(3)}`);
      row('  CPU ms/request of the upstream: proxy / planned / deleg.', '', viaProxy.cpuPerRequest[1]!.toFixed(3) + ' / ' + viaPlan.cpuPerRequest[1]!.toFixed(3) + ' / ' + viaDelegation.cpuPerRequest[1]!.toFixed(3));
      const cpuRatio = viaPlan.cpuPerRequest[0]! / viaProxy.cpuPerRequest[0]!;
      row('  subgraph CPU per request vs proxy', `${cpuRatio.toFixed(2)}x`, verdict(cpuRatio < 2, '< 2x'));
      if (viaUncapped) {
        row('  planned, per-key cap lifted (8 -> 31), same round', `${(viaUncapped.perSecond / viaProxy.perSecond).toFixed(2)}x`, `${viaUncapped.perSecond.toFixed(0)} requests/s; CPU ms/request ${viaUncapped.cpuPerRequest[0]!.toFixed(3)}, upstream ${viaUncapped.cpuPerRequest[1]!.toFixed(3)}`);
      }
      if (ratio < FLOOR) failures.push(`${name}: ${ratio.toFixed(2)}x the proxy's throughput, below ${FLOOR}x`);
    }

    const refs = async (n: number, target: Started) => (await measure(target, subgraphAuth, entities(n).subgraph, 1, SHORT ? 2_000 : 5_000, [target])).cpuPerRequest[0]!;
    const [hundred, one] = [await refs(100, planned), await refs(1, planned)];
    const [hundredOld, oneOld] = [await refs(100, delegated), await refs(1, delegated)];
    console.log('\nCPU of entity references (subgraph process, c=1)');
    row('  100 references, planned (whole request)', `${hundred.toFixed(2)} ms`, verdict(hundred < 2, '< 2 ms'));
    row('  100 references, planned (beyond a 1-reference request)', `${(hundred - one).toFixed(2)} ms`);
    row('  100 references, delegation (whole request)', `${hundredOld.toFixed(2)} ms`, `beyond 1 reference: ${(hundredOld - oneOld).toFixed(2)} ms`);

    const stats = await planned.stats();
    const plan = stats.plan!;
    console.log('\nplanned subgraph process');
    row('  plan-cache hit rate', `${((plan.hits / (plan.hits + plan.misses)) * 100).toFixed(2)} %`, `${plan.hits} hits, ${plan.misses} misses; ${plan.planned} planned, ${plan.delegated} delegated`);
    row('  RSS after the load above', `${(stats.rss / 2 ** 20).toFixed(0)} MB`, `delegation process: ${((await delegated.stats()).rss / 2 ** 20).toFixed(0)} MB`);

    if (LONG) {
      const minute = async () => (await measure(planned, subgraphAuth, entities(20).subgraph, 32, 60_000, [planned]), (await planned.stats()).rss / 2 ** 20);
      const first = await minute();
      const second = await minute();
      row('  RSS after 60 s at c=32 (20-reference _entities)', `${first.toFixed(0)} MB`, verdict(first < 150, '< 150 MB'));
      row('  RSS after a second minute', `${second.toFixed(0)} MB`, verdict(second <= first * 1.1, 'flat (within 10%)'));
      row('  V8 heap of the subgraph process then', '', describeHeap((await planned.stats()) as Stats & MemoryStats));
    }
  } finally {
    await Promise.all(all.map((p) => p.child.kill()));
  }

  const slow = await start('upstream', ['--latency=20']);
  const [slowProxy, slowPlanned, slowDelegated] = await Promise.all([
    start('proxy', [`--upstream=${slow.url}`, `--key=${DEMO_API_KEY}`]),
    start('subgraph', [`--upstream=${slow.url}`, '--plan=true']),
    start('subgraph', [`--upstream=${slow.url}`, '--plan=false']),
  ]);
  try {
    const body = { subgraph: JSON.stringify({ query: '{ healthieCurrentUser { id firstName lastName } }' }), proxy: JSON.stringify({ query: '{ currentUser { id first_name last_name } }' }) };
    const p: LoadResult = await measure(slowProxy, {}, body.proxy, 1, SHORT ? 3_000 : 6_000, []);
    const s: LoadResult = await measure(slowPlanned, subgraphAuth, body.subgraph, 1, SHORT ? 3_000 : 6_000, []);
    const d: LoadResult = await measure(slowDelegated, subgraphAuth, body.subgraph, 1, SHORT ? 3_000 : 6_000, []);
    console.log('\n20 ms upstream, c=1, one-user query');
    row('  median: proxy / planned / delegation', '', `${p.p50.toFixed(2)} / ${s.p50.toFixed(2)} / ${d.p50.toFixed(2)} ms`);
    row('  added median, planned', `${(s.p50 - p.p50).toFixed(2)} ms`, verdict(s.p50 - p.p50 < 0.5, '< 0.5 ms'));
    row('  added median, delegation', `${(d.p50 - p.p50).toFixed(2)} ms`);
  } finally {
    await Promise.all([slow, slowProxy, slowPlanned, slowDelegated].map((x) => x.child.kill()));
  }

  if (failures.length > 0) {
    console.log(`\nFAIL: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

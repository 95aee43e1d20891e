/**
 * npm run bench:compare: the CPU time per request of two subgraph builds (or two settings of one
 * build), measured side by side under the same load at the same time.
 *
 * Why: on a shared or virtual machine, a process's CPU time per request drifts by 20-50 % from one
 * minute to the next, so two builds measured one after the other cannot tell a 5 % change from
 * noise. Loaded together, with the same upstream and the same requests, both see the same machine;
 * the ratio B/A of each round then varies by a few percent, and its median over the rounds is
 * the figure to report.
 *
 *   npm run bench:compare -- <checkout A> [<checkout B>] [--rounds=8] [--b-arg=<flag>]... [--requests=one,20]
 *
 * Each checkout must be built (`npm run build` there); B defaults to A. `--b-arg` passes a flag
 * of bench/subgraph-process.mjs to B only, to compare settings of one build, e.g.
 * `--b-arg=--max-in-flight-per-key=31` or `--b-arg=--log=warn` (B's own subgraph-process.mjs
 * reads it: a checkout older than the flag ignores it). `--requests` names the requests compared:
 * `one` is the one-user query, a number N an `_entities` call of N references (at most 100).
 */
import { resolve } from 'node:path';
import { load } from './load.js';
import { benchRequests, cpuMs, median, start, subgraphAuth, type Started } from './start.js';

const args = process.argv.slice(2);
const checkouts = args.filter((a) => !a.startsWith('--')).map((a) => resolve(a));
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 8);
const bArgs = args.filter((a) => a.startsWith('--b-arg=')).map((a) => a.slice('--b-arg='.length));
const requests = (args.find((a) => a.startsWith('--requests='))?.slice('--requests='.length) ?? 'one,20').split(',');
const CONNECTIONS = 16;
const ROUND_MS = 2_500;

/** One round: both under load at once; each one's CPU time per request over that round. */
async function round(a: Started, b: Started, body: string): Promise<[number, number]> {
  const before = await Promise.all([a.stats(), b.stats()]);
  const results = await Promise.all([a, b].map((target) => load(target.url, subgraphAuth, body, CONNECTIONS, ROUND_MS)));
  const after = await Promise.all([a.stats(), b.stats()]);
  for (const result of results) {
    if (result.failures > 0) throw new Error(`${result.failures} of ${result.requests} answers were not 200 without errors (first: ${result.firstFailure})`);
  }
  return [0, 1].map((i) => (cpuMs(after[i]!) - cpuMs(before[i]!)) / results[i]!.served) as [number, number];
}

async function main() {
  const [checkoutA, checkoutB = checkoutA] = checkouts;
  const references = requests.filter((r) => r !== 'one').map(Number);
  if (!checkoutA || !Number.isInteger(rounds) || rounds < 1 || references.some((n) => !Number.isInteger(n) || n < 1 || n > 100)) {
    throw new Error('usage: npm run bench:compare -- <checkout A> [<checkout B>] [--rounds=N] [--b-arg=<flag>]... [--requests=one,20,100]');
  }
  const upstream = await start('upstream', ['--latency=0']);
  const processes: Started[] = [upstream];
  try {
    const a = await start('subgraph', [`--upstream=${upstream.url}`], { checkout: checkoutA });
    processes.push(a);
    const b = await start('subgraph', [`--upstream=${upstream.url}`, ...bArgs], { checkout: checkoutB });
    processes.push(b);
    console.log(`A: ${checkoutA}\nB: ${checkoutB}${bArgs.length ? ` ${bArgs.join(' ')}` : ''}\n${rounds} rounds of ${ROUND_MS / 1000} s, ${CONNECTIONS} connections to each, at the same time\n`);
    const { oneUser, entities } = await benchRequests(a.url);
    const compared = requests.map((r): [string, string] => (r === 'one' ? ['one-user query', oneUser.subgraph] : [`${r}-reference _entities`, entities(Number(r)).subgraph]));
    for (const [name, body] of compared) {
      // Warm-up: V8 still optimizes the subgraph's code several seconds into the load.
      await Promise.all([a, b].map((target) => load(target.url, subgraphAuth, body, CONNECTIONS, 4_000)));
      const perRound: Array<[number, number]> = [];
      for (let i = 0; i < rounds; i += 1) perRound.push(await round(a, b, body));
      const ratios = perRound.map(([x, y]) => y / x);
      console.log(`${name}: CPU ms/request A ${median(perRound.map((r) => r[0])).toFixed(3)}, B ${median(perRound.map((r) => r[1])).toFixed(3)}`);
      console.log(`  B/A per round ${ratios.map((r) => r.toFixed(2)).join(' ')}; median ${median(ratios).toFixed(3)}`);
    }
  } finally {
    for (const p of processes) p.child.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

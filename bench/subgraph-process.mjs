/**
 * The bench's `subgraph` process: plain JavaScript on the compiled build (`npm run build`), so
 * that the process measured is exactly what production runs (`node dist/main.js` in the image),
 * without the TypeScript loader the bench's other processes use, whose compiler and caches would
 * otherwise count in this process's CPU time and memory.
 *
 *   ROUTER_SECRET=<secret> node bench/subgraph-process.mjs --upstream=<url> [--plan=true|false] [--log=info]
 *     [--max-in-flight-per-key=N]   (HEALTHIE_MAX_IN_FLIGHT_PER_KEY; the default 8 when not given)
 *     [--queue-timeout-ms=N]        (HEALTHIE_QUEUE_TIMEOUT_MS; the default 2000 when not given)
 *
 * Answers `{ type: 'stats' }` on its IPC channel like the processes in processes.ts.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

// Configured as the image runs it (Dockerfile): NODE_ENV=production, which libraries read when
// they load (graphql-js drops its development checks), and the router secret production needs.
process.env.NODE_ENV = 'production';
const { loadConfig } = await import('../dist/config.js');
const { createServer } = await import('../dist/server.js');
const config = loadConfig({
  NODE_ENV: 'production',
  ROUTER_SECRET: process.env.ROUTER_SECRET,
  HEALTHIE_API_URL: option('upstream'),
  LOG_LEVEL: option('log') ?? 'info',
  PLAN_ENABLED: option('plan') ?? 'true',
  ...(option('max-in-flight-per-key') ? { HEALTHIE_MAX_IN_FLIGHT_PER_KEY: option('max-in-flight-per-key') } : {}),
  ...(option('queue-timeout-ms') ? { HEALTHIE_QUEUE_TIMEOUT_MS: option('queue-timeout-ms') } : {}),
});
const server = await createServer(config);
// Time in garbage collection, reported with the CPU time: how much of it is the collector's.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
const { url } = await server.listen(0, '127.0.0.1');

process.on('message', (message) => {
  if (message?.type !== 'stats') return;
  const memory = process.memoryUsage();
  // The heap limit too: V8 sizes the old space from it, and RSS under load follows (bench/memory.ts).
  const heap = { heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, heapLimit: getHeapStatistics().heap_size_limit };
  process.send({ type: 'stats', cpu: process.cpuUsage(), rss: memory.rss, ...heap, plan: server.planStats(), gcMs });
});
process.send({ type: 'ready', url });
// Exit normally on SIGTERM so that `node --cpu-prof` can write its profile.
process.once('SIGTERM', () => process.exit(0));

/**
 * The processes of `npm run bench`, one role each, started by run.ts with an IPC channel:
 *
 * - `upstream`: the built-in sandbox (it executes GraphQL as Healthie would), with a latency;
 * - `proxy`: the baseline, a minimal Node proxy that adds Healthie's auth headers and forwards the
 *   body to the upstream, as anything in front of Healthie must at least do;
 * - the subgraph itself runs from bench/subgraph-process.mjs (plain JavaScript on the build).
 *
 * Each answers `{ type: 'stats' }` with its own CPU time and RSS (process.cpuUsage and
 * memoryUsage in that process), and the subgraph its plan counters: the bench's test-only
 * channel, so that a process's cost is measured where it is spent.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

const [role, ...args] = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

function reply(extra: () => Record<string, unknown> = () => ({})) {
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stats') process.send!({ type: 'stats', cpu: process.cpuUsage(), rss: process.memoryUsage().rss, ...extra() });
  });
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

if (role === 'upstream') {
  const { startSandbox } = await import('../src/sandbox/index.js');
  const sandbox = await startSandbox({ latencyMs: Number(option('latency') ?? 0), rateLimit: { requests: 1_000_000_000, windowMs: 60_000 } });
  // The sandbox keeps recent requests for tests; the bench has no use for them.
  setInterval(() => sandbox.clearRequests(), 1000).unref();
  reply();
  process.send!({ type: 'ready', url: sandbox.url });
} else if (role === 'proxy') {
  const upstream = option('upstream')!;
  const key = option('key')!;
  const agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 });
  // The API version the subgraph sends too (that of the committed schema).
  const { readFileSync } = await import('node:fs');
  const { artifactApiVersion } = await import('../src/schema/build.js');
  const version = artifactApiVersion(readFileSync(new URL('../schema/healthie-approved.graphql', import.meta.url), 'utf8'));
  const server = createServer(async (req, res) => {
    try {
      const response = await request(upstream, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', Authorization: `Basic ${key}`, AuthorizationSource: 'API', ...(version ? { 'Healthie-GraphQL-API-Version': version } : {}) },
        body: await body(req),
      });
      res.writeHead(response.statusCode, { 'content-type': 'application/json' });
      res.end(Buffer.from(await response.body.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    reply();
    process.send!({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
  });
} else {
  console.error(`unknown role ${role}`);
  process.exit(2);
}

// Exit normally on SIGTERM so that `node --cpu-prof` can write its profile.
process.once('SIGTERM', () => process.exit(0));

/**
 * The processes of `npm run bench`, one role each, started by run.ts with an IPC channel:
 *
 * - `upstream`: the built-in sandbox (it executes GraphQL as Healthie would), with a latency;
 * - `proxy`: the baseline, a minimal Node proxy that adds Healthie's auth headers and forwards the
 *   body to the upstream, as anything in front of Healthie must at least do;
 * - `apollo`: the least any subgraph keeping Apollo's pipeline costs, Apollo Server alone
 *   forwarding each operation (see below), `--max-in-flight=N` holding it to N upstream requests
 *   at once as the subgraph's per-key cap does;
 * - the subgraph itself runs from bench/subgraph-process.mjs (plain JavaScript on the build).
 *
 * Each answers `{ type: 'stats' }` with its own CPU time and RSS (process.cpuUsage and
 * memoryUsage in that process), and the subgraph its plan counters: the bench's test-only
 * channel, so that a process's cost is measured where it is spent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

const [role, ...args] = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

function reply(extra: () => Record<string, unknown> = () => ({})) {
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stats') process.send!({ type: 'stats', cpu: process.cpuUsage(), rss: process.memoryUsage().rss, ...extra() });
  });
}

/** Serves `handler` on a loopback port with long keep-alive, and tells run.ts where once it listens. */
function serve(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): void {
  const server = createServer((req, res) => {
    handler(req, res).catch(() => res.writeHead(502).end());
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    reply();
    process.send!({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
  });
}

/** What the proxy and Apollo Server alone send Healthie: its auth headers and the committed schema's API version, as the subgraph does. */
async function healthieHeaders(key: string): Promise<Record<string, string>> {
  const { readFileSync } = await import('node:fs');
  const { artifactApiVersion } = await import('../src/schema/build.js');
  const version = artifactApiVersion(readFileSync(new URL('../schema/healthie-approved.graphql', import.meta.url), 'utf8'));
  return { 'content-type': 'application/json', Authorization: `Basic ${key}`, AuthorizationSource: 'API', ...(version ? { 'Healthie-GraphQL-API-Version': version } : {}) };
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
  const agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 });
  const headers = await healthieHeaders(option('key')!);
  serve(async (req, res) => {
    const response = await request(upstream, { method: 'POST', dispatcher: agent, headers, body: await body(req) });
    res.writeHead(response.statusCode, { 'content-type': 'application/json' });
    res.end(Buffer.from(await response.body.arrayBuffer()));
  });
} else if (role === 'apollo') {
  // The least any design that keeps Apollo Server's pipeline in front of every operation costs:
  // Apollo Server alone, with the approved schema in Healthie's names and none of the subgraph's
  // checks, forwarding each validated operation's text as it came (no translation), with the
  // proxy's headers and connections. Its requests use the proxy's bodies. What the subgraph costs
  // beyond it is the subgraph's own work: translation, checks, logging, metrics, the client.
  process.env.NODE_ENV = 'production'; // as the subgraph runs: graphql-js without its development checks
  const upstream = option('upstream')!;
  const agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 });
  const headers = await healthieHeaders(option('key')!);
  const { readFileSync } = await import('node:fs');
  const { buildSchema } = await import('graphql');
  const { ApolloServer, HeaderMap } = await import('@apollo/server');
  const cap = Number(option('max-in-flight') ?? Infinity);
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const apollo = new ApolloServer({
    schema: buildSchema(readFileSync(new URL('../schema/healthie-approved.graphql', import.meta.url), 'utf8')),
    plugins: [
      {
        requestDidStart: async () => ({
          async responseForOperation({ request: operation }) {
            // A freed slot passes straight to the first waiter, so at most `cap` run at once, in order.
            if (inFlight < cap) inFlight += 1;
            else await new Promise<void>((resolve) => waiting.push(resolve));
            let singleResult: never;
            try {
              const response = await request(upstream, { method: 'POST', dispatcher: agent, headers, body: JSON.stringify({ query: operation.query, variables: operation.variables }) });
              singleResult = (await response.body.json()) as never;
            } finally {
              const next = waiting.shift();
              if (next) next();
              else inFlight -= 1;
            }
            return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult } };
          },
        }),
      },
    ],
  });
  await apollo.start();
  serve(async (req, res) => {
    const headerMap = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headerMap.set(name, Array.isArray(value) ? value.join(', ') : value);
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'POST', headers: headerMap, search: '', body: JSON.parse((await body(req)).toString('utf8')) },
      context: async () => ({}),
    });
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    res.statusCode = answer.status ?? 200;
    res.end(answer.body.kind === 'complete' ? answer.body.string : '');
  });
} else {
  console.error(`unknown role ${role}`);
  process.exit(2);
}

// Exit normally on SIGTERM so that `node --cpu-prof` can write its profile.
process.once('SIGTERM', () => process.exit(0));

/**
 * Test stack: the built-in Healthie sandbox and a subgraph server in front of it, both on
 * ephemeral loopback ports, plus a small GraphQL-over-HTTP client and a captured log.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { HttpTimeouts } from '../../src/http/http-server.js';
import { createLogger } from '../../src/logger.js';
import { createServer, type HealthieSubgraphServer } from '../../src/server.js';
import { startSandbox, type SandboxOptions, type StartedSandbox } from '../../src/sandbox/index.js';
import { startUpstream, type Upstream } from './upstream.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> };
}

export interface Stack {
  sandbox: StartedSandbox;
  server: HealthieSubgraphServer;
  url: string;
  /** Every log line the subgraph wrote, raw. */
  logs: string[];
  query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export interface StackOptions {
  sandbox?: SandboxOptions;
  /** Environment for loadConfig; HEALTHIE_API_URL defaults to the sandbox. */
  env?: Record<string, string>;
  /** Use this upstream URL instead of the sandbox's (e.g. a fault-injecting server). */
  upstreamUrl?: string;
  /** How long clients may take to send requests, when a test needs limits shorter than the real ones. */
  httpTimeouts?: HttpTimeouts;
}

export async function post<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<T>['body'] };
}

/**
 * The log lines written at level error or fatal, parsed. The logger writes a level as its name
 * (`"level":"error"`), so pino's numbers (`level >= 50`) match no line.
 */
export function errorLines(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.level === 'error' || line.level === 'fatal');
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox = await startSandbox(options.sandbox);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  // trace: every log call runs, so tests that check logs for secrets see all of them.
  const config = loadConfig({ HEALTHIE_API_URL: options.upstreamUrl ?? sandbox.url, LOG_LEVEL: 'trace', ...options.env });
  const logger = createLogger({ level: config.logLevel, destination });
  const server = await createServer(config, { logger, httpTimeouts: options.httpTimeouts });
  const { url } = await server.listen(0, '127.0.0.1');
  return {
    sandbox,
    server,
    url,
    logs,
    query: (query, variables, headers) => post(url, query, variables, headers),
    async close() {
      await server.close();
      await sandbox.close();
    },
  };
}

/**
 * A planned and a delegating subgraph in front of one sandbox, for the describe block this is
 * called in (started before its tests, closed after them): the two paths, to compare answers.
 */
export function bothPaths(): { readonly planned: Stack; readonly delegated: Stack } {
  const paths = {} as { planned: Stack; delegated: Stack };
  beforeAll(async () => {
    paths.planned = await startStack({ env: { PLAN_ENABLED: 'true' } });
    const delegated = await startStack({ upstreamUrl: paths.planned.sandbox.url, env: { PLAN_ENABLED: 'false' } });
    // Its own sandbox stays idle: `sandbox` names the one both paths send to, so that a test
    // reading `delegated.sandbox.requests` reads what delegation sent.
    paths.delegated = { ...delegated, sandbox: paths.planned.sandbox };
  });
  afterAll(async () => {
    await paths.planned?.close();
    await paths.delegated?.close();
  });
  return paths;
}

/**
 * A planned and a delegating subgraph in front of one fake Healthie (helpers/upstream.ts) whose
 * answers a test sets, for the describe block this is called in; reads are not retried, so each
 * request meets the answer set for it.
 */
export function bothPathsBehindFake(): { readonly upstream: Upstream; readonly planned: Stack; readonly delegated: Stack } {
  const paths = {} as { upstream: Upstream; planned: Stack; delegated: Stack };
  beforeAll(async () => {
    paths.upstream = await startUpstream();
    const env = { HEALTHIE_RETRIES: '0' };
    paths.planned = await startStack({ upstreamUrl: paths.upstream.url, env: { ...env, PLAN_ENABLED: 'true' } });
    paths.delegated = await startStack({ upstreamUrl: paths.upstream.url, env: { ...env, PLAN_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await paths.planned?.close();
    await paths.delegated?.close();
    await paths.upstream?.close();
  });
  return paths;
}

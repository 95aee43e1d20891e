/**
 * What the bench's scripts share: starting its processes (bench/processes.ts, and the subgraph
 * from a checkout's compiled build), reading their CPU time, and the requests they send.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ROUTER_SECRET_HEADER } from '../src/http/router-trust.js';
import { DEMO_API_KEY } from '../src/sandbox/index.js';

export interface Stats {
  cpu: { user: number; system: number };
  rss: number;
  plan?: { hits: number; misses: number; planned: number; delegated: number };
  /** Time spent in garbage collection since the process started (subgraph processes), ms. */
  gcMs?: number;
}
export interface Started {
  url: string;
  stats(): Promise<Stats>;
  child: ChildProcess;
}

/** The subgraph runs as in production, where only the router, presenting this secret, may call it. */
const ROUTER_SECRET = randomBytes(24).toString('hex');
export const subgraphAuth = { 'x-healthie-api-key': DEMO_API_KEY, [ROUTER_SECRET_HEADER]: ROUTER_SECRET };

const THIS_CHECKOUT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Starts one of the bench's processes and resolves once it listens. The subgraph runs as
 * production does: compiled (`checkout`/dist, this checkout by default), without the TypeScript
 * loader; `execArgv` are its Node flags.
 */
export function start(role: 'upstream' | 'proxy' | 'apollo' | 'subgraph', args: string[], options: { checkout?: string; execArgv?: string[] } = {}): Promise<Started> {
  const child =
    role === 'subgraph'
      ? fork(`${options.checkout ?? THIS_CHECKOUT}/bench/subgraph-process.mjs`, args, { execArgv: options.execArgv ?? [], env: { ...process.env, ROUTER_SECRET }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
      : fork(new URL('./processes.ts', import.meta.url), [role, ...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    child.once('message', (message: { type: string; url: string }) => {
      const stats = () =>
        new Promise<Stats>((ok) => {
          child.once('message', (m: Stats) => ok(m));
          child.send({ type: 'stats' });
        });
      resolve({ url: message.url, stats, child });
    });
  });
}

export const cpuMs = (s: Stats) => (s.cpu.user + s.cpu.system) / 1000;

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Bodies {
  readonly subgraph: string;
  readonly proxy: string;
}

/**
 * The bench's requests, on ids the sandbox behind `subgraphUrl` lists: a one-user query, and
 * `_entities` calls of n references (every user, then appointments) with, for the proxy, the
 * same users fetched with aliases.
 */
export async function benchRequests(subgraphUrl: string): Promise<{ oneUser: Bodies; entities(n: number): Bodies }> {
  const listing = await fetch(subgraphUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...subgraphAuth },
    body: JSON.stringify({ query: '{ healthieUsers(first: 100) { nodes { id } } healthieOrganizationMembers(first: 100) { nodes { id } } healthieAppointments(filter: "all", first: 100) { nodes { id } } }' }),
  });
  const connections = ((await listing.json()) as { data: Record<string, { nodes: Array<{ id: string }> }> }).data;
  const listed = Object.fromEntries(Object.entries(connections).map(([name, connection]) => [name, connection.nodes]));
  const ids = [...listed.healthieUsers!, ...listed.healthieOrganizationMembers!].map((u) => u.id);
  const references = [
    ...ids.map((id) => ({ __typename: 'HealthieUser', id })),
    ...listed.healthieAppointments!.map((a) => ({ __typename: 'HealthieAppointment', id: a.id })),
  ];
  if (ids.length < 20 || references.length < 100) throw new Error(`the sandbox lists ${references.length} users and appointments; the bench needs 100`);
  return {
    oneUser: {
      subgraph: JSON.stringify({ query: `{ healthieUser(id: "${ids[0]}") { id firstName lastName email } }` }),
      proxy: JSON.stringify({ query: `{ user(id: "${ids[0]}") { id first_name last_name email } }` }),
    },
    entities: (n) => ({
      subgraph: JSON.stringify({
        query: 'query($representations: [_Any!]!) { _entities(representations: $representations) { __typename ... on HealthieUser { id firstName lastName } ... on HealthieAppointment { id length } } }',
        variables: { representations: references.slice(0, n) },
      }),
      proxy: JSON.stringify({ query: `{ ${ids.slice(0, n).map((id, i) => `e${i}: user(id: "${id}") { __typename id first_name last_name }`).join(' ')} }` }),
    }),
  };
}

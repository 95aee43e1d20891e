/**
 * Helpers for the sandbox tests: a fixed clock, a sandbox per describe block and a GraphQL client
 * that speaks Healthie's headers.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { artifactApiVersion } from '../../src/schema/build.js';
import { DEMO_API_KEY, startSandbox, type SandboxOptions, type StartedSandbox } from '../../src/sandbox/index.js';

/** Wednesday 2025-03-12 11:00 in New York (EDT, three days after the DST change). */
export const FIXED_NOW = new Date('2025-03-12T15:00:00Z');
export const fixedClock = (): Date => new Date(FIXED_NOW);

/**
 * A sandbox on the fixed clock (unless options say otherwise), started before the enclosing
 * describe block's tests and closed after them. Use its members inside tests only.
 */
export function useSandbox(options: SandboxOptions = {}): StartedSandbox {
  let started: StartedSandbox | undefined;
  beforeAll(async () => {
    started = await startSandbox({ now: fixedClock, ...options });
  });
  afterAll(() => started?.close());
  const current = (): StartedSandbox => {
    if (!started) throw new Error('The sandbox starts in beforeAll: use it inside a test or hook');
    return started;
  };
  return {
    get url() {
      return current().url;
    },
    get requests() {
      return current().requests;
    },
    get apiVersion() {
      return current().apiVersion;
    },
    clearRequests: () => current().clearRequests(),
    close: () => current().close(),
  };
}

export interface GraphQLReply<T = Record<string, any>> {
  status: number;
  text: string;
  body: {
    data?: T | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
  };
}

/** The Healthie API version the sandbox serves: the one the committed schema was built for. */
export const API_VERSION = artifactApiVersion(readFileSync(new URL('../../schema/healthie-approved.graphql', import.meta.url), 'utf8'))!;

/** Healthie's authentication headers for a key (and shard), on the sandbox's API version. */
export function healthieHeaders(apiKey: string = DEMO_API_KEY, shard?: string): Record<string, string> {
  return {
    authorization: `Basic ${apiKey}`,
    authorizationsource: 'API',
    'healthie-graphql-api-version': API_VERSION,
    ...(shard ? { authorizationshard: shard } : {}),
  };
}

export async function postRaw(url: string, body: string, headers: Record<string, string>, method = 'POST'): Promise<GraphQLReply> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'GET' ? {} : { body }),
  });
  const text = await response.text();
  let parsed: GraphQLReply['body'] = {};
  try {
    parsed = JSON.parse(text) as GraphQLReply['body'];
  } catch {
    // Left empty: the test asserts on status and text.
  }
  return { status: response.status, text, body: parsed };
}

export function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = healthieHeaders(),
): Promise<GraphQLReply<T>> {
  return postRaw(url, JSON.stringify({ query, variables }), headers) as Promise<GraphQLReply<T>>;
}

/** Data of a successful query; fails the test with the errors otherwise. */
export async function data<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<T> {
  const reply = await gql<T>(url, query, variables, headers);
  if (reply.status !== 200 || reply.body.errors || !reply.body.data) {
    throw new Error(`Query failed (HTTP ${reply.status}): ${reply.text}`);
  }
  return reply.body.data;
}

/** Healthie's two renderings of a time: String fields ("2025-03-12 09:30:00 -0400") and ISO8601DateTime ("2025-03-12T09:30:00-04:00"). */
const HEALTHIE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2}):(\d{2}) ?([+-]\d{2}):?(\d{2})$/;

/** Wall-clock hour and minute of a Healthie time; `offset` as +HHMM. */
export function wallClock(healthieTime: string): { day: string; minutes: number; offset: string } {
  const match = HEALTHIE_TIME.exec(healthieTime);
  if (!match) throw new Error(`Not a Healthie time: ${healthieTime}`);
  return { day: match[1]!, minutes: Number(match[2]) * 60 + Number(match[3]), offset: `${match[5]}${match[6]}` };
}

/** Epoch milliseconds of a Healthie time. */
export function instantOf(healthieTime: string): number {
  const match = HEALTHIE_TIME.exec(healthieTime);
  if (!match) throw new Error(`Not a Healthie time: ${healthieTime}`);
  return Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}${match[5]}:${match[6]}`);
}

/** ISO 8601 dates and times as Healthie renders ISO8601DateTime. */
export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

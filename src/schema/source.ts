/**
 * Loads a Healthie source schema: an SDL file, or a live endpoint by introspection
 * (`--from https://…`, authenticated with HEALTHIE_API_KEY / HEALTHIE_SHARD from the environment).
 */
import { readFileSync } from 'node:fs';
import { buildClientSchema, buildSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { healthieHeaders } from '../credentials.js';

/** Introspection of a schema this size takes seconds, not minutes; a hung endpoint should fail. */
const INTROSPECTION_TIMEOUT_MS = 60_000;

export function isUrl(from: string): boolean {
  return /^https?:\/\//.test(from);
}

export function loadSourceSdl(path: string): GraphQLSchema {
  return buildSchema(readFileSync(path, 'utf8'), { assumeValidSDL: true });
}

export async function introspectSource(url: string, env: NodeJS.ProcessEnv = process.env): Promise<GraphQLSchema> {
  const key = env.HEALTHIE_API_KEY;
  if (!key) throw new Error(`Introspecting ${url} needs HEALTHIE_API_KEY in the environment (and HEALTHIE_SHARD for a sharded account).`);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...healthieHeaders({ apiKey: key, shard: env.HEALTHIE_SHARD || undefined }) },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
    signal: AbortSignal.timeout(INTROSPECTION_TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: IntrospectionQuery; errors?: Array<{ message: string }> };
  if (!response.ok || !body.data) {
    const reason = body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
    throw new Error(`Introspection of ${url} failed: ${reason}`);
  }
  return buildClientSchema(body.data);
}

export async function loadSource(from: string): Promise<GraphQLSchema> {
  return isUrl(from) ? introspectSource(from) : loadSourceSdl(from);
}

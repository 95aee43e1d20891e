/**
 * Loads a Healthie source schema: an SDL file, or a live endpoint by introspection
 * (`--from https://…`, authenticated with HEALTHIE_API_KEY / HEALTHIE_SHARD from the environment, and
 * at an explicit Healthie API version: an introspection without one would describe another schema).
 */
import { readFileSync } from 'node:fs';
import { buildClientSchema, buildSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { healthieHeaders } from '../credentials.js';
import { API_VERSION_HEADER, versionWarnings, type VersionWarning } from '../upstream/version.js';

/** Introspection of a schema this size takes seconds, not minutes; a hung endpoint should fail. */
const INTROSPECTION_TIMEOUT_MS = 60_000;

export function isUrl(from: string): boolean {
  return /^https?:\/\//.test(from);
}

export function loadSourceSdl(path: string): GraphQLSchema {
  return buildSchema(readFileSync(path, 'utf8'), { assumeValidSDL: true });
}

/** An introspected schema and the version warnings Healthie attached to the answer. */
export interface Introspection {
  readonly schema: GraphQLSchema;
  readonly warnings: readonly VersionWarning[];
}

/** Introspects `url` at `apiVersion` (sent as Healthie-GraphQL-API-Version). */
export async function introspect(url: string, apiVersion: string, env: NodeJS.ProcessEnv = process.env): Promise<Introspection> {
  const key = env.HEALTHIE_API_KEY;
  if (!key) throw new Error(`Introspecting ${url} needs HEALTHIE_API_KEY in the environment (and HEALTHIE_SHARD for a sharded account).`);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...healthieHeaders({ apiKey: key, shard: env.HEALTHIE_SHARD || undefined }),
      [API_VERSION_HEADER]: apiVersion,
    },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
    signal: AbortSignal.timeout(INTROSPECTION_TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: IntrospectionQuery; errors?: Array<{ message: string; extensions?: { code?: unknown } }> };
  if (!response.ok || !body.data) {
    const reason = body.errors?.map((e) => (typeof e.extensions?.code === 'string' ? `${e.extensions.code}: ${e.message}` : e.message)).join('; ') ?? `HTTP ${response.status}`;
    throw new Error(`Introspection of ${url} at API version ${apiVersion} failed: ${reason}`);
  }
  return { schema: buildClientSchema(body.data), warnings: versionWarnings(body) };
}

export async function introspectSource(url: string, apiVersion: string, env: NodeJS.ProcessEnv = process.env): Promise<GraphQLSchema> {
  return (await introspect(url, apiVersion, env)).schema;
}

/** A Healthie schema from a file, or from a live endpoint introspected at `apiVersion`. */
export async function loadSource(from: string, apiVersion: string): Promise<GraphQLSchema> {
  return isUrl(from) ? introspectSource(from, apiVersion) : loadSourceSdl(from);
}

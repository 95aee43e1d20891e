/**
 * Loads a Healthie source schema: an SDL file, or a live endpoint by introspection
 * (`--from https://…`, authenticated with HEALTHIE_API_KEY / HEALTHIE_SHARD from the environment, and
 * at an explicit Healthie API version: an introspection without one would describe another schema).
 * Also learns the newest version Healthie serves, for the scheduled upstream check.
 *
 * A failure is reported by Healthie's error codes and a hint, never by Healthie's message text:
 * these lines end up in CI logs, and a message may echo request data.
 */
import { readFileSync } from 'node:fs';
import { buildClientSchema, buildSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { healthieHeaders } from '../credentials.js';
import { API_VERSION_HEADER, unsupportedVersion, versionWarnings, type VersionWarning } from '../upstream/version.js';

/** Introspection of a schema this size takes seconds, not minutes; a hung endpoint should fail. */
const INTROSPECTION_TIMEOUT_MS = 60_000;

/** A version no Healthie release carries: Healthie refuses it and names its latest version. */
export const UNPUBLISHED_VERSION = '1970-01-01';

const API_VERSION = /^\d{4}-\d{2}-\d{2}$/;
/** Error codes are upper-case identifiers; anything else in that slot is not echoed. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** What to do about each code Healthie answers an introspection with. */
const HINTS: Readonly<Record<string, string>> = {
  UNAUTHENTICATED: 'check HEALTHIE_API_KEY, and HEALTHIE_SHARD for a sharded account',
  FORBIDDEN: 'the key may not introspect this account; use a key of an account that may',
  UNSUPPORTED_API_VERSION: 'Healthie does not serve this version; name a published one with --api-version',
  RATE_LIMITED: 'Healthie is limiting this key; try again later',
};

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

interface Answer {
  readonly status: number;
  readonly ok: boolean;
  readonly body: { data?: unknown; errors?: unknown; extensions?: unknown };
}

async function post(url: string, apiVersion: string, query: string, env: NodeJS.ProcessEnv): Promise<Answer> {
  const key = env.HEALTHIE_API_KEY;
  if (!key) throw new Error(`Introspecting ${url} needs HEALTHIE_API_KEY in the environment (and HEALTHIE_SHARD for a sharded account).`);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...healthieHeaders({ apiKey: key, shard: env.HEALTHIE_SHARD || undefined }),
      [API_VERSION_HEADER]: apiVersion,
    },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(INTROSPECTION_TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => ({}))) as Answer['body'];
  return { status: response.status, ok: response.ok, body: body && typeof body === 'object' ? body : {} };
}

/** Why an answer failed, by HTTP status, Healthie's error codes and a hint for each; no message text. */
export function failureReason(answer: Pick<Answer, 'status' | 'body'>): string {
  const errors = Array.isArray(answer.body.errors) ? (answer.body.errors as Array<{ extensions?: { code?: unknown } } | null>) : [];
  const codes = [...new Set(errors.map((e) => e?.extensions?.code).filter((c): c is string => typeof c === 'string' && ERROR_CODE.test(c)))];
  const status = `HTTP ${answer.status}`;
  if (codes.length === 0) {
    return errors.length > 0
      ? `${status}, ${errors.length} error(s) without a code; check that the URL is a Healthie GraphQL endpoint`
      : `${status}, no data; check that the URL is a Healthie GraphQL endpoint`;
  }
  const latest = unsupportedVersion(answer.body)?.latest_version;
  const hints = codes.map((code) => HINTS[code]).filter(Boolean);
  if (latest && API_VERSION.test(latest)) hints.push(`Healthie's latest version is ${latest}`);
  return `${status}, ${codes.join(', ')}${hints.length > 0 ? `; ${hints.join('; ')}` : ''}`;
}

/** Introspects `url` at `apiVersion` (sent as Healthie-GraphQL-API-Version). */
export async function introspect(url: string, apiVersion: string, env: NodeJS.ProcessEnv = process.env): Promise<Introspection> {
  const answer = await post(url, apiVersion, getIntrospectionQuery(), env);
  if (!answer.ok || !answer.body.data) {
    throw new Error(`Introspection of ${url} at API version ${apiVersion} failed: ${failureReason(answer)}`);
  }
  return { schema: buildClientSchema(answer.body.data as IntrospectionQuery), warnings: versionWarnings(answer.body) };
}

export async function introspectSource(url: string, apiVersion: string, env: NodeJS.ProcessEnv = process.env): Promise<GraphQLSchema> {
  return (await introspect(url, apiVersion, env)).schema;
}

/** The newest version Healthie serves, and how it was learnt. */
export interface LatestVersion {
  readonly version: string;
  readonly learntFrom: 'warning' | 'refusal';
}

/**
 * Healthie's newest API version: the `latest_version` of a warning it already sent, else the one
 * it names when refusing a request on UNPUBLISHED_VERSION (it warns only about versions it is
 * sunsetting, so an answer on the newest version carries none).
 */
export async function latestVersion(url: string, warnings: readonly VersionWarning[], env: NodeJS.ProcessEnv = process.env): Promise<LatestVersion> {
  const warned = warnings.map((warning) => warning.latest_version).find((version) => version !== undefined && API_VERSION.test(version));
  if (warned) return { version: warned, learntFrom: 'warning' };
  const answer = await post(url, UNPUBLISHED_VERSION, '{ __typename }', env);
  const refused = unsupportedVersion(answer.body)?.latest_version;
  if (refused && API_VERSION.test(refused)) return { version: refused, learntFrom: 'refusal' };
  throw new Error(
    `Asking ${url} for its latest API version (a request on the unpublished version ${UNPUBLISHED_VERSION}) did not name one: ${failureReason(answer)}`,
  );
}

/** A Healthie schema from a file, or from a live endpoint introspected at `apiVersion`. */
export async function loadSource(from: string, apiVersion: string): Promise<GraphQLSchema> {
  return isUrl(from) ? introspectSource(from, apiVersion) : loadSourceSdl(from);
}

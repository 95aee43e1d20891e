/**
 * Healthie credentials: which API key (and shard) a request uses, and the headers that carry them.
 *
 * Keys belong to tenants. A request's own `x-healthie-api-key` / `x-healthie-shard` headers (what
 * the router forwards) win; the server-level key and shard apply only to a request that sends
 * neither header. Anything ambiguous is refused rather than guessed: an empty or repeated key
 * header, or a shard without a key, could otherwise fall back to (or mix with) another
 * tenant's credentials.
 */
export interface Credentials {
  readonly apiKey: string;
  readonly shard?: string;
}

/** Either the credentials to use, or why there are none (reported to the client as UNAUTHENTICATED). */
export type CredentialResolution = { readonly credentials: Credentials } | { readonly problem: string };

export const API_KEY_HEADER = 'x-healthie-api-key';
export const SHARD_HEADER = 'x-healthie-shard';

export const NO_KEY_PROBLEM =
  'No Healthie API key for this request: send the x-healthie-api-key header (and x-healthie-shard for a sharded account), or set HEALTHIE_API_KEY on the server.';

/** Printable ASCII without spaces or commas: what API keys and shard ids are made of. */
const TOKEN = /^[\x21-\x2B\x2D-\x7E]+$/;

type HeaderReading = { value?: string; problem?: string };

/** One header, given as all of its values (Node's `headersDistinct`), checked to be a single token. */
function readHeader(name: string, values: readonly string[] | undefined): HeaderReading {
  if (values === undefined) return {};
  if (values.length !== 1) return { problem: `${name} was sent ${values.length} times; send it once.` };
  const value = values[0]!.trim();
  if (value === '') return { problem: `${name} is empty; send the value, or leave the header out to use the server's own key.` };
  if (!TOKEN.test(value)) {
    return { problem: `${name} contains characters it cannot have (spaces, commas or non-ASCII); copy the value again.` };
  }
  return { value };
}

export function resolveCredentials(
  headers: Readonly<Record<string, readonly string[] | undefined>>,
  serverDefault: Credentials | undefined,
): CredentialResolution {
  const key = readHeader(API_KEY_HEADER, headers[API_KEY_HEADER]);
  const shard = readHeader(SHARD_HEADER, headers[SHARD_HEADER]);
  const problem = key.problem ?? shard.problem;
  if (problem) return { problem };
  if (key.value) return { credentials: { apiKey: key.value, ...(shard.value ? { shard: shard.value } : {}) } };
  if (shard.value) {
    return { problem: `${SHARD_HEADER} was sent without ${API_KEY_HEADER}; a shard belongs to a key, so send both.` };
  }
  return serverDefault ? { credentials: serverDefault } : { problem: NO_KEY_PROBLEM };
}

/** Exactly the headers Healthie expects; AuthorizationShard only when a shard is known. */
export function healthieHeaders(credentials: Credentials): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: `Basic ${credentials.apiKey}`,
    AuthorizationSource: 'API',
  };
  if (credentials.shard) headers.AuthorizationShard = credentials.shard;
  return headers;
}

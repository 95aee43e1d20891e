/**
 * Healthie credentials: which API key (and shard) a request uses, and the headers that carry them.
 *
 * Keys belong to tenants. A request's own `x-healthie-api-key` / `x-healthie-shard` headers (what
 * the router forwards) win; the server-level key and shard apply only when the request has none.
 * A key and its shard always travel together: a request's own key is never paired with the
 * server's shard.
 */
export interface Credentials {
  readonly apiKey: string;
  readonly shard?: string;
}

export const API_KEY_HEADER = 'x-healthie-api-key';
export const SHARD_HEADER = 'x-healthie-shard';

type HeaderValue = string | string[] | undefined;

function single(value: HeaderValue): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/** The credentials for one request, or undefined when neither the request nor the server has a key. */
export function resolveCredentials(
  headers: Readonly<Record<string, HeaderValue>>,
  serverDefault: Credentials | undefined,
): Credentials | undefined {
  const apiKey = single(headers[API_KEY_HEADER]);
  const shard = single(headers[SHARD_HEADER]);
  if (apiKey) return { apiKey, shard };
  // A shard without a key names some other tenant's shard: never pair it with the server's key.
  if (shard) return undefined;
  return serverDefault;
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

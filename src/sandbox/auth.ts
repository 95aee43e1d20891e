/**
 * Healthie's authentication: `Authorization: Basic <raw api key>` with `AuthorizationSource: API`,
 * plus `AuthorizationShard: <shard id>` for accounts whose data lives in a shard.
 *
 * A key is looked up only in the shard the request names (none = the main database), so a
 * sharded key without its shard, or an unsharded key sent to a shard, is simply not found.
 * Every failure looks the same to the caller and never echoes the key.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface KeyedAccount {
  readonly apiKey: string;
  readonly shard?: string;
}

export const UNAUTHENTICATED_MESSAGE = 'API key is missing or invalid (send Authorization: Basic <api key> and AuthorizationSource: API)';

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(', ') : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

export function authenticate<T extends KeyedAccount>(headers: IncomingHttpHeaders, accounts: readonly T[]): T | undefined {
  if (header(headers, 'authorizationsource') !== 'API') return undefined;
  const match = /^Basic\s+(\S+)$/i.exec(header(headers, 'authorization') ?? '');
  const key = match?.[1];
  if (!key) return undefined;
  const shard = header(headers, 'authorizationshard');
  return accounts.find((account) => account.apiKey === key && account.shard === shard);
}

/**
 * What booking needs to know about one HTTP request, read once from its headers when the context
 * is created: the Idempotency-Key and the scopes the router granted. Kept on the context under a
 * symbol, so it dies with the request, the shared context type stays as it is, and Apollo
 * Server's shallow copy of the context per operation still carries it. Also where a replay is
 * noted, for the `Idempotent-Replayed` header.
 */
import type { SubgraphContext } from '../context.js';
import { IDEMPOTENCY_KEY_HEADER, readIdempotencyKey, type KeyReading } from './keys.js';
import type { BookingService } from './service.js';

export const SCOPES_HEADER = 'x-healthie-scopes';
export const SCOPES = ['read', 'schedule'] as const;

/** Scopes as the router sent them: absent (no narrowing), a valid list, or a malformed header. */
export type ScopesReading = { readonly kind: 'absent' } | { readonly kind: 'granted'; readonly scopes: readonly string[] } | { readonly kind: 'invalid'; readonly problem: string };

export interface BookingRequest {
  readonly service: BookingService;
  readonly idempotencyKey: KeyReading;
  readonly scopes: ScopesReading;
  /** Set when the answer replays an earlier outcome. */
  replayed: boolean;
}

type Headers = Readonly<Record<string, readonly string[] | undefined>>;

function readScopes(values: readonly string[] | undefined): ScopesReading {
  if (values === undefined) return { kind: 'absent' };
  if (values.length !== 1) return { kind: 'invalid', problem: `${SCOPES_HEADER} was sent ${values.length} times` };
  const scopes = values[0]!.split(',').map((scope) => scope.trim()).filter((scope) => scope !== '');
  const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) return { kind: 'invalid', problem: `${SCOPES_HEADER} has unknown scopes (accepted: ${SCOPES.join(', ')})` };
  return { kind: 'granted', scopes };
}

const BOOKING = Symbol('booking request');

export function attachBookingRequest(context: SubgraphContext, headers: Headers, service: BookingService): SubgraphContext {
  (context as { [BOOKING]?: BookingRequest })[BOOKING] = {
    service,
    idempotencyKey: readIdempotencyKey(headers[IDEMPOTENCY_KEY_HEADER]),
    scopes: readScopes(headers[SCOPES_HEADER]),
    replayed: false,
  };
  return context;
}

export function bookingRequestOf(context: object): BookingRequest | undefined {
  return (context as { [BOOKING]?: BookingRequest })[BOOKING];
}

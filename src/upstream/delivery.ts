/**
 * Whether a failed Healthie request may have reached Healthie. A booking that failed before it
 * was sent can simply be sent again; one that may have reached Healthie (a timeout, a connection
 * dropped after the body went out, any answer at all) may have booked, so its retry must look
 * for the appointment first.
 *
 * The client marks the failures that certainly happened before sending; every other error
 * counts as "may have reached Healthie", so an unmarked error errs on the safe side.
 */

const NOT_SENT = new WeakSet<object>();

/** Marks `error` as raised before the request left this process (nothing reached Healthie). */
export function markNotSent<T extends object>(error: T): T {
  NOT_SENT.add(error);
  return error;
}

/** Connection failures that happen before a single byte of the request is written. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function isConnectFailure(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return typeof code === 'string' && CONNECT_FAILURES.has(code);
}

/** False only for errors marked as raised before sending; follows wrapped `originalError`s. */
export function mayHaveReachedHealthie(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if (NOT_SENT.has(current)) return false;
    current = (current as { originalError?: unknown }).originalError;
  }
  return true;
}

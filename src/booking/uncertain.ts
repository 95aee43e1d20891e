/**
 * What a client is told when a booking may have been made but its outcome is unknown: Healthie
 * may have received it and then the answer was lost, failed, or carried neither an appointment
 * nor messages.
 *
 * Why: a "could not be reached, retry" or an error-free empty answer invites a second booking,
 * and Healthie has no idempotency of its own, so the patient gets booked twice. The error keeps
 * its stable code (flows branch on it), says that the booking may have been made and what makes
 * a retry safe for this request (the same Idempotency-Key, or checking the patient's
 * appointments when none was sent), and carries `extensions.bookingMayExist: true` for flows.
 * An error without a code there (e.g. graphql-tools refusing a value of Healthie's) would be
 * masked, hint and all, so it becomes UPSTREAM_BAD_RESPONSE. Errors of a booking that certainly never reached Healthie ("nothing was sent") are left as
 * they are, and those of a booking Healthie refused without running it say that it booked nothing.
 */
import { GraphQLError } from 'graphql';
import { codeOf, ErrorCode, subgraphError } from '../errors.js';
import { findUpstreamFailure } from '../upstream/failure.js';

/** The extension a flow reads instead of parsing the message. */
export const BOOKING_MAY_EXIST = 'bookingMayExist';
/** Whole seconds after which a retry with the same Idempotency-Key may look the booking up. */
export const RETRY_AFTER_SECONDS = 'retryAfterSeconds';

const KEYED =
  "The booking may have been made: retry only with the same Idempotency-Key, which looks for it in Healthie before booking again; without that key, check the patient's appointments before booking again.";
const UNKEYED =
  "The booking may have been made: check the patient's appointments before booking again, since a retry books again (an Idempotency-Key on every booking makes retries safe).";
const NOT_RUN = 'Healthie refused the booking without running it, so this attempt booked nothing.';
const LOOKUP_FAILED =
  'An earlier attempt with this Idempotency-Key may have made the booking, and looking for it failed: retry only with the same key, which looks for it again before booking.';

/** Whether `error` has no code of ours: its type and stack belong in the log (see withBookingAdvice). */
export function isUnclassified(error: unknown): boolean {
  return !(error instanceof GraphQLError) || codeOf(error) === ErrorCode.INTERNAL_SERVER_ERROR;
}

/** `message`, ended as a sentence, then `advice`. */
const withAdvice = (message: string, advice: string) => `${message.trimEnd().replace(/[^.!?]$/, '$&.')} ${advice}`;

/**
 * `error` (a failed booking that may have reached Healthie) with the same code and extensions, its
 * message followed by what to do, and `bookingMayExist`. `keyed`: the request sent an
 * Idempotency-Key. An error without a code becomes UPSTREAM_BAD_RESPONSE (see UNREADABLE).
 */
export function bookingMayExist(error: unknown, keyed: boolean): GraphQLError {
  return withBookingAdvice(error, keyed ? KEYED : UNKEYED, "Healthie's answer to the booking could not be read.");
}

/** A retry's lookup for a booking an earlier attempt may have made failed: the key stays "unknown". */
export function lookupFailed(error: unknown): GraphQLError {
  return withBookingAdvice(error, LOOKUP_FAILED, "Healthie's answer to the lookup for the booking could not be read.");
}

/**
 * A retry while an earlier attempt with its key may still be running at Healthie (the settle
 * window, HEALTHIE_BOOKING_SETTLE_MS): looking now could miss an appointment that lands a moment
 * later, and booking would then make a second one. Nothing is sent.
 */
export function settling(retryAfterMs: number): GraphQLError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return subgraphError(
    ErrorCode.IDEMPOTENCY_IN_PROGRESS,
    `An earlier attempt with this Idempotency-Key may still be running at Healthie, so its outcome is not known yet, and this request sent nothing. Retry with the same key after ${seconds} seconds: it then looks for the booking in Healthie before booking again.`,
    { [BOOKING_MAY_EXIST]: true, [RETRY_AFTER_SECONDS]: seconds },
  );
}

/**
 * A retry whose earlier attempt may have booked, where the lookup cannot tell whether it did
 * (`reason`: the input or Healthie's answer it cannot match). Booking again could make a second
 * appointment, so the key stays "unknown" and every retry with it is refused; nothing is sent.
 */
export function cannotLookUp(reason: string): GraphQLError {
  return subgraphError(
    ErrorCode.BAD_USER_INPUT,
    `An earlier attempt with this Idempotency-Key may have made the booking, and this subgraph cannot look for it: ${reason}. This request sent nothing, and retries with this key are refused the same way. Check the patient's appointments in Healthie; book with a new Idempotency-Key only if the booking is not there.`,
    { [BOOKING_MAY_EXIST]: true },
  );
}

/**
 * `error` of a booking Healthie answered without running it (src/upstream/execution.ts): the same
 * code and extensions, and no `bookingMayExist`; the message says that this attempt booked
 * nothing, so the client knows a retry cannot book twice.
 */
export function notRun(error: unknown): GraphQLError {
  const known = error instanceof GraphQLError ? error : findUpstreamFailure(error);
  if (!known) return subgraphError(ErrorCode.UPSTREAM_BAD_RESPONSE, NOT_RUN);
  return new GraphQLError(withAdvice(known.message, NOT_RUN), { originalError: known, extensions: known.extensions });
}

/** Healthie's answer to a booking carried neither an appointment nor messages. */
export function emptyAnswer(keyed: boolean): GraphQLError {
  return subgraphError(ErrorCode.UPSTREAM_BAD_RESPONSE, withAdvice("Healthie's answer to the booking carried neither an appointment nor messages.", keyed ? KEYED : UNKEYED), {
    [BOOKING_MAY_EXIST]: true,
  });
}

/**
 * An error without a code while an answer was read (graphql-tools refusing a value of Healthie's,
 * or a bug here) becomes UPSTREAM_BAD_RESPONSE saying `unreadable`: its message may quote the
 * answer, and masked as an internal error it would not say that the booking may exist. The
 * caller logs its type and stack.
 */
function withBookingAdvice(error: unknown, advice: string, unreadable: string): GraphQLError {
  // No path: graphql-js puts the error at the booking field that threw it.
  if (!(error instanceof GraphQLError) || isUnclassified(error)) {
    return subgraphError(ErrorCode.UPSTREAM_BAD_RESPONSE, withAdvice(unreadable, advice), { [BOOKING_MAY_EXIST]: true });
  }
  return new GraphQLError(withAdvice(error.message, advice), {
    originalError: error,
    extensions: { ...error.extensions, [BOOKING_MAY_EXIST]: true },
  });
}

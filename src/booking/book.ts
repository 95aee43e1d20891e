/**
 * bookOnce: the one way a booking reaches Healthie, whichever execution path runs it. Given the
 * request's context, the booking input and a path (how to send it and how to present an earlier
 * outcome), it makes sure one Idempotency-Key yields at most one appointment:
 *
 * - no key: sent as is (the guard refuses this when keys are required);
 * - first use: claim the key, send, record the outcome (appointment id or messages);
 * - same key and input again: the recorded outcome, read again with the caller's selection;
 * - Healthie refused in `messages` the caller does not select: an error saying so, first time or
 *   replayed (unread-messages.ts);
 * - same key, different input: IDEMPOTENCY_KEY_REUSED;
 * - the first request still in flight: wait for its outcome, up to a bound, else
 *   IDEMPOTENCY_IN_PROGRESS;
 * - outcome unknown (the first may have reached Healthie): IDEMPOTENCY_IN_PROGRESS while that
 *   attempt settles (Healthie may still be running it: a lookup now would miss it), then look for
 *   the appointment, and book only if it is not there; when the lookup cannot tell (an input it
 *   cannot match), refuse and keep the key unknown.
 * Bookings are never retried here: a failed send is reported, and the key remembers whether
 * Healthie may have run it (not when nothing was sent, nor when Healthie's answer proves it ran
 * nothing: src/upstream/execution.ts). A booking that may have been made (a failure after sending, or an
 * answer with neither an appointment nor messages) is never reported as a success or as "not
 * sent": its error says so and what makes a retry safe (uncertain.ts).
 *
 * `input` must be the argument as executed (graphql-js's coerced value: variables and defaults
 * applied, subgraph field names), so that every path fingerprints one booking alike.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { codeOf, ErrorCode, subgraphError } from '../errors.js';
import type { SubgraphContext } from '../context.js';
import { describeForLog } from '../plugins/logging.js';
import { mayHaveExecuted, mayHaveReachedHealthie } from '../upstream/failure.js';
import type { AuditOutcome } from './audit.js';
import { UnmatchableBooking, type BookingInput } from './outcome-lookup.js';
import { recordedOutcome } from './recorded-outcome.js';
import { bookingRequestOf } from './request.js';
import type { BookingOutcome } from './store.js';
import { bookingMayExist, BOOKING_MAY_EXIST, cannotLookUp, emptyAnswer, isUnclassified, lookupFailed, notRun, settling } from './uncertain.js';

export interface BookingPath<T> {
  /** Sends the booking; resolves with the caller's result and what it came to. */
  send(): Promise<{ readonly result: T; readonly outcome: BookingOutcome | undefined }>;
  /** The caller's result for an earlier outcome (a replay, or an appointment found after a lost answer). */
  present(outcome: BookingOutcome): T | Promise<T>;
  /**
   * The error to answer instead of `outcome`, when the caller could not otherwise learn it: Healthie
   * refused in `messages` that the operation does not select (unread-messages.ts).
   */
  unread(outcome: BookingOutcome): Error | undefined;
}

/**
 * An appointment, or Healthie's messages (at least one with text): anything else does not say
 * whether it booked.
 */
function isOutcome(outcome: BookingOutcome | undefined): outcome is BookingOutcome {
  return Boolean(outcome?.appointmentId || outcome?.messages?.some((m) => m.message.trim() !== ''));
}

function audited(outcome: BookingOutcome): AuditOutcome {
  if (outcome.appointmentId) return { outcome: 'booked', appointmentId: outcome.appointmentId };
  return { outcome: 'messages', messageCount: outcome.messages?.length ?? 0 };
}

const replayAudit = (outcome: BookingOutcome, recovered: boolean): AuditOutcome => ({
  outcome: 'replayed',
  appointmentId: outcome.appointmentId,
  messageCount: outcome.messages?.length ?? 0,
  recovered,
});

export async function bookOnce<T>(context: SubgraphContext, input: BookingInput | null | undefined, path: BookingPath<T>): Promise<T> {
  const request = bookingRequestOf(context);
  if (!request) throw subgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'A booking was attempted outside a request of this server.');
  const { service } = request;
  const key = request.idempotencyKey.value;
  const keyed = key !== undefined;
  const audit = (outcome: AuditOutcome) => service.audit(context, keyed, outcome);
  // After the audit line (which records what Healthie answered): a refusal the caller cannot read becomes an error.
  const answer = <R>(outcome: BookingOutcome, result: () => R): R => {
    const unread = path.unread(outcome);
    if (unread) throw unread;
    return result();
  };
  const fail = (error: unknown, kind: 'refused' | 'error' = 'error'): never => {
    const extensions = (error as { extensions?: Record<string, unknown> }).extensions;
    audit({ outcome: kind, code: codeOf({ extensions }), ...(extensions?.[BOOKING_MAY_EXIST] === true ? { bookingMayExist: true } : {}) });
    throw error;
  };
  // Errors without a code are replaced below; their type and stack go to the log as elsewhere.
  const logUnclassified = (error: unknown) => {
    if (isUnclassified(error)) context.logger.error({ requestId: context.requestId, error: describeForLog(error) }, 'unexpected error');
  };
  // A failed send that Healthie may have run says the booking may exist; "nothing was sent" stays,
  // and an answer proving Healthie ran nothing (a refused key, a rate limit, no `data`) says so.
  const failedSend = (error: unknown): never => {
    if (!mayHaveReachedHealthie(error)) return fail(error);
    if (!mayHaveExecuted(error)) return fail(notRun(error));
    logUnclassified(error);
    return fail(bookingMayExist(error, keyed));
  };

  if (!keyed) {
    const sent = await path.send().catch(failedSend);
    if (!isOutcome(sent.outcome)) return fail(emptyAnswer(false));
    audit(audited(sent.outcome));
    return answer(sent.outcome, () => sent.result);
  }
  if ('problem' in context.credentials) fail(subgraphError(ErrorCode.UNAUTHENTICATED, context.credentials.problem), 'refused');
  const credentials = 'credentials' in context.credentials ? context.credentials.credentials : undefined;
  const recordKey = service.hasher.recordKey(credentials!, key);
  const fingerprint = service.hasher.fingerprint(input ?? null);
  const tenant = service.hasher.storeTenant(credentials!);
  const store = service.store;

  // Claim the key, or wait (bounded) while another request owns it.
  const deadline = Date.now() + service.waitMs;
  let claim = await store.claim(recordKey, fingerprint, tenant).catch(fail);
  for (let pause = 20; claim.kind === 'in-flight'; pause = Math.min(pause * 2, 250)) {
    if (Date.now() >= deadline) {
      fail(
        subgraphError(
          ErrorCode.IDEMPOTENCY_IN_PROGRESS,
          'A booking with this Idempotency-Key is still in progress. Retry with the same key in a few seconds to get its outcome.',
        ),
        'refused',
      );
    }
    await sleep(pause);
    claim = await store.claim(recordKey, fingerprint, tenant).catch(fail);
  }
  // Not waited for: the window is far longer than a request should take; the client retries.
  if (claim.kind === 'settling') fail(settling(claim.retryAfterMs), 'refused');
  if (claim.kind === 'reused') {
    fail(
      subgraphError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was used for a booking with different input. Use a new key for a new booking; reuse a key only to retry the same booking.',
      ),
      'refused',
    );
  }
  if (claim.kind === 'done') {
    request.replayed = true;
    audit(replayAudit(claim.outcome, false));
    return answer(claim.outcome, () => path.present(claim.outcome));
  }
  if (claim.kind !== 'claimed') throw new Error('unreachable');
  const { token } = claim;

  if (claim.recovering) {
    let found: string | undefined;
    try {
      found = await service.findBooked(context, input ?? {});
    } catch (error) {
      // Released back to "unknown": the next retry looks again (and cannot book without finding).
      await store.release(recordKey, token).catch(() => {});
      if (error instanceof UnmatchableBooking) fail(cannotLookUp(error.reason), 'refused');
      logUnclassified(error);
      fail(lookupFailed(error));
    }
    if (found) {
      const outcome: BookingOutcome = { appointmentId: found, messages: null };
      await store.complete(recordKey, token, outcome).catch(() => {});
      request.replayed = true;
      audit(replayAudit(outcome, true));
      return path.present(outcome);
    }
  }

  let sent: Awaited<ReturnType<BookingPath<T>['send']>>;
  try {
    sent = await path.send();
  } catch (error) {
    // Not retried. Whether it may have booked decides what the next attempt with this key does:
    // look first ("unknown"), or book (released, as if this attempt had not happened).
    const settle = mayHaveExecuted(error) ? store.markUnknown(recordKey, token) : store.release(recordKey, token);
    await settle.catch(() => {});
    return failedSend(error);
  }
  const outcome = sent.outcome;
  if (!isOutcome(outcome)) {
    // Neither an appointment nor messages: possibly booked, so the next attempt looks first.
    await store.markUnknown(recordKey, token).catch(() => {});
    return fail(emptyAnswer(true));
  }
  // If Redis fails here the record stays in flight; its lease ends and a retry looks first.
  // Recorded bounded in bytes (recorded-outcome.ts); this answer is Healthie's, whole.
  await store.complete(recordKey, token, recordedOutcome(outcome)).catch((error: unknown) =>
    context.logger.warn({ requestId: context.requestId, code: codeOf(error as never) }, 'booking outcome not recorded'),
  );
  audit(audited(outcome));
  return answer(outcome, () => sent.result);
}

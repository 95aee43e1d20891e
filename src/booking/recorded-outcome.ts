/**
 * The outcome of a booking as the idempotency store keeps it: Healthie's messages bounded in bytes.
 *
 * Why: Healthie's messages quote what the client sent (a `contactType` of 200 KB comes back whole
 * in "… is not available for this appointment type"), and the store keeps an outcome for every
 * key for IDEMPOTENCY_TTL_S. Kept whole, one tenant's refused bookings (10,000 keys, each request
 * within the 256 KiB body limit) held about 2 GB of a replica's memory, or of Redis's, for a day;
 * the store bounds records by count, so their size must be bounded here. A replay answers the
 * messages as recorded: in order, within MAX_RECORDED_MESSAGE_BYTES of text in all (field names
 * at most MAX_RECORDED_FIELD_BYTES each), cut on a character boundary; the messages past the bound
 * are not kept. Healthie's own messages are a few dozen bytes each, so only a quoted input of
 * kilobytes loses anything, and never the fact that the booking was refused. The first answer is
 * Healthie's, whole.
 */
import { truncateUtf8 } from '../upstream/healthie-errors.js';
import type { BookingOutcome, FieldMessage } from './store.js';

export const MAX_RECORDED_MESSAGE_BYTES = 2048;
export const MAX_RECORDED_FIELD_BYTES = 128;

/** Bytes of a message's text as kept: Healthie's answer is not type-checked here, so anything is read as text. */
const bytesOf = (text: unknown): number => (text === null || text === undefined ? 0 : Buffer.byteLength(String(text)));

function textBytes(messages: readonly FieldMessage[]): number {
  let bytes = 0;
  for (const { field, message } of messages) bytes += bytesOf(message) + bytesOf(field);
  return bytes;
}

/** `outcome` with its messages within the bounds above; the outcome itself when already within them. */
export function recordedOutcome(outcome: BookingOutcome): BookingOutcome {
  const messages = outcome.messages;
  if (!messages || (textBytes(messages) <= MAX_RECORDED_MESSAGE_BYTES && messages.every((m) => bytesOf(m.field) <= MAX_RECORDED_FIELD_BYTES))) {
    return outcome;
  }
  const kept: FieldMessage[] = [];
  let left = MAX_RECORDED_MESSAGE_BYTES;
  for (const { field, message } of messages) {
    if (left <= 0) break;
    const keptField = field === null || field === undefined ? null : truncateUtf8(String(field), Math.min(MAX_RECORDED_FIELD_BYTES, left));
    left -= bytesOf(keptField);
    const keptMessage = truncateUtf8(String(message), Math.max(0, left));
    left -= Buffer.byteLength(keptMessage);
    kept.push({ field: keptField, message: keptMessage });
  }
  return { appointmentId: outcome.appointmentId, messages: kept };
}

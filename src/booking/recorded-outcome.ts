/**
 * The outcome of a booking as the idempotency store keeps it: Healthie's messages bounded in bytes.
 *
 * Why: Healthie's messages quote what the client sent (a `contactType` of 200 KB comes back whole
 * in "… is not available for this appointment type"), and the store keeps an outcome for every
 * key for IDEMPOTENCY_TTL_S. Kept whole, one tenant's refused bookings (10,000 keys, each request
 * within the 256 KiB body limit) held about 2 GB of a replica's memory, or of Redis's, for a day;
 * the store bounds records by count, so their size must be bounded here. A replay answers the
 * messages as recorded: in order, within MAX_RECORDED_MESSAGE_BYTES of text in all (field names
 * at most MAX_RECORDED_FIELD_BYTES each), cut on a character boundary, and at most
 * MAX_RECORDED_MESSAGES of them; the messages past a bound are not kept (a field name that is not
 * text is kept whole within its bound, else not at all). Healthie's own
 * messages are a few dozen bytes each, so only a quoted input of
 * kilobytes loses anything, and never the fact that the booking was refused. The first answer is
 * Healthie's, whole.
 */
import { truncateUtf8 } from '../upstream/healthie-errors.js';
import type { BookingOutcome, FieldMessage } from './store.js';

export const MAX_RECORDED_MESSAGE_BYTES = 2048;
export const MAX_RECORDED_FIELD_BYTES = 128;
/**
 * Messages kept per outcome. Each costs its JSON's keys beside its text, so the byte bound alone
 * let about 2,000 empty messages (some 55 KB) be kept; Healthie lists one per refused field.
 */
export const MAX_RECORDED_MESSAGES = 50;

/**
 * Bytes a value of Healthie's answer takes as kept: text as UTF-8, anything else as its JSON.
 * Healthie's answer is not type-checked where the outcome is read, and a field name that is an
 * object is kept as it came (so that a replay answers as the first answer did): sized as the text
 * "[object Object]", one of 500 KB was kept whole, in memory or in Redis, for a day.
 */
function bytesOf(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Buffer.byteLength(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
}

/** What one message counts against the byte bound: its text. */
const messageBytes = (field: unknown, message: unknown): number => bytesOf(field) + bytesOf(message);

function within(messages: readonly FieldMessage[]): boolean {
  if (messages.length > MAX_RECORDED_MESSAGES) return false;
  let bytes = 0;
  for (const { field, message } of messages) {
    if (bytesOf(field) > MAX_RECORDED_FIELD_BYTES) return false;
    bytes += messageBytes(field, message);
  }
  return bytes <= MAX_RECORDED_MESSAGE_BYTES;
}

/**
 * `field` within `max` bytes: text cut on a character boundary, anything else kept whole, as
 * Healthie sent it (its answer is not type-checked where the outcome is read), or not at all.
 */
function keptField(field: unknown, max: number): unknown {
  if (field === null || field === undefined) return null;
  if (typeof field === 'string') return truncateUtf8(field, max);
  return bytesOf(field) <= max ? field : null;
}

/** `outcome` with its messages within the bounds above; the outcome itself when already within them. */
export function recordedOutcome(outcome: BookingOutcome): BookingOutcome {
  const messages = outcome.messages;
  if (!messages || within(messages)) return outcome;
  const kept: FieldMessage[] = [];
  let left = MAX_RECORDED_MESSAGE_BYTES;
  for (const { field, message } of messages) {
    if (left <= 0 || kept.length >= MAX_RECORDED_MESSAGES) break;
    const name = keptField(field, Math.min(MAX_RECORDED_FIELD_BYTES, left));
    const text = truncateUtf8(String(message), Math.max(0, left - bytesOf(name)));
    left -= messageBytes(name, text);
    kept.push({ field: name as FieldMessage['field'], message: text });
  }
  return { appointmentId: outcome.appointmentId, messages: kept };
}

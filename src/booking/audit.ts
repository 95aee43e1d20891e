/**
 * The audit line: one structured log line per booking attempt, whatever became of it, so that
 * "was this appointment booked through us, for which tenant, and was it a retry?" has an answer.
 * It names the tenant by a short keyed hash and the appointment by its id; never a key, a patient,
 * a time or anything else from the input.
 */
import type { Logger } from '../logger.js';

export type AuditOutcome =
  | { readonly outcome: 'booked'; readonly appointmentId: string }
  | { readonly outcome: 'messages'; readonly messageCount: number }
  | { readonly outcome: 'replayed'; readonly appointmentId: string | null; readonly messageCount: number; readonly recovered: boolean }
  | { readonly outcome: 'refused'; readonly code: string }
  /** `bookingMayExist`: the booking may have reached Healthie and been made (uncertain.ts). */
  | { readonly outcome: 'error'; readonly code: string; readonly bookingMayExist?: true };

export interface AuditEntry {
  readonly requestId: string;
  /** Short keyed hash of the tenant's API key; null when the request has no key. */
  readonly tenant: string | null;
  readonly idempotencyKey: boolean;
}

export const AUDIT_MESSAGE = 'booking attempt';

export function auditBooking(logger: Logger, entry: AuditEntry, outcome: AuditOutcome): void {
  logger.info({ audit: 'booking', ...entry, ...outcome }, AUDIT_MESSAGE);
}

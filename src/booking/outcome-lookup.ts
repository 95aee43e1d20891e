/**
 * Outcome unknown: a booking timed out or lost its connection after it was sent, so Healthie may
 * have made the appointment. Before booking again, look for an appointment of that patient,
 * with that provider, starting at that time. Healthie has no idempotency of its own, so this
 * lookup is the only way to tell.
 *
 * Written for Healthie API 2026-01-01: `appointments(...)` is a connection (`nodes`), its date
 * arguments and `date` are ISO 8601 date-times. When the API version changes shape again, only
 * this module changes.
 */
import { parse, type ExecutionResult } from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import type { UpstreamRequestContext } from '../upstream/client.js';

/** The booking input as the subgraph receives it (subgraph field names). */
export interface BookingInput {
  readonly userId?: string | null;
  readonly otherPartyId?: string | null;
  readonly providers?: string | null;
  readonly datetime?: string | null;
  readonly timezone?: string | null;
}

/** One page is plenty: one patient's appointments with one provider over three days. */
const LOOKUP = parse(`query BookingOutcomeLookup($userId: ID, $providerId: ID, $startDate: ISO8601DateTime, $endDate: ISO8601DateTime) {
  appointments(user_id: $userId, provider_id: $providerId, filter: "all", startDate: $startDate, endDate: $endDate, first: 100) {
    nodes { id date provider { id timezone } }
  }
}`);

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const MS_PER_DAY = 86_400_000;

/** Offset of `timeZone` from UTC at `instant`, in ms; undefined for an unknown zone. */
function zoneOffset(instant: number, timeZone: string): number | undefined {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(instant);
    const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) - Math.floor(instant / 1000) * 1000;
  } catch {
    return undefined;
  }
}

/**
 * The instant a Healthie time denotes: an explicit offset wins, else it is wall time in
 * `timeZone` (as createAppointment reads it). Undefined when it cannot be known.
 */
export function instantOf(text: string, timeZone: string | null | undefined): number | undefined {
  const match = DATETIME.exec(text.trim());
  if (!match) return undefined;
  const naive = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0));
  const zone = match[7];
  if (zone) {
    if (zone.toUpperCase() === 'Z') return naive;
    const digits = zone.replace(':', '');
    const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
    return naive - (digits.startsWith('-') ? -minutes : minutes) * 60_000;
  }
  if (!timeZone) return undefined;
  const first = zoneOffset(naive, timeZone);
  if (first === undefined) return undefined;
  // Twice, so that a time near a DST change uses the offset in force at the result.
  return naive - (zoneOffset(naive - first, timeZone) ?? first);
}

interface LookedUp {
  readonly id: string;
  readonly date: string | null;
  readonly provider: { readonly id: string; readonly timezone: string | null } | null;
}

/** The provider createAppointment books with: other_party_id, else the first of providers. */
function providerOf(input: BookingInput): string | undefined {
  const explicit = input.otherPartyId?.trim() || input.providers?.split(',').map((id) => id.trim()).find((id) => id !== '');
  return explicit || undefined;
}

/**
 * The id of an appointment matching `input` (patient, provider, start), or undefined when there
 * is none. Throws what the executor throws: a failed lookup must not be taken for "not booked".
 */
export async function findBookedAppointment(
  executor: Executor<UpstreamRequestContext>,
  context: UpstreamRequestContext,
  input: BookingInput,
): Promise<string | undefined> {
  const userId = input.userId?.trim();
  const datetime = input.datetime?.trim();
  const day = datetime ? DATETIME.exec(datetime) : null;
  // Without a patient or a readable time Healthie refused the booking with messages: nothing to find.
  if (!userId || !day) return undefined;
  const providerId = providerOf(input);
  const midnight = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  const isoInstant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const result = (await executor({
    document: LOOKUP,
    variables: { userId, providerId: providerId ?? null, startDate: isoInstant(midnight - MS_PER_DAY), endDate: isoInstant(midnight + 2 * MS_PER_DAY) },
    context,
    operationType: 'query' as never,
  })) as ExecutionResult<{ appointments?: { nodes?: Array<LookedUp | null> | null } | null }>;
  if (result.errors?.length) throw result.errors[0];
  for (const appointment of result.data?.appointments?.nodes ?? []) {
    if (!appointment) continue;
    if (providerId && appointment.provider?.id !== providerId) continue;
    const booked = appointment.date ? instantOf(appointment.date, undefined) : undefined;
    const wanted = instantOf(datetime!, input.timezone || appointment.provider?.timezone);
    if (booked !== undefined && booked === wanted) return appointment.id;
  }
  return undefined;
}

/**
 * Outcome unknown: a booking timed out or lost its connection after it was sent, so Healthie may
 * have made the appointment. Before booking again, look for an appointment of that patient,
 * with that provider, starting at that time. Healthie has no idempotency of its own, so this
 * lookup is the only way to tell.
 *
 * Written for the unversioned API shape (`appointments(...)` returns a list, times are strings
 * such as `2025-03-12 10:00:00 -0400`). When the schema moves to a versioned API whose
 * `appointments` is a connection, only this module changes.
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

const LOOKUP = parse(`query BookingOutcomeLookup($userId: ID, $providerId: ID, $startDate: String, $endDate: String) {
  appointments(user_id: $userId, provider_id: $providerId, filter: "all", startDate: $startDate, endDate: $endDate) {
    id
    date
    provider { id timezone }
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
  const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const result = (await executor({
    document: LOOKUP,
    variables: { userId, providerId: providerId ?? null, startDate: isoDay(midnight - MS_PER_DAY), endDate: isoDay(midnight + MS_PER_DAY) },
    context,
    operationType: 'query' as never,
  })) as ExecutionResult<{ appointments?: Array<{ id: string; date: string | null; provider: { id: string; timezone: string | null } | null }> | null }>;
  if (result.errors?.length) throw result.errors[0];
  for (const appointment of result.data?.appointments ?? []) {
    if (providerId && appointment.provider?.id !== providerId) continue;
    const booked = appointment.date ? instantOf(appointment.date, undefined) : undefined;
    const wanted = instantOf(datetime!, input.timezone || appointment.provider?.timezone);
    if (booked !== undefined && booked === wanted) return appointment.id;
  }
  return undefined;
}

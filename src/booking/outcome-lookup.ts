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

/**
 * One patient's appointments (with one provider, when the booking names one) over three days,
 * paged: a match on a later page must not read as "not booked", which would book again. And,
 * for a booking that names no provider, the key's own user (see findBookedAppointment).
 */
const LOOKUP = parse(`query BookingOutcomeLookup($userId: ID, $providerId: ID, $startDate: ISO8601DateTime, $endDate: ISO8601DateTime, $first: Int, $after: String, $keyUser: Boolean!) {
  appointments(user_id: $userId, provider_id: $providerId, filter: "all", startDate: $startDate, endDate: $endDate, first: $first, after: $after) {
    nodes { id date provider { id timezone } }
    page_info { has_next_page end_cursor }
  }
  currentUser @include(if: $keyUser) { id }
}`);

/** How the lookup pages: Healthie's largest page, and enough pages for any real patient's three days. */
export interface LookupPaging {
  readonly pageSize: number;
  readonly maxPages: number;
}
const PAGING: LookupPaging = { pageSize: 100, maxPages: 5 };

/** Healthie's createAppointment `datetime`: YYYY-MM-DD HH:MM[:SS] or ISO 8601, extended or basic, offsets of hours or hours and minutes. */
const EXTENDED = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const BASIC = /^(\d{4})(\d{2})(\d{2})[Tt](\d{2})(\d{2})(?:(\d{2})(?:[.,]\d+)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const MS_PER_DAY = 86_400_000;

/** The input, or Healthie's answer, does not let the lookup tell whether the booking was made. */
export class UnmatchableBooking extends Error {
  constructor(readonly reason: string) {
    super(`The booking cannot be looked up: ${reason}.`);
    this.name = 'UnmatchableBooking';
  }
}

interface WrittenTime {
  /** The fields as written, read as if in UTC (ms). */
  readonly naive: number;
  /** The written offset in minutes east of UTC; undefined for wall time. */
  readonly offsetMinutes: number | undefined;
}

/** A time as written, or undefined when it is not one this module reads exactly (out-of-range fields included). */
function readTime(text: string): WrittenTime | undefined {
  const match = EXTENDED.exec(text.trim()) ?? BASIC.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const sameDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!sameDay || hour > 23 || minute > 59 || second > 59) return undefined;
  if (match[7]) return { naive: date.getTime(), offsetMinutes: 0 };
  if (!match[8]) return { naive: date.getTime(), offsetMinutes: undefined };
  const [hours, minutes] = [Number(match[9]), Number(match[10] ?? 0)];
  if (hours > 23 || minutes > 59) return undefined;
  return { naive: date.getTime(), offsetMinutes: (match[8] === '-' ? -1 : 1) * (hours * 60 + minutes) };
}

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
  const written = readTime(text);
  if (!written) return undefined;
  const { naive, offsetMinutes } = written;
  if (offsetMinutes !== undefined) return naive - offsetMinutes * 60_000;
  if (!timeZone) return undefined;
  const first = zoneOffset(naive, timeZone);
  if (first === undefined) return undefined;
  // Twice, so that a time near a DST change uses the offset in force at the result.
  return naive - (zoneOffset(naive - first, timeZone) ?? first);
}

interface LookedUp {
  readonly id: string;
  readonly date: string | null;
  readonly provider: { readonly id: string | null; readonly timezone: string | null } | null;
}

interface LookupPage {
  readonly nodes?: Array<LookedUp | null> | null;
  readonly page_info?: { readonly has_next_page?: boolean | null; readonly end_cursor?: string | null } | null;
}

/** The provider named by the booking: other_party_id, else the first of providers (createAppointment's order). */
function providerOf(input: BookingInput): string | undefined {
  const explicit = input.otherPartyId?.trim() || input.providers?.split(',').map((id) => id.trim()).find((id) => id !== '');
  return explicit || undefined;
}

/**
 * The id of an appointment matching `input` (patient, provider, start), or undefined when there
 * is none. Throws UnmatchableBooking when it cannot tell, and what the executor throws: neither
 * may be taken for "not booked". A booking that names no provider matches only when the patient's
 * one appointment at that time is the key's own user's; any other appointment at that time is
 * "cannot tell", since it may be the booking.
 */
export async function findBookedAppointment(
  executor: Executor<UpstreamRequestContext>,
  context: UpstreamRequestContext,
  input: BookingInput,
  paging: LookupPaging = PAGING,
): Promise<string | undefined> {
  const userId = input.userId?.trim();
  // Healthie may book without user_id (attendee_ids, a blocker): there is no patient to look under.
  if (!userId) throw new UnmatchableBooking('the booking has no userId (the patient) to look under');
  const datetime = input.datetime?.trim();
  const written = datetime ? readTime(datetime) : undefined;
  if (!written) {
    throw new UnmatchableBooking(
      'its datetime is missing or not written in a form this subgraph reads (YYYY-MM-DD HH:MM:SS, or ISO 8601 such as 2026-12-18T12:00:00-05:00 or 20261218T170000Z)',
    );
  }
  const timeZone = input.timezone?.trim();
  if (written.offsetMinutes === undefined && timeZone && zoneOffset(written.naive, timeZone) === undefined) {
    throw new UnmatchableBooking('its timezone is not one this subgraph knows (an IANA name such as America/New_York)');
  }
  const named = providerOf(input);
  const midnight = Math.floor(written.naive / MS_PER_DAY) * MS_PER_DAY;
  const isoInstant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const variables = {
    userId,
    providerId: named ?? null,
    startDate: isoInstant(midnight - MS_PER_DAY),
    endDate: isoInstant(midnight + 2 * MS_PER_DAY),
    first: paging.pageSize,
    keyUser: !named,
  };
  let undecided: string | undefined;
  // The start asked for, read once per timezone it is read in (the booking's, else each provider's).
  const wantedIn = new Map<string | undefined, number | undefined>();
  const wantedAt = (zone: string | null | undefined): number | undefined => {
    const key = timeZone || zone || undefined;
    if (!wantedIn.has(key)) wantedIn.set(key, instantOf(datetime!, key));
    return wantedIn.get(key);
  };
  /** A booking naming no provider: the key's own user's appointment at that time, kept until every page is read. */
  let keyUserMatch: string | undefined;
  let after: string | null = null;
  for (let page = 1; ; page += 1) {
    const result = (await executor({ document: LOOKUP, variables: { ...variables, after }, context, operationType: 'query' as never })) as ExecutionResult<{
      appointments?: LookupPage | null;
      currentUser?: { readonly id?: string | null } | null;
    }>;
    if (result.errors?.length) throw result.errors[0];
    const keyUser = result.data?.currentUser?.id ?? undefined;
    const connection = result.data?.appointments;
    // No list is not an empty list: only a page Healthie listed can say "not there".
    if (!connection || !Array.isArray(connection.nodes)) throw new UnmatchableBooking("Healthie's answer does not list the patient's appointments");
    for (const appointment of connection.nodes) {
      if (!appointment) {
        undecided = "Healthie's answer leaves one of the patient's appointments out";
        continue;
      }
      const heldBy = appointment.provider?.id ?? undefined;
      // Asked by provider: another provider's appointment is not this booking.
      if (named && heldBy !== undefined && heldBy !== named) continue;
      const booked = appointment.date ? instantOf(appointment.date, undefined) : undefined;
      const wanted = wantedAt(appointment.provider?.timezone);
      if (booked === undefined) undecided = "Healthie's answer gives one of the patient's appointments a time this subgraph cannot read";
      else if (wanted === undefined) undecided = "its datetime has no offset, and neither its timezone nor the provider's timezone in Healthie's answer is one this subgraph knows";
      else if (booked !== wanted) continue;
      else if (heldBy === undefined) undecided = "Healthie's answer gives one of the patient's appointments at that time no provider";
      else if (named) return appointment.id;
      // Named no provider: Healthie books with the key's own user (as the sandbox does), but its
      // published facts do not say so; any other appointment of the patient at that time may be
      // this booking too, and then nothing tells them apart.
      else if (heldBy === keyUser && keyUserMatch === undefined) keyUserMatch = appointment.id;
      else undecided = 'the booking names no provider, and the patient has more than one appointment at that time, or one with a provider other than the key\'s own user';
    }
    if (connection.page_info?.has_next_page !== true) break;
    after = connection.page_info.end_cursor ?? null;
    if (after === null) throw new UnmatchableBooking("Healthie's answer says more of the patient's appointments follow but gives no cursor to read them");
    if (page >= paging.maxPages) {
      throw new UnmatchableBooking(`the patient has more than ${paging.pageSize * paging.maxPages} appointments around that time, more than this subgraph reads`);
    }
  }
  if (undecided) throw new UnmatchableBooking(undecided);
  return keyUserMatch;
}

/**
 * Open slots in providers' calendars: Monday to Friday, 09:00-17:00 in each provider's own
 * timezone, one slot per appointment-type length, minus existing appointments and the past.
 *
 * The range is bounded (MAX_RANGE_DAYS) because every day costs work, as it does upstream.
 * Without provider_id all providers are searched and, like Healthie's default `make_unique`,
 * one slot per start time is returned (the lowest provider id wins).
 */
import { GraphQLError } from 'graphql';
import {
  WORK_END_HOUR,
  WORK_START_HOUR,
  blocksCalendar,
  overlaps,
  type AccountData,
  type SandboxAppointmentType,
  type SandboxUser,
} from './data.js';
import { MS_PER_MINUTE, dateTimeDay, formatDay, formatIsoTime, isValidTimeZone, localDay, parseDay, weekday, zonedTimeToInstant } from './time.js';

export const MAX_RANGE_DAYS = 31;
/** Slot length when no appointment type is given. */
export const DEFAULT_SLOT_LENGTH = 30;

export interface SlotQuery {
  readonly provider_id?: string | null;
  readonly appt_type_id?: string | null;
  readonly start_date?: string | null;
  readonly end_date?: string | null;
  readonly timezone?: string | null;
  readonly contact_type?: string | null;
}

export interface Slot {
  readonly start: number;
  readonly user_id: string;
  readonly date: string;
  readonly length: number;
  readonly is_fully_booked: boolean;
  readonly appointment_type: SandboxAppointmentType | null;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

interface Search {
  readonly providers: readonly SandboxUser[];
  readonly type: SandboxAppointmentType | undefined;
  readonly length: number;
  readonly timeZone: string;
  readonly first: number;
  readonly last: number;
}

/** Validates the arguments; undefined when nothing can match (unknown provider or type). */
function plan(account: AccountData, query: SlotQuery, now: number): Search | undefined {
  if (query.timezone && !isValidTimeZone(query.timezone)) throw badInput(`Unknown timezone: ${query.timezone}`);
  let providers = query.provider_id ? account.members.filter((member) => member.id === query.provider_id) : account.members;
  const timeZone = query.timezone || (query.provider_id ? providers[0]?.timezone : undefined) || account.owner.timezone;

  // start_date is a String (YYYY-MM-DD) for days, an ISO8601DateTime for slots; end_date always the latter.
  const first = query.start_date ? (parseDay(query.start_date) ?? dateTimeDay(query.start_date)) : localDay(now, timeZone);
  if (first === undefined) throw badInput('start_date must be a date (YYYY-MM-DD)');
  const last = query.end_date ? (parseDay(query.end_date) ?? dateTimeDay(query.end_date)) : first;
  if (last === undefined) throw badInput('end_date must be a date (YYYY-MM-DD)');
  if (last - first + 1 > MAX_RANGE_DAYS) {
    throw badInput(`The date range is too long: at most ${MAX_RANGE_DAYS} days from start_date to end_date`);
  }

  let type: SandboxAppointmentType | undefined;
  if (query.appt_type_id) {
    type = account.appointmentTypes.find((candidate) => candidate.id === query.appt_type_id);
    if (!type) return undefined;
    if (query.contact_type && !type.available_contact_types.includes(query.contact_type)) return undefined;
    const offeredBy = type.providerIds;
    providers = providers.filter((provider) => offeredBy.includes(provider.id));
  }
  if (providers.length === 0) return undefined;
  return { providers, type, length: type?.length ?? DEFAULT_SLOT_LENGTH, timeZone, first, last };
}

function providerSlots(account: AccountData, search: Search, provider: SandboxUser, now: number): Slot[] {
  const busy = account.appointments.filter((appointment) => appointment.providerId === provider.id && blocksCalendar(appointment));
  const step = search.length * MS_PER_MINUTE;
  const slots: Slot[] = [];
  // One day either side: the provider's working day may fall on another date in the asked timezone.
  for (let day = search.first - 1; day <= search.last + 1; day++) {
    const dayOfWeek = weekday(day);
    if (dayOfWeek === 0 || dayOfWeek === 6) continue;
    const open = zonedTimeToInstant(day, WORK_START_HOUR, 0, 0, provider.timezone);
    const close = open + (WORK_END_HOUR - WORK_START_HOUR) * 60 * MS_PER_MINUTE;
    for (let start = open; start + step <= close; start += step) {
      if (start <= now) continue;
      if (busy.some((appointment) => overlaps(start, search.length, appointment))) continue;
      const askedDay = localDay(start, search.timeZone);
      if (askedDay < search.first || askedDay > search.last) continue;
      slots.push({
        start,
        user_id: provider.id,
        date: formatIsoTime(start, search.timeZone),
        length: search.length,
        is_fully_booked: false,
        appointment_type: search.type ?? null,
      });
    }
  }
  return slots;
}

export function findSlots(account: AccountData, query: SlotQuery, now: number): Slot[] {
  const search = plan(account, query, now);
  if (!search) return [];
  const byStart = new Map<number, Slot>();
  for (const provider of search.providers) {
    for (const slot of providerSlots(account, search, provider, now)) {
      if (!byStart.has(slot.start)) byStart.set(slot.start, slot);
    }
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** Days ('YYYY-MM-DD', in the asked timezone) with at least one open slot. */
export function findAvailableDays(account: AccountData, query: SlotQuery, now: number): string[] {
  const search = plan(account, query, now);
  if (!search) return [];
  const days = new Set<number>();
  for (const slot of findSlots(account, query, now)) days.add(localDay(slot.start, search.timeZone));
  return [...days].sort((a, b) => a - b).map(formatDay);
}

/**
 * Calendar and timezone arithmetic on top of Intl, so the sandbox needs no date library.
 *
 * Days are "day numbers" (days since 1970-01-01, UTC calendar) so ranges are plain integers;
 * instants are epoch milliseconds. Times are rendered the way Healthie renders them:
 * `YYYY-MM-DD HH:MM:SS -0500`.
 */
import { readHealthieDateTime } from '../healthie-dates.js';

export const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

export interface LocalTime {
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

// Building a DateTimeFormat is far more expensive than using one; slot searches format thousands.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Days since 1970-01-01 of a date; a day past the month's end rolls over, as Ruby's Time does.
 * setUTCFullYear, not Date.UTC, which would read years 0-99 as 1900-1999.
 */
export function dayNumber(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime() / MS_PER_DAY;
}

/** 'YYYY-MM-DD' (or a longer string starting with it) → day number; undefined when not a real date. */
export function parseDay(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const result = dayNumber(year, month, day);
  return formatDay(result) === `${match[1]}-${match[2]}-${match[3]}` ? result : undefined;
}

/** The day an ISO8601DateTime argument names, as Healthie reads it (src/healthie-dates.ts). */
export function dateTimeDay(text: string): number | undefined {
  const written = readHealthieDateTime(text);
  const day = written && dayNumber(written.year, written.month, written.day);
  return day === undefined || Number.isNaN(day) ? undefined : day;
}

export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Wall-clock time of an instant in a timezone. */
export function localTime(instant: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    day: dayNumber(parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1),
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Minutes the timezone is ahead of UTC at an instant (-300 for New York in winter). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const local = localTime(instant, timeZone);
  const wall = local.day * MS_PER_DAY + ((local.hour * 60 + local.minute) * 60 + local.second) * 1000;
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  return Math.round((wall - whole) / MS_PER_MINUTE);
}

/**
 * The instant a wall-clock time happens in a timezone. Guessing with the offset at the naive UTC
 * time and correcting once handles DST changes for every wall time that exists; the sandbox only
 * asks for business hours, which never fall into a DST gap.
 */
export function zonedTimeToInstant(day: number, hour: number, minute: number, second: number, timeZone: string): number {
  const naive = day * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000;
  const firstGuess = naive - offsetMinutes(naive, timeZone) * MS_PER_MINUTE;
  const corrected = naive - offsetMinutes(firstGuess, timeZone) * MS_PER_MINUTE;
  return corrected;
}

/** The day an instant falls on in a timezone. */
export function localDay(instant: number, timeZone: string): number {
  return localTime(instant, timeZone).day;
}

/** Zero-padded digits of a number's magnitude: pad(7) is '07'. */
export const pad = (value: number, width = 2): string => String(Math.abs(value)).padStart(width, '0');

/** Healthie's rendering of a time: `2025-03-12 10:00:00 -0400`. */
export function formatHealthieTime(instant: number, timeZone: string): string {
  const local = localTime(instant, timeZone);
  const offset = offsetMinutes(instant, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.trunc(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return `${formatDay(local.day)} ${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)} ${zone}`;
}

/** ISO 8601 with the zone's offset, as Healthie renders ISO8601DateTime: `2025-03-12T10:00:00-04:00`. */
export function formatIsoTime(instant: number, timeZone: string): string {
  const local = localTime(instant, timeZone);
  const offset = offsetMinutes(instant, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${formatDay(local.day)}T${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}${zone}`;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses what createAppointment accepts: `YYYY-MM-DD HH:MM[:SS]` (wall time in `timeZone`) or ISO
 * 8601, where an explicit offset or `Z` wins over the timezone. Undefined when unparseable.
 */
export function parseDateTime(text: string, timeZone: string): number | undefined {
  const match = DATETIME.exec(text.trim());
  if (!match) return undefined;
  const day = parseDay(`${match[1]}-${match[2]}-${match[3]}`);
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6] ?? 0)];
  if (day === undefined || hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = match[7];
  if (!zone) return zonedTimeToInstant(day, hour, minute, second, timeZone);
  const naive = day * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000;
  if (zone.toUpperCase() === 'Z') return naive;
  const digits = zone.replace(':', '');
  const offset = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return naive - (digits.startsWith('-') ? -offset : offset) * MS_PER_MINUTE;
}

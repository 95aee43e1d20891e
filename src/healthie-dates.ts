/**
 * Which text Healthie takes as a date and time (its `ISO8601DateTime`, shown here as
 * `HealthieISO8601DateTime`), stated once for the subgraph's input checks and the built-in sandbox.
 *
 * Why a rule of its own: Healthie refuses a date argument it cannot read, and with it the whole
 * request, so every other root field of the request fails too. The subgraph refuses such a value
 * before sending anything. Refusing a value Healthie would take is worse than letting a bad one
 * through, so the rule is Healthie's own reading: graphql-ruby's ISO8601DateTime reads
 * `Time.iso8601(text)` and, when that fails, `Date.iso8601(text)` kept only when the text is the
 * start of that date's own ISO 8601 form (`2026-12-01`, `2026-12`, `2026-12-01T00:00`), or is
 * 8 digits (`20261201`).
 * - With a time: `YYYY-MM-DDThh:mm:ss`, seconds required, fraction optional, `T`/`t`, offset
 *   optional (`Z`/`z`, `+05`, `+0530`, `+05:30`), whitespace around it. Ruby's Time takes any
 *   day 01-31 in any month (it rolls 2025-02-30 over to March 2), hour 24 only as 24:00:00 and
 *   second 60 (a leap second). Where Ruby versions differ this is Ruby 3.2 and later (`Time.new`
 *   of the text): a year of 4 or more digits, fields in range before any offset is applied.
 *   Ruby 3.1 also took shorter years, and fields an offset brought back into range.
 * - Without a time (Ruby's Date): a real calendar date. Before the Gregorian reform Ruby's Date
 *   counts Julian years (1500-02-29 exists) and shifts the day when it makes a Time of it; when
 *   unsure the rule accepts, so both calendars' dates pass there.
 * JavaScript's Date is not used: Date.UTC maps years 0-99 to 1900-1999.
 */

const SPACE = '[ \\t\\n\\v\\f\\r]*';
const WITH_TIME = new RegExp(`^${SPACE}(-?\\d{4,})-(\\d\\d)-(\\d\\d)[Tt](\\d\\d):(\\d\\d):(\\d\\d)(\\.\\d+)?([Zz]|[+-]\\d\\d(?::?\\d\\d)?)?${SPACE}$`);
const DATE = /^(-?\d{4,})-(\d\d)-(\d\d)(T00:00)?$/;
const MONTH = /^(-?\d{4,})-(\d\d)?$/;
const BASIC_DATE = /^(\d{4})(\d\d)(\d\d)$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** February 29 exists: Gregorian, or (before the reform, as Ruby's Date counts) Julian. */
function isLeapYear(year: number): boolean {
  const gregorian = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return gregorian || (year < 1583 && year % 4 === 0);
}

/** A day that exists in that month of that year. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && isLeapYear(year) ? 29 : DAYS[month - 1]!);
}

/** The parts of a time Ruby's Time reads; hour 24 only as 24:00:00, second 60 allowed. */
function isTimeOfDay(hour: number, minute: number, second: number): boolean {
  if (hour === 24) return minute === 0 && second === 0;
  return hour <= 23 && minute <= 59 && second <= 60;
}

/** `Z`, or an offset of hours 00-23 and minutes 00-59 (`+05`, `+0530`, `+05:30`). */
function isOffset(zone: string | undefined): boolean {
  if (zone === undefined || zone.length === 1) return true;
  const digits = zone.slice(1).replace(':', '');
  return Number(digits.slice(0, 2)) <= 23 && Number(digits.slice(2) || '0') <= 59;
}

/** The calendar date a date and time names, as written (a day past the month's end included). */
export interface WrittenDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/**
 * The date `text` names when Healthie reads it as an ISO8601DateTime argument (see the header for
 * the rule), undefined when Healthie would refuse it. `2026-12` names December 1, `2026-` January 1.
 */
export function readHealthieDateTime(text: string): WrittenDate | undefined {
  const time = WITH_TIME.exec(text);
  if (time) {
    const [year, month, day] = [Number(time[1]), Number(time[2]), Number(time[3])];
    const valid = month >= 1 && month <= 12 && day >= 1 && day <= 31 && isTimeOfDay(Number(time[4]), Number(time[5]), Number(time[6])) && isOffset(time[8]);
    return valid ? { year, month, day } : undefined;
  }
  const date = DATE.exec(text) ?? BASIC_DATE.exec(text);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    return isCalendarDate(year, month, day) ? { year, month, day } : undefined;
  }
  const partial = MONTH.exec(text);
  if (!partial) return undefined;
  const month = partial[2] === undefined ? 1 : Number(partial[2]);
  return month >= 1 && month <= 12 ? { year: Number(partial[1]), month, day: 1 } : undefined;
}

/** Whether Healthie reads `text` as an ISO8601DateTime argument. */
export const isHealthieDateTime = (text: string): boolean => readHealthieDateTime(text) !== undefined;

/** Healthie's rule in words, for messages: what to send instead of a value it would refuse. */
export const DATE_TIME_RULE =
  'ISO 8601 as Healthie reads it: YYYY-MM-DDThh:mm:ss with an optional fraction and offset (Z, +05, +0530 or +05:30), e.g. 2026-12-01T10:00:00-05:00, or a calendar date YYYY-MM-DD';

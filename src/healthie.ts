/**
 * What Healthie documents about its API limits, stated once. The subgraph's cost estimate refuses
 * what Healthie would refuse, and the built-in sandbox enforces the same numbers.
 */

/** Highest complexity score Healthie accepts per request. */
export const HEALTHIE_MAX_COMPLEXITY = 2000;

/** Deepest query Healthie accepts. */
export const HEALTHIE_MAX_DEPTH = 25;

/** Page size Healthie's complexity score assumes for a paged field that states none. */
export const HEALTHIE_DEFAULT_PAGE_SIZE = 100;

/**
 * Largest page Healthie serves for a connection field (`first` / `last`). Healthie documents
 * 100 as the size it assumes when none is sent, and serves no more per page; the subgraph refuses
 * a larger page rather than let a caller believe one page holds everything.
 */
export const HEALTHIE_MAX_PAGE_SIZE = 100;

/**
 * Healthie's date arguments (graphql-ruby's ISO8601Date and ISO8601DateTime): a calendar date
 * `2026-12-01`, or a date and time with an optional offset `2026-12-01T10:00:00-05:00`. Healthie
 * refuses any other text, and with it the whole request.
 */
const ISO8601_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function isCalendarDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

export function isIso8601DateTime(text: string): boolean {
  const match = ISO8601_DATE_TIME.exec(text);
  return match !== null && isCalendarDate(match[1]!, match[2]!, match[3]!);
}

export function isIso8601Date(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return match !== null && isCalendarDate(match[1]!, match[2]!, match[3]!);
}

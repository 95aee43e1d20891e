/**
 * The date and time rule is Healthie's own reading. Every expectation below was checked against
 * graphql-ruby's ISO8601DateTime.coerce_input (Time.iso8601, then Date.iso8601 kept only as the
 * start of its own ISO 8601 form, or 8 digits) run on Ruby; where Ruby versions differ the rule
 * follows Ruby 3.2 and later, and where Healthie's reading depends on more than the text (dates
 * before the Gregorian reform), the rule accepts.
 */
import { describe, expect, it } from 'vitest';
import { isCalendarDate, isHealthieDateTime, readHealthieDateTime } from '../src/healthie-dates.js';
import { REFUSED_DATES } from './helpers/dates.js';

const ACCEPTED = [
  '2026-12-01T10:00:00',
  '2026-12-01T10:00:00Z',
  '2026-12-01t10:00:00z',
  '2026-12-01T10:00:00+05',
  '2026-12-01T10:00:00+0530',
  '2026-12-01T10:00:00+05:30',
  '2026-12-01T10:00:00-00:00',
  '2026-12-01T10:00:00+23:59',
  '2026-12-01T10:00:00.123456789-05:00',
  '2026-12-01T23:59:60Z',
  '2026-12-01T24:00:00Z',
  ' 2026-12-01T10:00:00Z ',
  '\t2026-12-01T10:00:00Z\n',
  '2025-02-29T10:00:00Z',
  '2025-04-31T10:00:00',
  '0050-01-01T10:00:00Z',
  '0000-01-01T00:00:00Z',
  '-0001-01-01T10:00:00Z',
  '12026-01-01T10:00:00Z',
  '2026-12-01',
  '2024-02-29',
  '2000-02-29',
  '12026-01-01',
  '2026-12-01T00:00',
  '2026-12',
  '2026-',
  '20261201',
  '00500101',
];

const REFUSED = [
  ...REFUSED_DATES,
  '1900-02-29',
  '2026-12-01T10:00:00,5Z',
  '2026-12-01T10:00:00.Z',
  '2026-12-01T10:00:00+05:3',
  '2026-12-01T00:00Z',
  '2026-12-01T',
  '2026-12-01T10',
  '2026-12-01T1000',
  ' 2026-12-01',
  '2026-12-01 ',
  '+2026-12-01',
  '2026-13',
  '20261301',
  '202612',
  '2026W482',
  '26-12-01',
  '--12-01',
  '2026-1-01',
  '2026-12-1',
  '1-01-01T10:00:00Z',
];

describe("Healthie's reading of a date and time", () => {
  it.each(ACCEPTED)('accepts %j', (text) => {
    expect(isHealthieDateTime(text)).toBe(true);
  });

  it.each(REFUSED)('refuses %j', (text) => {
    expect(isHealthieDateTime(text)).toBe(false);
  });

  it('reads the date a text names, a day past the month end as written', () => {
    expect(readHealthieDateTime(' 2025-02-30T23:00:00-05:00')).toEqual({ year: 2025, month: 2, day: 30 });
    expect(readHealthieDateTime('0050-01-02')).toEqual({ year: 50, month: 1, day: 2 });
    expect(readHealthieDateTime('2026-12')).toEqual({ year: 2026, month: 12, day: 1 });
    expect(readHealthieDateTime('2026-')).toEqual({ year: 2026, month: 1, day: 1 });
    expect(readHealthieDateTime('20240229')).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it('counts days per month with Gregorian leap years, and Julian ones before the reform as Ruby does', () => {
    expect([isCalendarDate(2024, 2, 29), isCalendarDate(2025, 2, 29), isCalendarDate(2000, 2, 29), isCalendarDate(1900, 2, 29)]).toEqual([true, false, true, false]);
    expect([isCalendarDate(1500, 2, 29), isCalendarDate(50, 2, 28), isCalendarDate(2026, 4, 31), isCalendarDate(2026, 12, 31)]).toEqual([true, true, false, true]);
  });
});

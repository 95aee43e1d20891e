/**
 * Date and time texts Healthie refuses as ISO8601DateTime arguments, shared by the literal and
 * the variable tests. Each one is refused by graphql-ruby's ISO8601DateTime on Ruby 3.2 and later
 * (Time.iso8601, then Date.iso8601 kept only as the start of its own ISO 8601 form).
 */
export const REFUSED_DATES = [
  'not-a-date',
  '',
  '12/01/2026',
  '2026-12-01 10:00:00',
  '2026-12-01T10:00',
  '2026-12-01t00:00',
  '2026-13-45',
  '2025-02-29',
  '2026-04-31',
  '2026-12-00T10:00:00Z',
  '2026-12-32T10:00:00Z',
  '2026-12-01T25:00:00Z',
  '2026-12-01T24:00:01Z',
  '2026-12-01T10:60:00Z',
  '2026-12-01T10:00:61Z',
  '2026-12-01T10:00:00+24:00',
  '2026-12-01T10:00:00+05:60',
  '2026-12-01T10:00:00+5',
  '2026-12-01T10:00:00Zjunk',
  '50-01-01T10:00:00Z',
  '2026',
  '2026-335',
];


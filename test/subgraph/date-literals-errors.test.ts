/**
 * A date literal Healthie would refuse (and refuse the whole request with) fails validation
 * before anything is sent, on both paths alike: in an argument, behind an alias or a fragment,
 * and as a variable's default.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { REFUSED_DATES } from '../helpers/dates.js';
import { bothPaths, post } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

describe('date literals Healthie would refuse', () => {
  const paths = bothPaths();

  /** Both paths' answer, once shown equal and shown to have sent Healthie nothing. */
  async function refusedByBoth(query: string, variables?: Record<string, unknown>) {
    const { planned, delegated } = paths;
    const sent = planned.sandbox.requests.length;
    const [viaPlan, viaDelegation] = await Promise.all([post(planned.url, query, variables, auth), post(delegated.url, query, variables, auth)]);
    expect(viaPlan).toEqual(viaDelegation);
    expect(planned.sandbox.requests.length).toBe(sent);
    expect(viaPlan.status).toBe(400);
    expect(viaPlan.body.data).toBeUndefined();
    return viaPlan.body.errors!;
  }

  it.each(REFUSED_DATES)('refuses %j in an argument with GRAPHQL_VALIDATION_FAILED, naming the rule, and sends nothing', async (date) => {
    const errors = await refusedByBoth(`{ me: healthieCurrentUser { id } healthieAppointments(filter: "all", startDate: ${JSON.stringify(date)}) { totalCount } }`);
    expect(errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(errors[0]!.message).toBe(
      `${JSON.stringify(date)} is not a HealthieISO8601DateTime Healthie accepts. Expected ISO 8601 as Healthie reads it: YYYY-MM-DDThh:mm:ss with an optional fraction and offset (Z, +05, +0530 or +05:30), e.g. 2026-12-01T10:00:00-05:00, or a calendar date YYYY-MM-DD; send the value in that form (Healthie would refuse the whole request).`,
    );
  });

  it('refuses a date that is not a string, and quotes a long value to 100 characters', async () => {
    for (const value of ['20261201', 'true', '["2026-12-01"]', '{ d: "2026-12-01" }']) {
      const errors = await refusedByBoth(`{ healthieAvailableSlotsForRange(providerId: "1", startDate: ${value}) { date } }`);
      expect(errors.map((e) => e.extensions?.code), value).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    }
    const long = `2026-12-01T10:00:00Z${'x'.repeat(500)}`;
    const errors = await refusedByBoth(`{ healthieAppointments(endDate: "${long}") { totalCount } }`);
    expect(errors[0]!.message.startsWith(`"${long.slice(0, 99)}… is not a HealthieISO8601DateTime`)).toBe(true);
  });

  it('refuses a bad date behind an alias, in a named fragment, an inline fragment and a skipped field, at its location', async () => {
    const query = `query {
  a: healthieAppointments(startDate: "2026-12-01T10:00:00Z") { totalCount }
  ...F
  ... on Query { c: healthieDaysAvailableForRange(providerId: "1", startDate: "2026-12-01", endDate: "2026-12-01T10:00") }
  d: healthieAppointments(endDate: "2026-02-30") @skip(if: true) { totalCount }
}
fragment F on Query { b: healthieAvailableSlotsForRange(providerId: "1", endDate: "tomorrow") { date } }`;
    const errors = await refusedByBoth(query);
    expect(errors.map((e) => [e.extensions?.code, (e as { locations?: unknown }).locations])).toEqual([
      ['GRAPHQL_VALIDATION_FAILED', [{ line: 4, column: 102 }]],
      ['GRAPHQL_VALIDATION_FAILED', [{ line: 5, column: 36 }]],
      ['GRAPHQL_VALIDATION_FAILED', [{ line: 7, column: 83 }]],
    ]);
  });

  it("refuses a bad default of a date variable, whether or not the variable is sent", async () => {
    const query = 'query($d: HealthieISO8601DateTime = "2026-12-01T10:00") { healthieAppointments(startDate: $d) { totalCount } }';
    for (const variables of [undefined, { d: '2026-12-01T10:00:00Z' }]) {
      const errors = await refusedByBoth(query, variables);
      expect(errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(errors[0]!.message).toMatch(/^"2026-12-01T10:00" is not a HealthieISO8601DateTime/);
    }
  });
});

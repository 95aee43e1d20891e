/**
 * A date variable Healthie would refuse (and refuse the whole request with) is refused as
 * BAD_USER_INPUT once the variables are coerced, before anything is sent, on both paths alike;
 * wherever it sits in the variable's value (input objects, lists, non-null wrappers), and
 * whichever field uses it. A null, an omitted variable and a default behave as graphql-js has them.
 */
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { refusedDateVariable } from '../../src/operation/date-variables.js';
import { coerceVariables } from '../../src/operation/variables.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { REFUSED_DATES } from '../helpers/dates.js';
import { bothPaths, post } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const RULE =
  'Expected ISO 8601 as Healthie reads it: YYYY-MM-DDThh:mm:ss with an optional fraction and offset (Z, +05, +0530 or +05:30), e.g. 2026-12-01T10:00:00-05:00, or a calendar date YYYY-MM-DD; send the value in that form (Healthie would refuse the whole request).';

describe('date variables Healthie would refuse', () => {
  const paths = bothPaths();

  /** Both paths' answer, once shown equal; `sends` is how many Healthie requests each path must have made. */
  async function both(query: string, variables: Record<string, unknown> | undefined, sends: number) {
    const { planned, delegated } = paths;
    const sent = planned.sandbox.requests.length;
    const [viaPlan, viaDelegation] = await Promise.all([post(planned.url, query, variables, auth), post(delegated.url, query, variables, auth)]);
    expect(viaPlan, query).toEqual(viaDelegation);
    expect(planned.sandbox.requests.length - sent, query).toBe(2 * sends);
    return viaPlan;
  }

  const BY_VARIABLE = 'query($d: HealthieISO8601DateTime) { me: healthieCurrentUser { id } healthieAppointments(filter: "all", first: 1, startDate: $d) { nodes { id } } }';

  it.each(REFUSED_DATES)('refuses %j with BAD_USER_INPUT naming the variable and the rule, and sends nothing', async (date) => {
    const { status, body } = await both(BY_VARIABLE, { d: date }, 0);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors!.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors![0]!.message).toBe(`Variable "$d" got ${JSON.stringify(date)}, which is not a HealthieISO8601DateTime Healthie accepts. ${RULE}`);
  });

  it('refuses a number, a boolean, an object and a list for a date, without quoting them', async () => {
    for (const [value, shown] of [[20261201, 'a number'], [true, 'a boolean'], [{ d: '2026-12-01' }, 'an object'], [['2026-12-01'], 'a list']] as const) {
      const { status, body } = await both(BY_VARIABLE, { d: value }, 0);
      expect(status).toBe(400);
      expect(body.errors!.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(body.errors![0]!.message.startsWith(`Variable "$d" got ${shown}, which`)).toBe(true);
    }
  });

  it('quotes a long value to 100 characters', async () => {
    const long = `2026-12-01T10:00:00Z${'y'.repeat(300)}`;
    const { body } = await both(BY_VARIABLE, { d: long }, 0);
    expect(body.errors![0]!.message.startsWith(`Variable "$d" got ${JSON.stringify(long).slice(0, 100)}…, which`)).toBe(true);
  });

  it('refuses a variable used in a fragment, under an alias, or on a field a condition skips', async () => {
    const query = `query($a: HealthieISO8601DateTime, $b: HealthieISO8601DateTime!, $skip: Boolean!) {
  x: healthieAppointments(startDate: $a) @skip(if: $skip) { totalCount }
  ...F
}
fragment F on Query { y: healthieAvailableSlotsForRange(providerId: "1", endDate: $b) { date } }`;
    const fine = { a: '2026-12-01T10:00:00Z', b: '2026-12-02', skip: false };
    expect((await both(query, fine, 1)).body.errors).toBeUndefined();
    for (const variables of [{ ...fine, b: '2026-12-02T10:00' }, { ...fine, a: '2026-02-30', skip: true }]) {
      const { body } = await both(query, variables, 0);
      expect(body.errors!.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('sends a null, an omitted variable and a default as graphql-js has them', async () => {
    const query = 'query($d: HealthieISO8601DateTime = "2026-01-05", $e: HealthieISO8601DateTime) { healthieAppointments(filter: "all", startDate: $d, endDate: $e) { totalCount } }';
    for (const variables of [undefined, {}, { d: null }, { e: null }, { d: '2026-01-05T00:00:00Z', e: '2027-01-01' }]) {
      const { status, body } = await both(query, variables, 1);
      expect(status, JSON.stringify(variables)).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    const required = await both('query($d: HealthieISO8601DateTime!) { healthieAppointments(startDate: $d) { totalCount } }', { d: null }, 0);
    expect(required.body.errors!.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('date variables inside input objects and lists', () => {
  // The approved schema takes dates only as root arguments; input types that nest them are checked alike.
  const schema = buildSchema(`
    scalar HealthieISO8601DateTime
    input Window { from: HealthieISO8601DateTime, until: [HealthieISO8601DateTime!], inner: Window, note: String }
    input Booking { window: Window!, at: HealthieISO8601DateTime! }
    type Query { search(windows: [Window!], at: [[HealthieISO8601DateTime]]): Int }
    type Mutation { book(input: Booking!): Int }
  `);
  const refusal = (source: string, variables: Record<string, unknown>) => {
    const operation = parse(source).definitions[0] as OperationDefinitionNode;
    return refusedDateVariable(schema, operation, coerceVariables(schema, operation, variables));
  };
  const SEARCH = 'query($w: [Window!], $at: [[HealthieISO8601DateTime]]) { search(windows: $w, at: $at) }';
  const BOOK = 'mutation($input: Booking!) { book(input: $input) }';
  const good = '2026-12-01T10:00:00Z';

  it('finds the first refused date at its path, in queries and in a booking mutation', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [SEARCH, { w: [{ from: good }, { from: '2026-13-01' }] }, 'Variable "$w" at "w[1].from" got "2026-13-01"'],
      [SEARCH, { w: [{ until: [good, 'soon'] }] }, 'Variable "$w" at "w[0].until[1]" got "soon"'],
      [SEARCH, { w: { inner: { inner: { from: 7 } } } }, 'Variable "$w" at "w[0].inner.inner.from" got a number'],
      [SEARCH, { at: [[good], [null, 'x']] }, 'Variable "$at" at "at[1][1]" got "x"'],
      [SEARCH, { at: 'y' }, 'Variable "$at" at "at[0][0]" got "y"'],
      [BOOK, { input: { window: { from: good }, at: '2026-12-01T10:00' } }, 'Variable "$input" at "input.at" got "2026-12-01T10:00"'],
      [BOOK, { input: { window: { until: ['2026-12-01', '2026-02-29'] }, at: good } }, 'Variable "$input" at "input.window.until[1]" got "2026-02-29"'],
    ];
    for (const [source, variables, start] of cases) {
      const error = refusal(source, variables);
      expect(error?.extensions.code, start).toBe('BAD_USER_INPUT');
      expect(error!.message).toBe(`${start}, which is not a HealthieISO8601DateTime Healthie accepts. ${RULE}`);
    }
  });

  it('passes nulls, omitted fields and good dates everywhere', () => {
    expect(refusal(SEARCH, {})).toBeUndefined();
    expect(refusal(SEARCH, { w: null, at: [[null], null] })).toBeUndefined();
    expect(refusal(SEARCH, { w: [{ note: 'x', inner: { until: [good, '2026-12'] } }], at: good })).toBeUndefined();
    expect(refusal(BOOK, { input: { window: {}, at: ' 2026-12-01T10:00:00+05 ' } })).toBeUndefined();
  });
});

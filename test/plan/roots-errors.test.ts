/**
 * Healthie's errors on connections, lists and availability reach the client alike on the planned
 * path and the delegation path: a bad cursor, a page size Healthie refuses (zero, negative, as a
 * literal or a variable) or the subgraph refuses (over 100), a bad date (refused here, before
 * either path), a failed non-null connection beside other root fields, two of them, a root field
 * skipped with an argument Healthie would refuse, and a request that fails as a whole. Each operation is sent to both
 * paths in front of one sandbox; the planned path must have answered it (unless a check refused
 * it before either path), and the bodies must be equal, errors included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { post, startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

describe("Healthie's errors on planned connections, lists and availability", () => {
  let planned: Stack;
  let delegated: Stack;
  let cursor: string;

  beforeAll(async () => {
    planned = await startStack({ env: { PLAN_ENABLED: 'true' } });
    delegated = await startStack({ upstreamUrl: planned.sandbox.url, env: { PLAN_ENABLED: 'false' } });
    const listed = await planned.query('{ healthieUsers(first: 3) { edges { cursor } } }', {}, auth);
    cursor = listed.body.data!.healthieUsers.edges[1].cursor;
  });
  afterAll(async () => {
    await planned?.close();
    await delegated?.close();
  });

  const comparable = (body: { errors?: Array<{ path?: unknown }> }) => {
    const copy = JSON.parse(JSON.stringify(body, (key, value) => (key === 'stacktrace' ? undefined : value))) as typeof body;
    copy.errors?.sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));
    return copy;
  };

  /** Both paths' answer, once they are shown equal; `planned` says whether the planned path must have answered. */
  async function both(query: string, variables: Record<string, unknown> = {}, options: { planned?: boolean; headers?: Record<string, string> } = {}) {
    const headers = options.headers ?? auth;
    const before = planned.server.planStats().planned;
    const [viaPlan, viaDelegation] = await Promise.all([post(planned.url, query, variables, headers), post(delegated.url, query, variables, headers)]);
    expect(planned.server.planStats().planned - before, query).toBe(options.planned === false ? 0 : 1);
    expect({ status: viaPlan.status, body: comparable(viaPlan.body) }, query).toEqual({ status: viaDelegation.status, body: comparable(viaDelegation.body) });
    return viaPlan.body;
  }
  const codes = (body: { errors?: Array<{ path?: unknown; extensions?: Record<string, unknown> }> }) =>
    (body.errors ?? []).map((e) => [e.path, e.extensions?.code, e.extensions?.healthieCode]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  it('pages with an issued cursor, and refuses a bad one on a nullable and on a non-null connection, literal or variable', async () => {
    const page = await both('query($c: String) { healthieUsers(first: 2, after: $c) { nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor } } }', { c: cursor });
    expect(page.errors).toBeUndefined();
    expect(page.data!.healthieUsers.pageInfo.hasPreviousPage).toBe(true);
    const members = await both('{ m: healthieOrganizationMembers(before: "bm90LWEtY3Vyc29y") { totalCount } me: healthieCurrentUser { id } }');
    expect(members.data).toEqual({ m: null, me: { id: expect.any(String) } });
    expect(codes(members)).toEqual([[['m'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT']]);
    const users = await both('query($c: String) { me: healthieCurrentUser { id } healthieUsers(after: $c) { totalCount } }', { c: 'x' });
    expect(users.data).toBeNull();
    expect(codes(users)).toEqual([[['healthieUsers'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT']]);
  });

  it('answers page sizes of zero, negative and over the maximum, as literals and variables', async () => {
    const zero = await both('{ healthieAppointmentTypes(first: 0) { nodes { id } totalCount } }');
    expect(zero.data!.healthieAppointmentTypes.nodes).toEqual([]);
    const sent = planned.sandbox.requests.length;
    for (const [query, variables] of [
      ['query($n: Int) { healthieAppointments(last: $n) { totalCount } t: healthieAppointmentTypes(first: 1) { totalCount } }', { n: -5 }],
      ['{ healthieAppointments(last: 1) { totalCount } t: healthieAppointmentTypes(first: -1) { totalCount } }', {}],
    ] as const) {
      const negative = await both(query, variables, { planned: false });
      expect(codes(negative)).toEqual([[undefined, 'BAD_USER_INPUT', undefined]]);
    }
    expect(planned.sandbox.requests.length).toBe(sent);
    for (const [query, variables] of [
      ['{ healthieUsers(first: 101) { totalCount } }', {}],
      ['query($n: Int) { healthieUsers(last: $n) { totalCount } }', { n: 1000 }],
    ] as const) {
      const over = await both(query, variables, { planned: false });
      expect(codes(over)).toEqual([[undefined, 'QUERY_TOO_COMPLEX', undefined]]);
    }
  });

  it('answers good dates on appointments and availability, and refuses bad ones before Healthie, as literals and variables', async () => {
    const good = await both('query($d: HealthieISO8601DateTime) { healthieAppointments(filter: "all", startDate: $d, first: 3) { nodes { id date } } healthieDaysAvailableForRange(providerId: "1", startDate: "2026-01-05") }', { d: '2026-01-05T00:00:00-05:00' });
    expect(good.errors).toBeUndefined();
    const sent = planned.sandbox.requests.length;
    const literal = await both('{ me: healthieCurrentUser { id } healthieAppointments(startDate: "not-a-date") { totalCount } }', {}, { planned: false });
    expect(codes(literal)).toEqual([[undefined, 'GRAPHQL_VALIDATION_FAILED', undefined]]);
    const variable = await both('query($d: HealthieISO8601DateTime) { me: healthieCurrentUser { id } healthieAvailableSlotsForRange(providerId: "1", startDate: $d) { date } }', { d: '2026-13-45' }, { planned: false });
    expect(codes(variable)).toEqual([[undefined, 'BAD_USER_INPUT', undefined]]);
    expect(planned.sandbox.requests.length).toBe(sent);
    const range = await both('{ s: healthieAvailableSlotsForRange(providerId: "1", startDate: "2026-01-05", endDate: "2027-06-01") { date appointmentType { name } } }');
    expect(codes(range)).toEqual([[['s'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT']]);
  });

  it('reports only the first of two failing non-null connections, and every failing nullable field', async () => {
    const body = await both('{ a: healthieUsers(first: 1) { totalCount } d: healthieDaysAvailableForRange(startDate: "not-a-date") b: healthieUsers(before: "y") { totalCount } c: healthieUsers(after: "x") { totalCount } }');
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(2);
    const failed = await both('{ a: healthieUsers(after: "x") { totalCount } b: healthieUsers(before: "x") { totalCount } }');
    expect(codes(failed)).toEqual([[['a'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT']]);
  });

  it('sends no root field a condition skips, so its arguments cannot fail the others', async () => {
    const query = 'query($s: Boolean!, $c: String) { me: healthieCurrentUser { id firstName @skip(if: $s) } a: healthieOrganizationMembers(after: $c) @include(if: $s) { totalCount } b: healthieOrganizationMembers(after: "zz") @skip(if: true) { totalCount } }';
    const skipped = await both(query, { s: false, c: 'bad' });
    expect(skipped).toEqual({ data: { me: { id: expect.any(String), firstName: expect.any(String) } } });
    const included = await both(query, { s: true, c: 'bad' });
    expect(included.data).toEqual({ me: { id: expect.any(String) }, a: null });
    expect(codes(included)).toEqual([[['a'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT']]);
  });

  it('reports a request that fails as a whole on every root field it carried, and answers __typename at the root itself', async () => {
    const body = await both('{ __typename a: healthieUsers(first: 1) { totalCount } me: healthieCurrentUser { id } }', {}, { headers: {} });
    expect(body.data).toBeNull();
    expect(codes(body)).toEqual([[['a'], 'UNAUTHENTICATED', undefined], [['me'], 'UNAUTHENTICATED', undefined]]);
    const alone = await both('{ __typename t: __typename @include(if: true) }', {}, { headers: {} });
    expect(alone).toEqual({ data: { __typename: 'Query', t: 'Query' } });
  });
});

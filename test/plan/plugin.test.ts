/**
 * The planned path inside Apollo Server: which operations it answers, which stay on the
 * delegation path, what Healthie receives, and the plan cache.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate, visit } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const approved = buildSchema(readFileSync('schema/healthie-approved.graphql', 'utf8'));
const auth = { 'x-healthie-api-key': DEMO_API_KEY };

function names(query: string): string[] {
  const found: string[] = [];
  visit(parse(query), { Field: (node) => void found.push(node.name.value), FragmentSpread: () => void found.push('...spread') });
  return found;
}

describe('planned path', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PLAN_CACHE_SIZE: '3' } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('answers a query with one Healthie request of the normalized operation: fragments inlined, Healthie names, valid against the approved schema', async () => {
    const before = stack.server.planStats();
    const result = await stack.query(
      'query Me { me: healthieCurrentUser { ...Person organization { n: name } } } fragment Person on HealthieUser { id firstName __typename }',
      {},
      auth,
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toEqual({ me: { id: expect.any(String), firstName: expect.any(String), __typename: 'HealthieUser', organization: { n: expect.any(String) } } });
    expect(stack.server.planStats().planned).toBe(before.planned + 1);
    expect(stack.sandbox.requests).toHaveLength(1);
    const sent = stack.sandbox.requests[0]!.query;
    expect(validate(approved, parse(sent))).toEqual([]);
    expect(names(sent)).toEqual(['currentUser', 'id', 'first_name', '__typename', 'organization', 'name']);
    expect(sent).toMatch(/me: currentUser/);
  });

  it('sends input-object and enum variables renamed inside their values, under Healthie type names', async () => {
    const result = await stack.query('query($kw: String, $size: Int) { healthieUsers(keywords: $kw, first: $size) { nodes { id lastName } } }', { kw: 'Maple', size: 2 }, auth);
    expect(result.body.errors).toBeUndefined();
    const [request] = stack.sandbox.requests;
    expect(request!.query).toMatch(/first: \$size/);
    expect(request!.variables).toEqual({ kw: 'Maple', size: 2 });
  });

  it('answers connections, lists and availability with one Healthie request, valid against the approved schema, sending argument defaults as delegation does', async () => {
    const before = stack.server.planStats();
    const result = await stack.query(
      `query($after: String, $size: Int = 2) {
        healthieUsers(first: $size, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id organization { name } } } }
        upcoming: healthieAppointments(first: 3) { nodes { id date attendees { id } appointmentType { name availableContactTypes } } }
        healthieAppointmentTypes(first: 2) { nodes { id availableContactTypes } }
        healthieDaysAvailableForRange(providerId: "1", startDate: "2026-01-05")
        slots: healthieAvailableSlotsForRange(providerId: "1", startDate: "2026-01-05", endDate: "2026-01-06") { date appointmentType { id } }
      }`,
      { after: null },
      auth,
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieUsers.edges).toHaveLength(2);
    expect(result.body.data!.upcoming.nodes.every((a: { date: string }) => Date.parse(a.date) >= Date.now() - 60_000)).toBe(true);
    expect(stack.server.planStats().planned).toBe(before.planned + 1);
    expect(stack.sandbox.requests).toHaveLength(1);
    const [request] = stack.sandbox.requests;
    expect(validate(approved, parse(request!.query))).toEqual([]);
    // The subgraph's default of `filter` goes with the request, as delegation sends it.
    expect(request!.query).toMatch(/upcoming: appointments\(filter: "future", first: 3\)/);
    expect(request!.variables).toEqual({ after: null, size: 2 });
  });

  it('gives a variable standing for an argument with a default that default, so an unset variable means what it means on delegation', async () => {
    const query = 'query($f: String) { a: healthieAppointments(filter: $f, first: 100) { nodes { date } } b: healthieAppointments(filter: $f) { totalCount } }';
    const before = stack.server.planStats();
    const unset = await stack.query(query, {}, auth);
    expect(unset.body.errors).toBeUndefined();
    expect(unset.body.data!.a.nodes.every((a: { date: string }) => Date.parse(a.date) >= Date.now() - 60_000)).toBe(true);
    const sent = stack.sandbox.requests.at(-1)!;
    expect(sent.query).toMatch(/^query \(\$f: String = "future"\)/);
    expect(sent.variables).toEqual({});
    const all = await stack.query(query, { f: 'all' }, auth);
    expect(all.body.data!.b.totalCount).toBeGreaterThan(unset.body.data!.b.totalCount);
    expect(stack.server.planStats().planned).toBe(before.planned + 2);
    // Used where no default applies too, the variable cannot carry one: delegation answers.
    await stack.query('query($f: String) { healthieAppointments(filter: $f) { totalCount } healthieDaysAvailableForRange(contactType: $f) }', {}, auth);
    expect(stack.server.planStats().delegated).toBe(before.delegated + 1);
  });

  it('sends only the root fields the conditions include, and plans the document once for every combination', async () => {
    const query = 'query($a: Boolean!, $b: Boolean!, $d: HealthieISO8601DateTime) { me: healthieCurrentUser @include(if: $a) { id firstName @skip(if: $b) } t: healthieAppointmentTypes(first: 1) @skip(if: $b) { totalCount } a: healthieAppointments(startDate: $d) @include(if: $a) { totalCount } }';
    const before = stack.server.planStats();
    const sent: string[][] = [];
    for (const [a, b] of [[true, true], [false, false], [false, true], [true, true]]) {
      stack.sandbox.clearRequests();
      const result = await stack.query(query, { a, b, d: '2026-01-05' }, auth);
      expect(result.body.errors).toBeUndefined();
      expect(Object.keys(result.body.data!).sort()).toEqual([...(a ? ['a', 'me'] : []), ...(b ? [] : ['t'])].sort());
      sent.push(stack.sandbox.requests.map((r) => `${names(r.query).join(' ')} ${JSON.stringify(r.variables)}`));
    }
    expect(sent).toEqual([
      ['currentUser id first_name appointments total_count {"b":true,"d":"2026-01-05"}'],
      ['appointmentTypes total_count {}'],
      [],
      ['currentUser id first_name appointments total_count {"b":true,"d":"2026-01-05"}'],
    ]);
    const after = stack.server.planStats();
    expect([after.planned - before.planned, after.misses - before.misses]).toEqual([4, 1]);
  });

  it('keeps mutations on the delegation path, where every booking guard runs', async () => {
    const before = stack.server.planStats();
    const result = await stack.query('mutation { healthieCreateAppointment(input: { userId: "0" }) { messages { field message } } }', {}, auth);
    const after = stack.server.planStats();
    expect(after.planned).toBe(before.planned);
    // Scheduling is not granted on this server: the guard refuses it before any path is chosen.
    expect(result.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  for (const [what, query, headers] of [
    ['_service', '{ _service { sdl } }', auth],
    ['introspection', '{ __schema { queryType { name } } }', auth],
    ['a mix of _entities and other root fields', 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } healthieCurrentUser { id } }', auth],
    ['a federated trace', '{ healthieCurrentUser { id } }', { ...auth, 'apollo-federation-include-trace': 'ftv1' }],
    ['more root fields than one Healthie request takes', `{ ${'healthieCurrentUser { id } '.repeat(51)}}`, auth],
  ] as const) {
    it(`leaves ${what} to the delegation path`, async () => {
      const before = stack.server.planStats();
      const result = await stack.query(query, { r: [] }, headers);
      expect(result.status).toBe(200);
      expect(stack.server.planStats().planned).toBe(before.planned);
      expect(stack.server.planStats().delegated).toBe(before.delegated + 1);
      if ('apollo-federation-include-trace' in headers) expect((result.body as { extensions?: { ftv1?: unknown } }).extensions?.ftv1).toEqual(expect.any(String));
    });
  }

  it('plans each document once and keeps at most PLAN_CACHE_SIZE plans', async () => {
    const documents = [1, 2, 3, 4].map((n) => `query Q${n} { healthieCurrentUser { id } }`);
    const before = stack.server.planStats();
    for (const query of documents) await stack.query(query, {}, auth);
    await stack.query(documents[3]!, {}, auth);
    let stats = stack.server.planStats();
    expect(stats.misses - before.misses).toBe(4);
    expect(stats.hits - before.hits).toBe(1);
    // The cache holds 3 plans: the first document was evicted and is planned again.
    await stack.query(documents[0]!, {}, auth);
    stats = stack.server.planStats();
    expect(stats.misses - before.misses).toBe(5);
  });

  it('splits over 100 distinct references into Healthie requests of at most 50 root fields, in order, duplicates once, unknown ids null', async () => {
    const listed = await stack.query('{ healthieUsers(first: 100) { nodes { id } } healthieOrganizationMembers(first: 100) { nodes { id } } healthieAppointments(filter: "all", first: 100) { nodes { id } } }', {}, auth);
    const data = Object.fromEntries(Object.entries(listed.body.data!).map(([k, v]) => [k, (v as { nodes: unknown[] }).nodes])) as Record<string, any>;
    const refs = [
      ...[...data.healthieUsers, ...data.healthieOrganizationMembers].map((u: { id: string }) => ({ __typename: 'HealthieUser', id: u.id })),
      ...data.healthieAppointments.map((a: { id: string }) => ({ __typename: 'HealthieAppointment', id: a.id })),
    ];
    expect(refs.length).toBeGreaterThan(100);
    const last = refs.length - 1;
    stack.sandbox.clearRequests();
    const result = await stack.query(
      'query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on HealthieUser { id } ... on HealthieAppointment { id } } }',
      { r: [...refs, refs[0], { __typename: 'HealthieUser', id: '999999' }] },
      auth,
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!._entities.map((e: { id: string } | null) => e?.id ?? null)).toEqual([...refs.map((r) => r.id), refs[0]!.id, null]);
    expect(result.body.data!._entities[last].__typename).toBe(refs[last]!.__typename);
    const sizes = stack.sandbox.requests.map((r) => parse(r.query).definitions.flatMap((d) => ('selectionSet' in d ? d.selectionSet.selections : [])).length);
    // Every distinct reference once (the unknown id too), 50 root fields per request at most.
    expect(sizes.sort((a, b) => b - a)).toEqual([50, 50, refs.length + 1 - 100]);
  });

  it('logs one line per request at info, with the error codes, and the Healthie call only at debug', async () => {
    stack.logs.length = 0;
    await stack.query('{ a: healthieAppointments(filter: "bogus", first: 1) { nodes { id } } }', {}, auth);
    const lines = stack.logs.map((l) => JSON.parse(l) as { level: string; msg: string; errorCodes?: string[] });
    const info = lines.filter((l) => l.level === 'info' && /request/.test(l.msg));
    expect(info).toHaveLength(1);
    expect(info[0], JSON.stringify(info[0])).toMatchObject({ msg: 'graphql request', errorCodes: ['UPSTREAM_ERROR'] });
    expect(lines.filter((l) => l.msg === 'healthie request').map((l) => l.level)).toEqual(['debug']);
  });
});

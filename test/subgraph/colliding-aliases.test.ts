/**
 * A client may name a field `__typename`, `id` or `then` with an alias. On the delegation path those
 * names are also fields graphql-tools and the entity loader add to the request for Healthie; the
 * answer must still be the one the planned path gives (the GraphQL spec's), with a federated
 * trace requested too, and Healthie must never see two fields under one response key.
 */
import { Kind, parse, print, type SelectionSetNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { expectSameAnswers } from '../helpers/compare.js';
import { reservedKey } from '../../src/subgraph/colliding-aliases.js';
import { bothPaths, post, startStack, type Stack } from '../helpers/stack.js';
import { executeApproved, startUpstream, type Upstream } from '../helpers/upstream.js';
import { creates, schedulingStack, send } from '../booking/helpers.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const TRACE = { 'apollo-federation-include-trace': 'ftv1' };

const QUERIES = [
  '{ healthieCurrentUser { __typename: firstName } }',
  '{ healthieCurrentUser { __typename: id id firstName } }',
  '{ healthieCurrentUser { __typename: id organization { __typename: name } } }',
  '{ healthieCurrentUser { __typename: organization { name } } }',
  '{ healthieCurrentUser { ...Named } } fragment Named on HealthieUser { __typename: firstName }',
  '{ healthieCurrentUser { id ... on HealthieUser { __typename: firstName } } }',
  '{ healthieCurrentUser { t: __typename id: firstName } }',
  '{ healthieUsers(first: 3) { nodes { __typename: firstName id } } }',
  // graphql-tools takes an answer's object with a `then` key for a promise.
  '{ healthieCurrentUser { organization { then: name } } }',
  '{ healthieUsers(first: 2) { then: nodes { then: id organization { then: id } } } }',
];

const ENTITY_SELECTIONS = [
  '... on HealthieUser { __typename: firstName }',
  '... on HealthieUser { id: firstName }',
  '... on HealthieUser { id: firstName __typename: id }',
  '...Named',
  't: __typename ... on HealthieAppointment { id: confirmed __typename: id }',
  '... on HealthieUser { then: firstName organization { then: name } }',
];
const entities = (selection: string) =>
  `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }${selection === '...Named' ? ' fragment Named on HealthieUser { __typename: firstName id: lastName }' : ''}`;

/** Response keys of `text` asked for two different fields within one object (inline fragments included). */
function collisions(text: string): string[] {
  const found: string[] = [];
  const object = (set: SelectionSetNode) => {
    const names = new Map<string, Set<string>>();
    const collect = (s: SelectionSetNode) => {
      for (const selection of s.selections) {
        if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
        if (selection.kind !== Kind.FIELD) continue;
        const key = selection.alias?.value ?? selection.name.value;
        names.set(key, (names.get(key) ?? new Set()).add(selection.name.value));
        if (selection.selectionSet) object(selection.selectionSet);
      }
    };
    collect(set);
    for (const [key, fields] of names) if (fields.size > 1) found.push(key);
  };
  for (const definition of parse(text).definitions) if (definition.kind === Kind.OPERATION_DEFINITION) object(definition.selectionSet);
  return found;
}

describe('aliases named like the fields delegation adds', () => {
  const paths = bothPaths();
  let references: Array<{ __typename: string; id: string }>;
  beforeAll(async () => {
    const listed = await post(paths.planned.url, '{ healthieUsers(first: 2) { nodes { id } } healthieAppointments(filter: "all", first: 1) { nodes { id } } }', undefined, auth);
    const [a, b] = listed.body.data!.healthieUsers.nodes.map((u: { id: string }) => u.id);
    const appointment = listed.body.data!.healthieAppointments.nodes[0].id;
    // A repeated reference and both entity types.
    references = [
      { __typename: 'HealthieUser', id: a },
      { __typename: 'HealthieAppointment', id: appointment },
      { __typename: 'HealthieUser', id: b },
      { __typename: 'HealthieUser', id: a },
    ];
  });

  it.each(QUERIES)('are answered on delegation as on the planned path, without an error: %s', async (query) => {
    const body = await expectSameAnswers({ planned: paths.planned.url, delegated: paths.delegated.url }, query, {}, auth);
    expect(body.errors).toBeUndefined();
    expect(JSON.stringify(body.data)).not.toMatch(/"__typename":"Healthie|healthieSubgraph/);
  });

  it.each(ENTITY_SELECTIONS)('are answered in _entities on delegation as on the planned path, without an error: %s', async (selection) => {
    const body = await expectSameAnswers({ planned: paths.planned.url, delegated: paths.delegated.url }, entities(selection), { r: references }, auth);
    expect(body.errors).toBeUndefined();
    expect(body.data!._entities).toHaveLength(references.length);
    expect(JSON.stringify(body.data)).not.toMatch(/healthieSubgraph/);
  });

  it.each([...QUERIES.map((query) => [query, {}] as const), ...ENTITY_SELECTIONS.map((selection) => [entities(selection), 'references'] as const)])(
    'are answered alike when a federated trace is requested (delegation): %s',
    async (query, variables) => {
      const vars = variables === 'references' ? { r: references } : {};
      const [viaPlan, traced] = await Promise.all([post(paths.planned.url, query, vars, auth), post(paths.delegated.url, query, vars, { ...auth, ...TRACE })]);
      const { extensions, ...body } = traced.body as typeof traced.body & { extensions?: { ftv1?: unknown } };
      expect(extensions?.ftv1).toEqual(expect.any(String));
      expect(body).toEqual(viaPlan.body);
      expect(viaPlan.body.errors).toBeUndefined();
    },
  );
});

describe('what Healthie receives for aliases named like the fields delegation adds', () => {
  let upstream: Upstream;
  let delegated: Stack;
  let planned: Stack;
  beforeAll(async () => {
    upstream = await startUpstream();
    delegated = await startStack({ upstreamUrl: upstream.url, env: { PLAN_ENABLED: 'false', HEALTHIE_RETRIES: '0' } });
    planned = await startStack({ upstreamUrl: upstream.url, env: { PLAN_ENABLED: 'true', HEALTHIE_RETRIES: '0' } });
  });
  afterAll(async () => {
    await delegated?.close();
    await planned?.close();
    await upstream?.close();
  });

  const sent = async (query: string, variables: Record<string, unknown> = {}) => {
    upstream.received.length = 0;
    const result = await delegated.query(query, variables, auth);
    return { body: result.body, texts: upstream.received.map((r) => r.query) };
  };

  it('sends a request without such aliases with the client aliases as written', async () => {
    const { body, texts } = await sent('{ me: healthieCurrentUser { i: id name: firstName organization { n: name } } }');
    expect(body.errors).toBeUndefined();
    expect(texts).toEqual([print(parse('{ healthieCurrentUser: currentUser { __typename i: id name: first_name organization { n: name } } }'))]);
  });

  it('never sends two different fields under one response key', async () => {
    for (const query of [...QUERIES, entities('... on HealthieUser { __typename: firstName id: firstName }')]) {
      const { texts } = await sent(query, { r: [{ __typename: 'HealthieUser', id: '7' }] });
      expect(texts.length).toBeGreaterThan(0);
      for (const text of texts) expect(collisions(text), text).toEqual([]);
    }
  });

  it('returns a value named like a type as it is, under an alias __typename', async () => {
    // graphql-tools renames type names it finds under `__typename` in an answer.
    upstream.setReply(async (request) => ({
      body: await executeApproved(request, { currentUser: () => ({ id: '1', first_name: 'User', organization: { id: '9', name: 'Organization' } }) }),
    }));
    try {
      const { body } = await sent('{ healthieCurrentUser { __typename: firstName organization { __typename: name } } }');
      expect(body).toEqual({ data: { healthieCurrentUser: { __typename: 'User', organization: { __typename: 'Organization' } } } });
    } finally {
      upstream.setReply(undefined);
    }
  });

  it("reports Healthie's error at a field aliased __typename at the client's path, as the planned path does", async () => {
    const query = '{ healthieCurrentUser { id __typename: firstName } }';
    upstream.setReply(async (request) => {
      const result = await executeApproved(request);
      // Healthie's key for the field: the client's alias (planned path) or the reserved one (delegation).
      const key = request.query.includes(reservedKey('__typename')) ? reservedKey('__typename') : '__typename';
      const user = (result.data as { healthieCurrentUser: Record<string, unknown> }).healthieCurrentUser;
      user[key] = null;
      return { body: { data: result.data, errors: [{ message: 'Not allowed', path: ['healthieCurrentUser', key], extensions: { code: 'FORBIDDEN' } }] } };
    });
    try {
      const body = await expectSameAnswers({ planned: planned.url, delegated: delegated.url }, query, {}, auth);
      expect(body.data).toEqual({ healthieCurrentUser: { id: '1', __typename: null } });
      expect(body.errors).toEqual([expect.objectContaining({ path: ['healthieCurrentUser', '__typename'], extensions: expect.objectContaining({ healthieCode: 'FORBIDDEN' }) })]);
      expect(body.errors![0]).not.toHaveProperty('locations');
    } finally {
      upstream.setReply(undefined);
    }
  });
});

describe('a booking selecting its payload under the alias then', () => {
  const booking = schedulingStack();

  it('answers the appointment booked, once, without an error', async () => {
    const { stack, fixture } = booking;
    const book = 'mutation($input: HealthieCreateAppointmentInput!) { healthieCreateAppointment(input: $input) { then: appointment { then: id } messages { field } } }';
    const result = await send(stack.url, book, { input: fixture.input(fixture.slots[0]!) });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieCreateAppointment).toEqual({ then: { then: expect.any(String) }, messages: null });
    expect(creates(stack.sandbox)).toBe(1);
  });
});

/**
 * `_entities` references are batched per request: many references, one upstream request.
 */
import { parse, visit, type FieldNode } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, SECOND_API_KEY } from '../../src/sandbox/index.js';
import { MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST } from '../../src/subgraph/schema.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on HealthieUser { id firstName isPatient }
    ... on HealthieAppointment { id provider { id } }
  }
}`;

type Ref = { __typename: 'HealthieUser' | 'HealthieAppointment'; id: string };
const user = (id: string): Ref => ({ __typename: 'HealthieUser', id });

/** Root fields and the fields selected under them, per upstream request. */
function upstreamSelections(query: string): Array<{ root: string; fields: string[] }> {
  const document = parse(query);
  const roots: Array<{ root: string; fields: string[] }> = [];
  visit(document, {
    OperationDefinition(node) {
      for (const selection of node.selectionSet.selections as FieldNode[]) {
        const fields: string[] = [];
        visit(selection.selectionSet!, { Field: (f) => void fields.push(f.name.value) });
        roots.push({ root: selection.name.value, fields: fields.sort() });
      }
      return false;
    },
  });
  return roots;
}

describe('entity references', () => {
  let stack: Stack;
  let patients: string[];
  let providers: string[];
  let appointments: string[];

  beforeAll(async () => {
    stack = await startStack();
    const listed = await stack.query(
      '{ healthieUsers(first: 100) { nodes { id } } healthieOrganizationMembers(first: 100) { nodes { id } } healthieAppointments(filter: "all", first: 100) { nodes { id } } }',
      {},
      auth,
    );
    patients = listed.body.data!.healthieUsers.nodes.map((u: { id: string }) => u.id);
    providers = listed.body.data!.healthieOrganizationMembers.nodes.map((u: { id: string }) => u.id);
    appointments = listed.body.data!.healthieAppointments.nodes.map((a: { id: string }) => a.id);
    expect(patients.length + providers.length + appointments.length).toBeGreaterThanOrEqual(100);
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  /** n distinct references: patients and providers interleaved, then appointments. */
  function references(n: number): Ref[] {
    const users = patients.flatMap((id, i) => (i < providers.length ? [user(id), user(providers[i]!)] : [user(id)]));
    const all: Ref[] = [...users, ...appointments.map((id): Ref => ({ __typename: 'HealthieAppointment', id }))];
    return all.slice(0, n);
  }

  for (const n of [1, 10, 100]) {
    const expected = Math.ceil(n / MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST);
    it(`resolves ${n} mixed references with ${expected} upstream request(s), in request order`, async () => {
      const refs = references(n);
      const result = await stack.query(ENTITIES, { representations: refs }, auth);
      expect(result.body.errors).toBeUndefined();
      const entities = result.body.data!._entities as Array<{ id: string } | null>;
      expect(entities.map((e) => e?.id)).toEqual(refs.map((r) => r.id));
      expect(stack.sandbox.requests).toHaveLength(expected);
      if (n >= 10) {
        const users = entities.slice(0, Math.min(n, 8)) as unknown as Array<{ isPatient: boolean }>;
        expect(new Set(users.map((u) => u.isPatient))).toEqual(new Set([true, false]));
      }
    });
  }

  it('answers null for unknown ids and fetches duplicates once', async () => {
    const [a, b] = patients;
    const refs = [user(a!), user('999999'), user(b!), user(a!), user(a!)];
    const result = await stack.query(ENTITIES, { representations: refs }, auth);
    const entities = result.body.data!._entities as Array<{ id: string } | null>;
    expect(entities.map((e) => e?.id ?? null)).toEqual([a, null, b, a, a]);
    expect(stack.sandbox.requests).toHaveLength(1);
    expect(upstreamSelections(stack.sandbox.requests[0]!.query)).toHaveLength(3);
  });

  it('fetches only the requested fields (plus id on the delegation path)', async () => {
    await stack.query(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { lastName } } }',
      { r: [user(patients[0]!), user(providers[0]!)] },
      auth,
    );
    const selections = upstreamSelections(stack.sandbox.requests[0]!.query);
    expect(selections.map((s) => s.root)).toEqual(['user', 'user']);
    for (const { fields } of selections) {
      const requested = fields.filter((f) => f !== '__typename' && f !== 'id');
      expect(requested).toEqual(['last_name']);
    }
  });

  it('shares nothing between requests: each request fetches again, with its own key', async () => {
    const refs = [user(patients[0]!)];
    const first = await stack.query(ENTITIES, { representations: refs }, auth);
    const second = await stack.query(ENTITIES, { representations: refs }, { 'x-healthie-api-key': SECOND_API_KEY });
    expect(first.body.data!._entities[0].id).toBe(patients[0]);
    expect(second.body.data!._entities).toEqual([null]);
    expect(stack.sandbox.requests.map((r) => r.headers.authorization)).toEqual([`Basic ${DEMO_API_KEY}`, `Basic ${SECOND_API_KEY}`]);
  });
});

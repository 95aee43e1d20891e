/**
 * The cost estimate follows Healthie's complexity rules, so operations Healthie would refuse are
 * refused here first, without spending a request.
 */
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileCostPlan } from '../../src/operation/cost-plan.js';
import { costLimitPlugin, DEFAULT_LIST_SIZE, MAX_COST } from '../../src/plugins/cost.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const USER = 'id firstName lastName fullName email phoneNumber dob timezone active isPatient dietitianId nextApptDate organization { id name }';

describe('operation cost', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('lets a default page of patients (100) with every approved field through', async () => {
    // 1 + 100 × (1 + nodes (1 + 1 + 16)) = 1901.
    const result = await stack.query(`{ healthieUsers { nodes { ${USER} } } }`, {}, auth);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieUsers.nodes).toHaveLength(60);
  });

  it(`refuses a page so large that the cost exceeds ${MAX_COST}, stating the cost, before calling Healthie`, async () => {
    for (const [query, variables] of [
      // Two full pages of every approved field: each alone fits, together they cost over the limit.
      [`{ a: healthieUsers(first: 100) { nodes { ${USER} } } b: healthieUsers(first: 100) { nodes { ${USER} } } }`, {}],
      [`{ a: healthieUsers(last: 100) { nodes { ${USER} } } b: healthieUsers(last: 100) { nodes { ${USER} } } }`, {}],
      [`query($n: Int) { a: healthieUsers(first: $n) { nodes { ${USER} } } b: healthieUsers(first: $n) { nodes { ${USER} } } }`, { n: 100 }],
      // Both sizes sent: the larger one counts, so a small `first` cannot hide a large `last`.
      [`{ a: healthieUsers(first: 1, last: 100) { nodes { ${USER} } } b: healthieUsers(first: 1, last: 100) { nodes { ${USER} } } }`, {}],
    ] as const) {
      const result = await stack.query(query, variables, auth);
      expect(result.status, query).toBe(400);
      const error = result.body.errors?.[0];
      expect(error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(error?.extensions?.cost).toBeGreaterThan(MAX_COST);
      expect(error?.message).toContain('first or last');
    }
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it(`counts a connection without first or last as ${DEFAULT_LIST_SIZE} items, its nodes and edges once per item`, async () => {
    const fields = 'id date start end length contactType pmStatus confirmed location';
    const unpaged = await stack.query(`{ healthieAppointments { nodes { ${fields} provider { ${USER} } } } }`, {}, auth);
    expect(unpaged.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const viaEdges = await stack.query(`{ healthieUsers { edges { cursor node { ${USER} } } } }`, {}, auth);
    // 1 + 100 × (1 + edges (1 + cursor 1 + node (2 + 16))) = 2201.
    expect(viaEdges.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 2201 });
    const paged = await stack.query(`{ healthieAppointments(first: 10) { nodes { ${fields} provider { ${USER} } } } }`, {}, auth);
    expect(paged.body.errors).toBeUndefined();
    expect(stack.sandbox.requests).toHaveLength(1);
  });

  it('adds up aliased connections and connections inside fragments', async () => {
    const half = `healthieUsers(first: 60) { nodes { ${USER} } }`;
    const aliased = await stack.query(`{ a: ${half} b: ${half} }`, {}, auth);
    expect(aliased.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const fragments = await stack.query(`{ a: healthieUsers(first: 60) { ...page } b: healthieUsers(first: 60) { ...page } } fragment page on HealthieUserConnection { nodes { ${USER} } }`, {}, auth);
    expect(fragments.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('counts _entities by its number of representations', async () => {
    const representations = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'HealthieUser', id: String(1001 + i) }));
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { ${USER} } } }`;
    const few = await stack.query(query, { r: representations(40) }, auth);
    expect(few.body.errors).toBeUndefined();
    const many = await stack.query(query, { r: representations(200) }, auth);
    expect(many.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('the cost plan', () => {
  it('is compiled once per document and operation, and scores every later request from its variables', async () => {
    const compiled: string[] = [];
    const server = new ApolloServer({
      typeDefs: 'type Item { id: ID } type Page { nodes: [Item] } type Query { items(first: Int): Page }',
      resolvers: { Query: { items: () => ({ nodes: [] }) } },
      plugins: [costLimitPlugin({ maxCost: 100, compile: (schema, expanded) => (compiled.push('plan'), compileCostPlan(schema, expanded)) })],
    });
    await server.start();
    try {
      const query = 'query A($n: Int) { items(first: $n) { nodes { id } } } query B { items(first: 30) { nodes { id } } }';
      const costs = [];
      for (const [operationName, n] of [['A', 10], ['A', 24], ['A', 25], ['B', 0], ['A', 101], ['B', 0]] as const) {
        const response = await server.executeOperation({ query, operationName, variables: { n } });
        const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
        costs.push(result?.errors?.[0]?.extensions?.cost ?? result?.errors?.[0]?.extensions?.maxPageSize ?? 'answered');
      }
      // 1 + n × (1 + nodes (2 + 1)): 24 items fit in 100, 25 do not; 101 is over the page maximum.
      expect(costs).toEqual(['answered', 'answered', 101, 121, 100, 121]);
      expect(compiled).toEqual(['plan', 'plan']);
    } finally {
      await server.stop();
    }
  });
});

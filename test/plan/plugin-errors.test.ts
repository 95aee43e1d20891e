/**
 * The planned path refuses nothing itself: requests the checks refuse never reach it, and those
 * it cannot serve safely go to the delegation path, which refuses them as before. Nothing
 * refused reaches Healthie.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse, visit, type FieldNode } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SubgraphContext } from '../../src/context.js';
import { planPlugin } from '../../src/plan/plugin.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { createRuntimeSchema } from '../../src/subgraph/schema.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

describe('planned path, refused requests', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('hands requests whose variables do not coerce to the delegation path, which refuses them as before', async () => {
    const before = stack.server.planStats();
    const result = await stack.query('query($size: Int) { healthieUsers(first: $size) { nodes { id } } }', { size: 'ten' }, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.requests).toHaveLength(0);
    expect(stack.server.planStats().delegated).toBe(before.delegated + 1);
  });

  it('hands representations the guard refuses to the delegation path, and sends nothing for them', async () => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id } } }';
    const bad = await stack.query(query, { r: [{ __typename: 'HealthieUser', id: '' }, { __typename: 'Nope', id: '1' }] }, auth);
    expect(bad.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    const over = await stack.query(query, { r: Array.from({ length: 251 }, (_, i) => ({ __typename: 'HealthieUser', id: String(i) })) }, auth);
    expect(over.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('sends nothing for an operation the limits or the cost estimate refuse, whatever its fragments, aliases or variables', async () => {
    const deep = '{ healthieAppointment(id: "1") { user { organization { id } } provider { organization { id } } } }';
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: healthieCurrentUser { id }`).join(' ')} }`;
    const fragments = `query { healthieUsers(first: $size) { nodes { ...A } } } fragment A on HealthieUser { ...B ...B } fragment B on HealthieUser { id firstName lastName fullName email phoneNumber dob timezone active isPatient dietitianId nextApptDate organization { id name } }`;
    const before = stack.server.planStats();
    const refused = [
      await stack.query(aliases, {}, auth),
      await stack.query(`query($size: Int) ${fragments.slice('query '.length)}`, { size: 100 }, auth),
      await stack.query('query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id firstName lastName fullName email phoneNumber dob timezone organization { id name } } } }', { r: Array.from({ length: 240 }, (_, i) => ({ __typename: 'HealthieUser', id: String(i) })) }, auth),
    ];
    for (const result of refused) expect(['QUERY_TOO_COMPLEX', 'BAD_USER_INPUT'], JSON.stringify(result.body).slice(0, 300)).toContain(result.body.errors?.[0]?.extensions?.code);
    expect((await stack.query(deep, {}, auth)).status).toBe(200);
    expect(stack.server.planStats().planned).toBe(before.planned + 1);
    expect(stack.sandbox.requests).toHaveLength(1);
  });

  it('sends an id built to break out of its string literal as one literal, fetching nothing else', async () => {
    const hostile = ['1001") { id } x: currentUser { id email } y: user(id: "1002', 'a\\"b', '\u2028\ud83d\ude00', '1001\n', 'c\\\\d\u0085\u007f\t'];
    const result = await stack.query(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id } } }',
      { r: hostile.map((id) => ({ __typename: 'HealthieUser', id })) },
      auth,
    );
    expect(result.body).toEqual({ data: { _entities: hostile.map(() => null) } });
    const [request] = stack.sandbox.requests;
    const roots: Array<{ name: string; id: unknown }> = [];
    visit(parse(request!.query), {
      OperationDefinition(node) {
        for (const field of node.selectionSet.selections as FieldNode[]) {
          const arg = field.arguments![0]!.value;
          roots.push({ name: field.name.value, id: arg.kind === 'StringValue' ? arg.value : arg });
        }
        return false;
      },
    });
    expect(roots).toEqual(hostile.map((id) => ({ name: 'user', id })));
  });
});

describe('planned path, a request naming no operation of its document', () => {
  it('leaves it to execution, which answers OPERATION_RESOLUTION_FAILURE, even with no check before it', async () => {
    let sent = 0;
    const runtime = createRuntimeSchema(async () => ((sent += 1), {}));
    const plugin = planPlugin({ schema: runtime.schema, approved: runtime.subschema.schema, executor: async () => ((sent += 1), {}), cacheSize: 10, cacheMaxBytes: 1024 * 1024, includeStacktrace: false }).plugin;
    const server = new ApolloServer<SubgraphContext>({ schema: runtime.schema, plugins: [plugin, ApolloServerPluginInlineTraceDisabled()] });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' }, context: async () => ({}) as SubgraphContext });
    try {
      for (const body of [{ query: 'query A { healthieCurrentUser { id } }', operationName: 'Nope' }, { query: 'query A { healthieCurrentUser { id } } query B { healthieCurrentUser { id } }' }]) {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const answer = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
        expect(response.status).toBe(400);
        expect(answer.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
      }
      expect(sent).toBe(0);
    } finally {
      await server.stop();
    }
  });
});

/**
 * Hostile operations are refused with QUERY_TOO_COMPLEX before Healthie is called: fragment
 * chains, pages of size 0 or huge (literal or variable), aliases, the booking's selection, and
 * any failure of the estimate itself. Negative page sizes, and variables sent as null where a
 * value is required, are refused as the client's input (BAD_USER_INPUT), also before Healthie.
 */
import { ApolloServer } from '@apollo/server';
import { GraphQLError, parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileCostPlan, CostPlanError } from '../../src/operation/cost-plan.js';
import { costLimitPlugin, type CostLimits } from '../../src/plugins/cost.js';
import { MAX_EXPANDED_FIELDS } from '../../src/operation/expand.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { appointmentsPage, CONNECTIONS, doublingChain, PAGE_SIZE_ARGUMENT, usersPage } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

describe('hostile operations', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  async function refused(query: string, variables: Record<string, unknown> = {}) {
    const result = await stack.query(query, variables, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.body.data ?? null).toBeNull();
    expect(stack.sandbox.requests).toHaveLength(0);
    return result.body.errors![0]!;
  }

  it('refuses 14 doubling fragments around a page of 100000 patients (the cost limit no longer fails open)', async () => {
    const page = usersPage('100000', '...F14');
    const query = doublingChain(14, 'healthieUsers', 'HealthieUser', 'id email dob').replace('{ healthieUsers { ...F14 } }', `{ ${page} }`);
    expect(query).toContain('100000');
    const error = await refused(query);
    expect(error.message).toContain(`more than ${MAX_EXPANDED_FIELDS} fields once its fragments are expanded`);
  });

  it('refuses one field in 300 nested inline fragments spread 1024 times (8 KB, 300,000 nodes once inlined)', async () => {
    const nested = `${'... on HealthieUser { '.repeat(300)}id${' }'.repeat(300)}`;
    const error = await refused(doublingChain(10, 'healthieCurrentUser', 'HealthieUser', nested));
    expect(error.message).toContain('more than 8000 selections (fields and fragments) once its fragments are expanded');
    expect(error.extensions?.maxExpandedSelections).toBe(8000);
  });

  it('answers a 30-level doubling chain (1.5 KB, 2^30 fields) with a refusal, promptly', async () => {
    await refused(doublingChain(30));
  });

  it("refuses the same trick on the booking's selection, booking nothing", async () => {
    const chain = doublingChain(14, 'healthieCreateAppointment(input: { userId: "1001" }) { appointment', 'HealthieAppointment').replace(
      '{ ...F14 } }',
      '{ ...F14 } } }',
    );
    await refused(`mutation ${chain}`);
  });

  it('refuses 29 aliases of healthieAppointments with a page of 0: a page of 0 counts as 100', async () => {
    const aliases = Array.from({ length: 29 }, (_, i) => `a${i}: ${appointmentsPage('0', 'id')}`).join('\n');
    const error = await refused(`{ ${aliases} }`);
    expect(error.extensions?.cost).toBeGreaterThan(2000);
  });

  it.skipIf(!CONNECTIONS)('refuses aliases with negative page sizes as the client\'s input, before any cost is counted', async () => {
    const negative = Array.from({ length: 12 }, (_, i) => `a${i}: ${usersPage('-1', 'id firstName')}`).join('\n');
    const result = await stack.query(`{ ${negative} }`, {}, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.body.errors?.[0]?.extensions?.cost).toBeUndefined();
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it.skipIf(CONNECTIONS)('counts a negative pageSize as 100, as Healthie does', async () => {
    const negative = Array.from({ length: 12 }, (_, i) => `a${i}: ${usersPage('-1', 'id firstName')}`).join('\n');
    await refused(`{ ${negative} }`);
  });

  it.skipIf(CONNECTIONS)('counts a pageSize Healthie ignores (no shouldPaginate: true) as 100', async () => {
    const ignored = Array.from({ length: 12 }, (_, i) => `a${i}: healthieAppointments(pageSize: 1, filter: "all") { id date }`).join('\n');
    await refused(`{ ${ignored} }`);
  });

  it('refuses a page over 100, from a literal or a variable, stating the maximum', async () => {
    const literal = await refused(`{ ${usersPage('101', 'id')} }`);
    expect(literal.message).toContain('more than 100 items');
    expect(literal.extensions?.maxPageSize).toBe(100);
    const variable = await refused(`query($n: Int) { ${usersPage('$n', 'id')} }`, { n: 100000 });
    expect(variable.message).toContain(`${PAGE_SIZE_ARGUMENT}: 100000`);
  });

  it('refuses a page of 101 from a variable on a document already checked with a page of 10, sending nothing', async () => {
    const query = `query Page($n: Int) { ${usersPage('$n', 'id')} }`;
    for (const n of [10, 101, 100000, 10]) {
      stack.sandbox.clearRequests();
      const result = await stack.query(query, { n }, auth);
      if (n <= 100) {
        expect(result.body.errors).toBeUndefined();
        expect(stack.sandbox.requests).toHaveLength(1);
        continue;
      }
      expect(result.body.errors?.[0]?.message).toContain(`${PAGE_SIZE_ARGUMENT}: ${n}) asks for more than 100 items`);
      expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxPageSize: 100 });
      expect(stack.sandbox.requests).toHaveLength(0);
    }
  });

  it.skipIf(!CONNECTIONS)('refuses the same document once its variables raise the cost: a larger page, a condition, more representations', async () => {
    const USER = 'id firstName lastName fullName email phoneNumber dob timezone active isPatient dietitianId nextApptDate organization { id name }';
    const query = `query Pages($n: Int, $all: Boolean!) { a: ${usersPage('$n', USER)} b: ${usersPage('$n', USER).replace(') {', ') @include(if: $all) {')} }`;
    const answers = [];
    for (const variables of [{ n: 10, all: true }, { n: 100, all: false }, { n: 100, all: true }, { n: 60, all: true }, { n: null, all: true }]) {
      stack.sandbox.clearRequests();
      const result = await stack.query(query, variables, auth);
      if (!result.body.errors) answers.push('answered');
      else {
        expect(result.body.errors[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
        answers.push(result.body.errors[0]?.extensions?.cost);
        expect(stack.sandbox.requests).toHaveLength(0);
      }
    }
    // 1 + n × (1 + nodes (2 + 16)) per connection, a page of null counting as 100.
    expect(answers).toEqual(['answered', 'answered', 2 * 1901, 2 * 1141, 2 * 1901]);

    const entities = `query Refs($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id } } }`;
    const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'HealthieUser', id: String(1001 + (i % 5)) }));
    expect((await stack.query(entities, { r: refs(20) }, auth)).body.errors).toBeUndefined();
    stack.sandbox.clearRequests();
    const error = await refused(entities, { r: refs(251) });
    expect(error.extensions).toMatchObject({ references: 251, maxEntityReferences: 250 });
  });

  it('advises fewer entity references when references make the cost, and sends nothing', async () => {
    const entities = `query Refs($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id firstName lastName email dob organization { id name } } } }`;
    const refs = Array.from({ length: 250 }, (_, i) => ({ __typename: 'HealthieUser', id: String(1001 + (i % 5)) }));
    const error = await refused(entities, { r: refs });
    expect(error.extensions?.cost).toBeGreaterThan(2000);
    expect(error.message).toContain('fewer entity references (250 here, each scored as a lookup of its own)');
    const page = usersPage('100', 'id firstName lastName email dob organization { id name }');
    const plain = await refused(`{ a: ${page} b: ${page} c: ${page} }`);
    expect(plain.message).not.toContain('entity references');
  });

  it('leaves variables of the wrong type to BAD_USER_INPUT, sending nothing', async () => {
    const result = await stack.query(`query($n: Int) { ${usersPage('$n', 'id')} }`, { n: 'lots' }, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('still answers a reasonable paged operation', async () => {
    const result = await stack.query(`{ ${usersPage('5', 'id')} }`, {}, auth);
    expect(result.body.errors).toBeUndefined();
    const users = result.body.data!.healthieUsers;
    expect(CONNECTIONS ? users.nodes : users).toHaveLength(5);
  });
});

describe('a failing estimate', () => {
  it('refuses the operation with QUERY_TOO_COMPLEX instead of letting it through', async () => {
    let resolved = 0;
    const server = new ApolloServer({
      typeDefs: 'type Query { hello: String }',
      resolvers: { Query: { hello: () => ((resolved += 1), 'world') } },
      plugins: [
        costLimitPlugin({
          estimate: () => {
            throw new Error('the estimator broke');
          },
        }),
      ],
    });
    await server.start();
    try {
      const response = await server.executeOperation({ query: '{ hello }' });
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      expect(result?.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(result?.errors?.[0]?.message).not.toContain('estimator broke');
      expect(resolved).toBe(0);
    } finally {
      await server.stop();
    }
  });

  const typeDefs =
    'type Item { id: ID } type Page { nodes: [Item] } input Pair { a: String b: String! c: [String!] d: [String] inner: Pair } ' +
    'type Query { hello: String items(first: Int): Page item(id: ID!): Item pair(p: Pair): String }';
  async function answer(limits: CostLimits, query: string, variables: Record<string, unknown> = {}) {
    let resolved = 0;
    const server = new ApolloServer({
      typeDefs,
      resolvers: {
        Query: { hello: () => ((resolved += 1), 'world'), items: () => ((resolved += 1), { nodes: [] }), item: () => ((resolved += 1), { id: '1' }), pair: () => ((resolved += 1), 'ok') },
      },
      plugins: [costLimitPlugin(limits)],
    });
    await server.start();
    try {
      const response = await server.executeOperation({ query, variables });
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      return { error: result?.errors?.[0], resolved };
    } finally {
      await server.stop();
    }
  }

  it('estimates an operation whose plan cannot be compiled the old way, with the same answers', async () => {
    const compile = () => {
      throw new CostPlanError('not this one');
    };
    const query = 'query($n: Int) { items(first: $n) { nodes { id } } }';
    expect(await answer({ compile }, query, { n: 10 })).toEqual({ error: undefined, resolved: 1 });
    const over = await answer({ compile, maxCost: 100 }, query, { n: 50 });
    expect(over.error?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 1 + 50 * (1 + 3) });
    const page = await answer({ compile }, query, { n: 101 });
    expect(page.error?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxPageSize: 100 });
    expect(over.resolved + page.resolved).toBe(0);
  });

  it('refuses when neither the plan nor the old estimate can score the operation', async () => {
    const result = await answer(
      {
        compile: () => {
          throw new CostPlanError('not this one');
        },
        estimate: () => {
          throw new Error('the estimator broke');
        },
      },
      '{ hello }',
    );
    expect(result.error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.resolved).toBe(0);
  });

  it('refuses a variable sent as null where a value is required with BAD_USER_INPUT, from the plan and the estimate alike, and any other failure as before', async () => {
    const compile = () => {
      throw new CostPlanError('not this one');
    };
    for (const limits of [{}, { compile }]) {
      for (const [query, variables, argument] of [
        ['query($s: Boolean = true) { hello @skip(if: $s) }', { s: null }, '"if"'],
        ['query($id: ID = "1") { item(id: $id) { id } }', { id: null }, '"id"'],
        ['query($s: Boolean = false, $id: ID = "1") { hello @include(if: $s) item(id: $id) { id } }', { id: null }, '"id"'],
      ] as const) {
        const result = await answer(limits, query, variables);
        expect(result.error?.extensions?.code, JSON.stringify(limits)).toBe('BAD_USER_INPUT');
        expect(result.error?.message).toContain(`Argument ${argument} of non-null type`);
        expect(result.resolved).toBe(0);
      }
      // Left out, the defaults apply and the same documents are answered.
      expect(await answer(limits, 'query($id: ID = "1") { item(id: $id) { id } }')).toEqual({ error: undefined, resolved: 1 });
    }
    // Any other failure still refuses as QUERY_TOO_COMPLEX, even beside a variable sent as null.
    const query = 'query($s: Boolean = true) { hello @skip(if: $s) }';
    for (const failure of [new Error('the estimator broke'), new GraphQLError('no node'), new GraphQLError('a node', { nodes: parse('{ hello }').definitions[0]! })]) {
      const fail = () => {
        throw failure;
      };
      for (const limits of [{ estimate: fail }, { compile: () => ({ reads: [], cost: fail }) }]) {
        const result = await answer(limits, query, { s: null });
        expect(result.error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
        expect(result.resolved).toBe(0);
      }
    }
  });

  it('names only the variables sent as null where a value is required, not those sent as null where null is allowed, from the plan and the estimate alike', async () => {
    const compile = () => {
      throw new CostPlanError('not this one');
    };
    const cases = [
      // $n sits where null is allowed (a, d's items, inner.a); $m and $k where a value is required.
      ['query($n: String, $m: String = "y") { pair(p: { a: $n, b: $m }) }', { n: null, m: null }, 'Variable "$m" was sent as null'],
      ['query($n: String, $m: String = "y") { pair(p: { b: $m, a: $n }) }', { n: null, m: null }, 'Variable "$m" was sent as null'],
      [
        'query($n: String, $m: String = "y", $k: String = "z") { pair(p: { b: "x", d: [$n], c: [$m], inner: { a: $n, b: $k } }) }',
        { n: null, m: null, k: null },
        'Variables "$m", "$k" were sent as null',
      ],
      ['query($n: String, $k: String = "z") { pair(p: { b: "x", inner: { a: $n, b: $k, d: [$n, "w"] } }) }', { n: null, k: null }, 'Variable "$k" was sent as null'],
    ] as const;
    for (const limits of [{}, { compile }]) {
      for (const [query, variables, named] of cases) {
        const result = await answer(limits, query, variables);
        expect(result.error?.extensions?.code, query).toBe('BAD_USER_INPUT');
        expect(result.error?.message, query).toContain(named);
        expect(result.error?.message, query).not.toContain('"$n"');
        expect(result.resolved).toBe(0);
      }
      // Null where null is allowed, and a value where one is required: answered.
      expect(await answer(limits, cases[0][0], { n: null, m: 'v' })).toEqual({ error: undefined, resolved: 1 });
    }
  });

  it('refuses when the compiled plan fails on a request, or scores it as not a number', async () => {
    for (const cost of [
      () => {
        throw new Error('the plan broke');
      },
      () => Number.NaN,
    ]) {
      const result = await answer({ compile: () => ({ reads: [], cost }) }, '{ hello }');
      expect(result.error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(result.error?.message).not.toContain('broke');
      expect(result.resolved).toBe(0);
    }
    // Compiled as usual, the same operation is answered: only the plan's failure refused it.
    expect(await answer({}, '{ hello }')).toEqual({ error: undefined, resolved: 1 });
  });
});

/** Posts a request body as given (operationName included), returning the status and the body. */
async function send(url: string, body: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

describe('values and operations the cost check cannot read, on the planned and the delegation path', () => {
  const stacks: Array<[string, Stack]> = [];
  beforeAll(async () => {
    stacks.push(['planned', await startStack({ env: { PLAN_ENABLED: 'true' } })], ['delegation', await startStack({ env: { PLAN_ENABLED: 'false' } })]);
  });
  afterAll(() => Promise.all(stacks.map(([, stack]) => stack.close())));
  beforeEach(() => stacks.forEach(([, stack]) => stack.sandbox.clearRequests()));

  const skipped = 'query($s: Boolean = true) { healthieCurrentUser @skip(if: $s) { id } }';
  const slots = 'query($p: ID = "1001") { healthieAvailableSlotsForRange(providerId: $p, startDate: "2026-11-02") { date } }';

  it('refuses a variable with a default sent as null where a value is required with BAD_USER_INPUT naming the argument, sending nothing', async () => {
    for (const [path, stack] of stacks) {
      for (const [query, variables, argument, type] of [
        [skipped, { s: null }, 'if', 'Boolean!'],
        [slots, { p: null }, 'providerId', 'ID!'],
      ] as const) {
        const result = await stack.query(query, variables, auth);
        expect(result.status, path).toBe(400);
        expect(result.body.data ?? null).toBeNull();
        expect(result.body.errors).toHaveLength(1);
        const error = result.body.errors![0]!;
        expect(error.extensions?.code, `${path}: ${error.message}`).toBe('BAD_USER_INPUT');
        expect(error.message).toContain(`Argument "${argument}" of non-null type "${type}" must not be null.`);
        expect(error.message).toContain(`Variable "$${Object.keys(variables)[0]}" was sent as null`);
        expect(error.message).toContain('leave the variable out');
      }
      expect(stack.sandbox.requests, path).toHaveLength(0);
    }
  });

  it('names a null sent inside a list or an object, and still answers the same document sent with values or without the variable', async () => {
    for (const [path, stack] of stacks) {
      const entities = 'query($r: _Any = { __typename: "HealthieUser", id: "1001" }) { _entities(representations: [$r]) { ... on HealthieUser { id } } }';
      const listed = await stack.query(entities, { r: null }, auth);
      expect(listed.status, path).toBe(400);
      expect(listed.body.errors?.[0]?.extensions?.code, path).toBe('BAD_USER_INPUT');
      // The variable is named, never a value.
      expect(listed.body.errors?.[0]?.message).toContain('Argument "representations" has invalid value [$r]. Variable "$r" was sent as null');
      expect(listed.body.errors?.[0]?.message).not.toContain('HealthieUser');
      expect(stack.sandbox.requests, path).toHaveLength(0);
      // The refusal is per request: the checks compiled for the document still serve it.
      expect((await stack.query(skipped, { s: false }, auth)).body, path).toEqual({ data: { healthieCurrentUser: { id: '1001' } } });
      expect((await stack.query(skipped, {}, auth)).body, path).toEqual({ data: {} });
      const answered = await stack.query(slots, {}, auth);
      expect(answered.body.errors, path).toBeUndefined();
      expect(stack.sandbox.requests.length, path).toBeGreaterThan(0);
    }
  });

  it('names only the representation sent as null, not a null inside another representation', async () => {
    for (const [path, stack] of stacks) {
      const query = 'query($i: ID, $r: _Any = { __typename: "HealthieUser", id: "1001" }) { _entities(representations: [{ __typename: "HealthieUser", id: $i }, $r]) { ... on HealthieUser { id } } }';
      const result = await stack.query(query, { i: null, r: null }, auth);
      expect(result.status, path).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code, path).toBe('BAD_USER_INPUT');
      expect(result.body.errors?.[0]?.message, path).toContain('Variable "$r" was sent as null');
      expect(result.body.errors?.[0]?.message, path).not.toContain('"$i"');
      expect(stack.sandbox.requests, path).toHaveLength(0);
    }
  });

  it('answers an operationName naming no operation, or none for several, with OPERATION_RESOLUTION_FAILURE, sending and booking nothing', async () => {
    for (const [path, stack] of stacks) {
      const unknown = await send(stack.url, { query: 'query A { healthieCurrentUser { id } }', operationName: 'Nope' });
      expect(unknown.status, path).toBe(400);
      expect(unknown.body.errors?.[0]?.extensions?.code, path).toBe('OPERATION_RESOLUTION_FAILURE');
      expect(unknown.body.errors?.[0]?.message).toContain('operationName "Nope" names no operation of this document, which holds 1 operation ("A")');

      const several = await send(stack.url, { query: 'query A {healthieCurrentUser{id}} query B {healthieCurrentUser{id}}' });
      expect(several.status, path).toBe(400);
      expect(several.body.errors?.[0]?.extensions?.code, path).toBe('OPERATION_RESOLUTION_FAILURE');
      expect(several.body.errors?.[0]?.message).toContain('holds 2 operations ("A", "B") and the request names none of them: send operationName');

      const booking = 'mutation Book { healthieCreateAppointment(input: { userId: "1001" }) { appointment { id } } }';
      for (const operationName of ['', 'book', 'Other']) {
        const result = await send(stack.url, { query: `${booking} query Other2 { healthieCurrentUser { id } }`, operationName });
        expect(result.body.errors?.[0]?.extensions?.code, `${path} ${operationName}`).toBe('OPERATION_RESOLUTION_FAILURE');
      }
      expect(stack.sandbox.requests, path).toHaveLength(0);
      expect(stack.logs.filter((line) => /unexpected error/.test(line)), path).toEqual([]);
    }
  });
});

describe('negative page sizes, on the planned and the delegation path', () => {
  const stacks: Array<[string, Stack]> = [];
  beforeAll(async () => {
    stacks.push(['planned', await startStack({ env: { PLAN_ENABLED: 'true' } })], ['delegation', await startStack({ env: { PLAN_ENABLED: 'false' } })]);
  });
  afterAll(() => Promise.all(stacks.map(([, stack]) => stack.close())));
  beforeEach(() => stacks.forEach(([, stack]) => stack.sandbox.clearRequests()));

  const me = 'me: healthieCurrentUser { id }';
  const refs = [{ __typename: 'HealthieUser', id: '1001' }];

  /** Every way a negative size reaches a connection: [query, variables, argument, size]. */
  const HOSTILE: ReadonlyArray<readonly [string, Record<string, unknown>, 'first' | 'last', number]> = [
    [`{ ${me} healthieUsers(first: -1) { nodes { id } } }`, {}, 'first', -1],
    [`{ healthieAppointments(last: -1, filter: "all") { totalCount } ${me} }`, {}, 'last', -1],
    [`query($n: Int) { ${me} healthieOrganizationMembers(first: $n) { totalCount } }`, { n: -3 }, 'first', -3],
    [`query($n: Int = -7) { ${me} healthieAppointmentTypes(last: $n) { totalCount } }`, {}, 'last', -7],
    [`{ ${me} ok: healthieUsers(first: 5) { totalCount } bad: healthieUsers(first: 5, last: -2) { totalCount } }`, {}, 'last', -2],
    [`query($n: Int!) { ${me} ...Page } fragment Page on Query { a: healthieUsers(last: $n) { nodes { id } } }`, { n: -2147483648 }, 'last', -2147483648],
    [`query($i: Boolean!) { ${me} ... @include(if: $i) { healthieUsers(first: -40) { totalCount } } }`, { i: true }, 'first', -40],
    [`query($s: Boolean = false) { ${me} healthieUsers(first: -9) @skip(if: $s) { totalCount } }`, {}, 'first', -9],
    [`query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id } } healthieUsers(first: -4) { totalCount } }`, { r: refs }, 'first', -4],
  ];

  it('refuses a negative first or last with BAD_USER_INPUT stating the rule, the value and the fix, sending nothing to Healthie', async () => {
    for (const [path, stack] of stacks) {
      for (const [query, variables, argument, size] of HOSTILE) {
        const result = await stack.query(query, variables, auth);
        expect(result.status, `${path}: ${query}`).toBe(400);
        expect(result.body.data ?? null, `${path}: ${query}`).toBeNull();
        expect(result.body.errors, `${path}: ${query}`).toHaveLength(1);
        const error = result.body.errors![0]!;
        expect(error.extensions?.code, `${path}: ${query}: ${error.message}`).toBe('BAD_USER_INPUT');
        expect(error.message).toContain(`${argument} must be 0 or more (got ${size})`);
        expect(error.message).toContain(`Send ${argument} between 0 and 100, or leave it out`);
        expect(stack.sandbox.requests, `${path}: ${query}`).toHaveLength(0);
      }
    }
  });

  it('refuses a negative size sent on a document already answered with a valid one, and answers it again afterwards', async () => {
    for (const [path, stack] of stacks) {
      const query = `query Page($n: Int) { ${me} healthieUsers(first: $n) { nodes { id } } }`;
      for (const n of [2, -1, 0, -100, null, 2]) {
        stack.sandbox.clearRequests();
        const result = await stack.query(query, { n }, auth);
        if (n === null || n >= 0) {
          expect(result.body.errors, `${path} ${n}`).toBeUndefined();
          // A null size is Healthie's default page: every seeded patient.
          if (n !== null) expect(result.body.data?.healthieUsers.nodes, `${path} ${n}`).toHaveLength(n);
          expect(stack.sandbox.requests.length, `${path} ${n}`).toBeGreaterThan(0);
          continue;
        }
        expect(result.body.errors?.[0]?.extensions?.code, `${path} ${n}`).toBe('BAD_USER_INPUT');
        expect(stack.sandbox.requests, `${path} ${n}`).toHaveLength(0);
      }
    }
  });

  it('sends nothing and refuses nothing for a negative size on a field a condition leaves out', async () => {
    for (const [path, stack] of stacks) {
      const query = `query($s: Boolean!, $n: Int) { ${me} a: healthieUsers(first: $n) @include(if: $s) { totalCount } b: healthieUsers(last: -5) @skip(if: true) { totalCount } }`;
      const result = await stack.query(query, { s: false, n: -1 }, auth);
      expect(result.body, path).toEqual({ data: { me: { id: '1001' } } });
      expect(stack.sandbox.requests.map((r) => r.query).join('\n'), path).not.toMatch(/-[15]\b/);
      const included = await stack.query(query, { s: true, n: -1 }, auth);
      expect(included.body.errors?.[0]?.extensions?.code, path).toBe('BAD_USER_INPUT');
      expect(included.body.errors?.[0]?.message, path).toContain('first must be 0 or more (got -1)');
    }
  });

  it('keeps the negative size out of the log', async () => {
    for (const [path, stack] of stacks) {
      const before = stack.logs.length;
      const result = await stack.query('query($n: Int) { healthieUsers(first: $n) { totalCount } }', { n: -424242 }, auth);
      expect(result.body.errors?.[0]?.message, path).toContain('(got -424242)');
      const logged = stack.logs.slice(before).join('\n');
      expect(logged, path).toContain('BAD_USER_INPUT');
      expect(logged, path).not.toContain('424242');
    }
  });
});

describe('the checks kept per operation', () => {
  /** A document of `count` named operations, each spreading a doubling fragment chain (512 fields expanded). */
  const bomb = (seed: number, count: number) => {
    const fragments = [`fragment F1_${seed} on Item { id }`];
    for (let k = 2; k <= 512; k *= 2) fragments.push(`fragment F${k}_${seed} on Item { ...F${k / 2}_${seed} ...F${k / 2}_${seed} }`);
    const operations = Array.from({ length: count }, (_, i) => `query Q${i} { items(first: 1) { nodes { ...F512_${seed} } } }`);
    return [...operations, ...fragments].join('\n');
  };

  it('keep at most their byte bound, however many operations expand to how much, and are compiled again once dropped', async () => {
    const compiled: string[] = [];
    const server = new ApolloServer({
      typeDefs: 'type Item { id: ID } type Page { nodes: [Item] } type Query { items(first: Int): Page }',
      resolvers: { Query: { items: () => ({ nodes: [] }) } },
      // Each operation's checks weigh about 1 MB by the estimate (a 40-token operation): 4 MiB keeps a few.
      plugins: [costLimitPlugin({ maxCost: 1_000_000, maxCheckedBytes: 4 * 1024 * 1024, compile: (schema, expanded) => (compiled.push('plan'), compileCostPlan(schema, expanded)) })],
    });
    await server.start();
    try {
      const run = async (query: string, operationName: string) => {
        const response = await server.executeOperation({ query, operationName });
        expect(response.body.kind === 'single' ? response.body.singleResult.errors : 'incremental').toBeUndefined();
      };
      for (let seed = 0; seed < 3; seed += 1) {
        const query = bomb(seed, 20);
        for (let i = 0; i < 20; i += 1) await run(query, `Q${i}`);
      }
      expect(compiled).toHaveLength(60);
      // The first document's operations were dropped for the later ones: checked again, compiled again.
      await run(bomb(0, 20), 'Q0');
      expect(compiled).toHaveLength(61);
      // The latest are kept: not compiled again.
      await run(bomb(2, 20), 'Q19');
      expect(compiled).toHaveLength(61);
    } finally {
      await server.stop();
    }
  });
});

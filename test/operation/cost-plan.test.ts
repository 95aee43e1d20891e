/**
 * The cost plan compiled once per document gives the estimate's answer for every operation and
 * variables: the same number, the same page-size refusal (naming the same field and size), the
 * same failures, on operations generated over the served schema and over a schema with every
 * shape the estimate knows (nested connections, `pageSize` lists, interfaces, unions, non-null
 * page sizes with defaults), and on hostile operations built by hand.
 */
import { buildSchema, GraphQLError, parse, validate, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compileCostPlan, CostPlanError } from '../../src/operation/cost-plan.js';
import { ExpansionLimitError, expandOperation, selectOperation } from '../../src/operation/expand.js';
import { compileReferenceCount, entityReferenceCount } from '../../src/operation/references.js';
import { coerceVariables, estimateCost, PageSizeError, VariableCoercionError } from '../../src/plugins/cost.js';
import { createRuntimeSchema } from '../../src/subgraph/schema.js';
import { doublingChain } from '../helpers/operations.js';
import { createGenerator } from '../plan/generate.js';
import { createCostGenerator } from './cost-generate.js';

const served = createRuntimeSchema(async () => ({})).schema;

/** Every shape the estimate scores differently, nested. */
const shapes = buildSchema(`
  interface Node { id: ID! }
  type Item implements Node { id: ID! name: String owner: Person tags(first: Int, last: Int): TagConnection children(pageSize: Int = 1000, shouldPaginate: Boolean = false): [Item] }
  type Person implements Node { id: ID! name: String items(first: Int!, after: String): ItemConnection friends: [Person] }
  type Tag { id: ID label: String }
  type TagEdge { cursor: String node: Tag }
  type TagConnection { nodes: [Tag] edges: [TagEdge] total: Int }
  type ItemEdge { node: Item }
  type ItemConnection { nodes: [Item] edges: [ItemEdge] }
  union Thing = Item | Person | Tag
  scalar _Any
  type Query {
    items(first: Int, last: Int, filter: String): ItemConnection
    item(id: ID!): Item
    node(id: ID!): Node
    things(pageSize: Int, shouldPaginate: Boolean, ids: [ID!]): [Thing]
    limited(first: Int! = 10): ItemConnection
    _entities(representations: [_Any!]!): [Thing]!
  }
  type Mutation { touch(ids: [ID!]!, first: Int): [Item] }
`);

type Outcome = { cost: number } | { refused: 'page' | 'argument'; message: string } | { refused: 'variables' } | { refused: 'estimate' };

function outcome(run: () => number): Outcome {
  try {
    return { cost: run() };
  } catch (error) {
    if (error instanceof PageSizeError) return { refused: 'page', message: error.message };
    if (error instanceof VariableCoercionError) return { refused: 'variables' };
    // graphql-js's own error for an argument it cannot read: the cost check tells a null from it.
    if (error instanceof GraphQLError && error.nodes?.length) return { refused: 'argument', message: error.message };
    return { refused: 'estimate' };
  }
}

/** Compiles `query` once and compares plan and estimate for each set of variables; the outcomes seen. */
function compare(schema: GraphQLSchema, query: string, requests: Record<string, unknown>[]): Outcome[] {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const operation = selectOperation(document, 'Cost') ?? selectOperation(document)!;
  const expanded = expandOperation(document, operation);
  const plan = compileCostPlan(schema, expanded);
  const references = compileReferenceCount(expanded);
  return requests.map((variables) => {
    const expected = outcome(() => estimateCost(schema, expanded, variables));
    const actual = outcome(() => plan.cost(coerceVariables(schema, operation, variables)));
    expect(actual, `${query}\n${JSON.stringify(variables)}`).toEqual(expected);
    if (!('refused' in expected && expected.refused === 'variables')) {
      const coerced = coerceVariables(schema, operation, variables);
      expect(references(coerced)).toBe(entityReferenceCount(expanded, coerced));
    }
    return expected;
  });
}

function runGenerated(schema: GraphQLSchema, seed: number, documents: number) {
  const generate = createCostGenerator(schema, seed);
  const seen: Outcome[] = [];
  let valid = 0;
  for (let i = 0; i < documents; i += 1) {
    const { query, variables } = generate();
    if (validate(schema, parse(query)).length > 0) continue;
    valid += 1;
    try {
      seen.push(...compare(schema, query, variables));
    } catch (error) {
      if (error instanceof ExpansionLimitError) continue;
      throw new Error(`seed ${seed}, document ${i}: ${(error as Error).message}`);
    }
  }
  return { seen, valid };
}

describe('the compiled cost against the estimate', () => {
  for (const seed of [1, 2, 3, 20260101, 987654]) {
    it(`agrees on generated operations with many variables each (seed ${seed})`, () => {
      for (const [schema, documents] of [[shapes, 100], [served, 60]] as const) {
        const { seen, valid } = runGenerated(schema, seed, documents);
        // The comparison must have exercised every kind of answer, not only valid documents.
        expect(valid).toBeGreaterThan(documents / 5);
        expect(seen.some((o) => 'cost' in o && o.cost > 2000)).toBe(true);
        expect(seen.some((o) => 'cost' in o && o.cost <= 2000)).toBe(true);
        expect(seen.some((o) => 'refused' in o && o.refused === 'page')).toBe(true);
        expect(seen.some((o) => 'refused' in o && o.refused === 'variables')).toBe(true);
      }
    });
  }

  it('agrees on the operations the planned path is tested with', () => {
    const generate = createGenerator(served, { userIds: ['1001', '1002'], appointmentIds: ['2001'] }, 7);
    for (let i = 0; i < 200; i += 1) {
      const { query, variables } = generate();
      if (validate(served, parse(query)).length === 0) compare(served, query, [variables, {}]);
    }
  });

  it('agrees where an argument or a condition cannot be read: the estimate fails, and so does the plan, with the same error', () => {
    const failing = compare(shapes, 'query Cost($n: Int = 5, $c: Boolean = true) { limited(first: $n) { nodes { id } } items @include(if: $c) { nodes { id } } }', [
      { n: null },
      { c: null },
      { n: 3, c: false },
    ]);
    expect(failing).toEqual([
      { refused: 'argument', message: 'Argument "first" of non-null type "Int!" must not be null.' },
      { refused: 'argument', message: 'Argument "if" of non-null type "Boolean!" must not be null.' },
      { cost: 1 + 3 * (1 + 3) },
    ]);
    // Also where the argument does not change the score: a non-null id from a nullable variable.
    const id = compare(shapes, 'query Cost($id: ID = "1", $in: ID = "2") { node(id: $id) { id } item(id: "3") { tags(first: 2) { nodes { id } } } things(ids: [$in]) { __typename } }', [
      { id: null },
      { in: null },
      {},
    ]);
    expect(id.map((o) => ('refused' in o ? o.refused : 'cost'))).toEqual(['argument', 'argument', 'cost']);
    // Two arguments that fail: the estimate throws the last one, and so does the plan.
    const two = compare(shapes, 'query Cost($a: Int = 1, $b: ID = "2") { x: limited(first: $a) { nodes { id } } y: node(id: $b) { id } }', [{ a: null, b: null }]);
    expect(two).toEqual([{ refused: 'argument', message: 'Argument "id" of non-null type "ID!" must not be null.' }]);
    // A page too large after an argument that failed: the estimate reports the page, so does the plan.
    const page = compare(shapes, 'query Cost($n: Int = 5, $m: Int) { limited(first: $n) { nodes { id } } items(first: $m) { nodes { id } } }', [{ n: null, m: 101 }]);
    expect(page[0]).toMatchObject({ refused: 'page' });
  });

  it('agrees on hostile shapes: doubling fragment chains, aliases by the dozen, page sizes from variables, unions', () => {
    const chain = doublingChain(9, 'healthieUsers(first: $n)', 'HealthieUserConnection', 'nodes { id email }').replace('{ healthieUsers', 'query Cost($n: Int) { healthieUsers');
    const sizes = [{}, { n: null }, { n: 0 }, { n: -3 }, { n: 1 }, { n: 100 }, { n: 101 }, { n: 2.5 }, { n: 2 ** 31 }];
    compare(served, chain, sizes);
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: healthieAppointments(first: $n, last: $m, filter: "all") { nodes { id user { id } } }`).join(' ');
    compare(served, `query Cost($n: Int = 3, $m: Int) { ${aliases} }`, [...sizes, { n: 100, m: 1 }, { m: 101 }]);
    const entities = 'query Cost($r: [_Any!]!, $u: Boolean!) { _entities(representations: $r) { __typename ... on HealthieUser @include(if: $u) { id organization { id } } ... on HealthieAppointment { id provider { id } } } }';
    const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'HealthieUser', id: String(i) }));
    compare(served, entities, [{ r: refs(0), u: true }, { r: refs(20), u: true }, { r: refs(20), u: false }, { r: refs(300), u: true }, { r: {}, u: true }]);
    // References under conditions: left out only when a condition certainly leaves them out.
    const conditional =
      'query Cost($r: [_Any!]!, $c: Boolean!, $d: Boolean = false, $e: Boolean = true) { a: _entities(representations: $r) @include(if: $c) { __typename } ' +
      '... @skip(if: $e) { b: _entities(representations: $r) @include(if: $d) { __typename } } ... @include(if: false) { c: _entities(representations: [{ id: 1 }]) { __typename } } ' +
      '... @include(if: true) { d: _entities(representations: [{ id: 1 }, { id: 2 }]) @skip(if: $c) { __typename } } }';
    compare(served, conditional, [{ r: refs(300), c: false }, { r: refs(300), c: true }, { r: refs(300), c: false, e: false }, { r: refs(300), c: false, e: false, d: true }, { r: refs(300), c: false, e: null }]);
    const document = parse(conditional);
    const expanded = expandOperation(document, selectOperation(document)!);
    const count = compileReferenceCount(expanded);
    const coerced = (variables: Record<string, unknown>) => coerceVariables(served, selectOperation(document)!, variables);
    expect(count(coerced({ r: refs(300), c: false }))).toBe(2);
    expect(count(coerced({ r: refs(300), c: true }))).toBe(300);
    expect(count(coerced({ r: refs(300), c: false, e: false, d: true }))).toBe(302);
    // Sent as null, $e decides nothing: b counts unless $d leaves it out, and $d's default does.
    expect(count(coerced({ r: refs(300), c: false, e: null }))).toBe(2);
    expect(count(coerced({ r: refs(300), c: false, e: null, d: null }))).toBe(302);
  });

  it('reads only the variables the cost depends on', () => {
    const query = 'query Cost($r: [_Any!]!, $id: ID!, $k: String, $c: Boolean!) { _entities(representations: $r) { ... on HealthieUser { id } } healthieUser(id: $id) { id } healthieUsers(keywords: $k) @skip(if: $c) { nodes { id } } }';
    const document = parse(query);
    const plan = compileCostPlan(served, expandOperation(document, selectOperation(document)!));
    expect([...plan.reads].sort()).toEqual(['c', 'r']);
    const read = new Set<string | symbol>();
    const variables = new Proxy({ r: [{}, {}], id: '1', k: 'x', c: false } as Record<string, unknown>, {
      get: (target, key) => (read.add(key), target[key as string]),
      has: (target, key) => (read.add(key), key in target),
      getOwnPropertyDescriptor: (target, key) => (read.add(key), Object.getOwnPropertyDescriptor(target, key)),
    });
    expect(plan.cost(variables)).toBe(estimateCost(served, expandOperation(document, selectOperation(document)!), { r: [{}, {}], id: '1', k: 'x', c: false }));
    expect(read.has('id')).toBe(false);
  });

  it('folds an operation without variables into a number', () => {
    const document = parse('{ healthieUsers(first: 3) { nodes { id organization { id name } } } }');
    const plan = compileCostPlan(served, expandOperation(document, selectOperation(document)!));
    expect(plan.reads).toEqual([]);
    expect(plan.cost({})).toBe(1 + 3 * (1 + (2 + 1 + (2 + 2))));
  });
});

describe('operations the plan does not compile', () => {
  it('refuses to compile more selections than the estimate walks, or a document with fragments left', () => {
    const inline = `... on Query { ${'... on Query { '.repeat(40)}__typename${' }'.repeat(40)} }`;
    const wide = parse(`query Cost { ${Array.from({ length: 260 }, () => inline).join(' ')} }`);
    expect(() => compileCostPlan(served, wide)).toThrow(CostPlanError);
    expect(() => estimateCost(served, wide, {})).toThrow(/maximum allowed number of nodes/);
    expect(() => compileCostPlan(served, parse('{ healthieCurrentUser { ...F } } fragment F on HealthieUser { id }'))).toThrow(CostPlanError);
  });
});

/**
 * The cost estimate as a pure function, on small schemas of both shapes Healthie uses: lists
 * paged with `pageSize` (and `shouldPaginate`) and connections paged with `first` / `last`.
 */
import { buildSchema, parse, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateCost, PageSizeError, VariableCoercionError } from '../../src/plugins/cost.js';
import { HEALTHIE_MAX_PAGE_SIZE } from '../../src/healthie.js';
import { expandOperation, selectOperation } from '../../src/operation/expand.js';

const lists = buildSchema(`
  type Item { id: ID tags: [Tag] }
  type Tag { id: ID }
  type Query {
    items(pageSize: Int = 1000, offset: Int): [Item]
    appointments(pageSize: Int, shouldPaginate: Boolean = false): [Item]
    item(id: ID): Item
  }
`);

const connections = buildSchema(`
  type Item { id: ID }
  type ItemEdge { cursor: String node: Item }
  type PageInfo { has_next_page: Boolean end_cursor: String }
  type ItemConnection { nodes: [Item] edges: [ItemEdge] page_info: PageInfo total_count: Int }
  type Query { items(first: Int, after: String, last: Int, before: String): ItemConnection }
`);

function cost(schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  return estimateCost(schema, expandOperation(document, selectOperation(document)!), variables);
}

describe('page sizes, lists paged with pageSize', () => {
  // items { id }: 1 + n * (1 + 1)
  const itemsOf = (n: number) => 1 + n * 2;

  it('counts the page size sent', () => {
    expect(cost(lists, '{ items(pageSize: 7) { id } }')).toBe(itemsOf(7));
  });

  it("counts a size not sent as 100, whatever the schema's declared default", () => {
    expect(cost(lists, '{ items { id } }')).toBe(itemsOf(100));
  });

  for (const size of ['0', '-5', 'null']) {
    it(`counts pageSize: ${size} as 100, as Healthie does`, () => {
      expect(cost(lists, `{ items(pageSize: ${size}) { id } }`)).toBe(itemsOf(100));
    });
  }

  it(`refuses a page over ${HEALTHIE_MAX_PAGE_SIZE}, literal or from a variable, naming the maximum`, () => {
    expect(() => cost(lists, '{ items(pageSize: 101) { id } }')).toThrow(PageSizeError);
    expect(() => cost(lists, 'query($n: Int) { items(pageSize: $n) { id } }', { n: 100000 })).toThrow(/more than 100 items/);
  });

  it('takes sizes from variables, and a variable left unset as not sent', () => {
    expect(cost(lists, 'query($n: Int) { items(pageSize: $n) { id } }', { n: 3 })).toBe(itemsOf(3));
    expect(cost(lists, 'query($n: Int) { items(pageSize: $n) { id } }', {})).toBe(itemsOf(100));
    expect(cost(lists, 'query($n: Int = 4) { items(pageSize: $n) { id } }', {})).toBe(itemsOf(4));
  });

  it('counts a pageSize Healthie ignores (without shouldPaginate: true) as 100', () => {
    expect(cost(lists, '{ appointments(pageSize: 5) { id } }')).toBe(itemsOf(100));
    expect(cost(lists, '{ appointments(pageSize: 5, shouldPaginate: true) { id } }')).toBe(itemsOf(5));
    expect(cost(lists, 'query($p: Boolean) { appointments(pageSize: 5, shouldPaginate: $p) { id } }', { p: true })).toBe(itemsOf(5));
  });

  it('counts every alias, and lists that are not paged once per parent item', () => {
    expect(cost(lists, '{ a: items(pageSize: 0) { id } b: items(pageSize: 0) { id } }')).toBe(2 * itemsOf(100));
    // items(2) { tags { id } }: 1 + 2 * (1 + (2 + 1))
    expect(cost(lists, '{ items(pageSize: 2) { tags { id } } }')).toBe(1 + 2 * 4);
  });

  it('leaves variables that do not fit their types to execution (VariableCoercionError)', () => {
    expect(() => cost(lists, 'query($n: Int) { items(pageSize: $n) { id } }', { n: 'ten' })).toThrow(VariableCoercionError);
  });
});

describe('page sizes, connections paged with first / last', () => {
  it('multiplies the selection by first or last; nodes and edges count per item', () => {
    // items(first: 10) { nodes { id } }: 1 + 10 * (1 + (2 + 1))
    expect(cost(connections, '{ items(first: 10) { nodes { id } } }')).toBe(1 + 10 * 4);
    expect(cost(connections, '{ items(last: 10) { edges { node { id } } } }')).toBe(1 + 10 * (1 + (2 + (2 + 1))));
  });

  it('counts a connection without first or last, or with a size of 0 or null, as 100', () => {
    for (const args of ['', '(first: 0)', '(last: 0)', '(first: null)']) {
      expect(cost(connections, `{ items${args} { nodes { id } } }`)).toBe(1 + 100 * 4);
    }
  });

  it('refuses a negative first or last, literal or from a variable (default included), stating the rule, the value and the fix', () => {
    for (const [query, variables, message] of [
      ['{ items(first: -1) { nodes { id } } }', {}, 'first must be 0 or more (got -1) on items'],
      ['query($n: Int) { items(first: 3, last: $n) { nodes { id } } }', { n: -2147483648 }, 'last must be 0 or more (got -2147483648) on items'],
      ['query($n: Int = -5) { items(last: $n) { nodes { id } } }', {}, 'last must be 0 or more (got -5) on items'],
    ] as const) {
      let thrown: unknown;
      try {
        cost(connections, query, variables);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, query).toBeInstanceOf(PageSizeError);
      expect((thrown as PageSizeError).negative).toBe(true);
      expect((thrown as Error).message).toContain(message);
    }
  });

  it(`refuses first or last over ${HEALTHIE_MAX_PAGE_SIZE}, from a literal or a variable`, () => {
    expect(() => cost(connections, '{ items(first: 101) { nodes { id } } }')).toThrow(PageSizeError);
    expect(() => cost(connections, 'query($n: Int) { items(last: $n) { nodes { id } } }', { n: 5000 })).toThrow(PageSizeError);
  });
});

/**
 * Fragment expansion: the expanded operation equals the written one field for field, and its size
 * is known (and bounded) before anything is built, however the fragments spread each other.
 */
import { buildSchema, execute, parse, print, Kind, visit, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { doublingChain } from '../helpers/operations.js';
import { ExpansionLimitError, expandedFieldCount, expandedSelectionCount, expandOperation, MAX_EXPANDED_FIELDS, MAX_SELECTIONS_PER_FIELD, selectOperation } from '../../src/operation/expand.js';

const schema = buildSchema(`
  type User { id: ID name: String friends: [User] }
  type Query { me: User }
`);

function spreads(document: DocumentNode): number {
  let count = 0;
  visit(document, { FragmentSpread: () => void (count += 1), FragmentDefinition: () => void (count += 1) });
  return count;
}

describe('expandOperation', () => {
  it('inlines every fragment, keeping type conditions and the spread directives', () => {
    const document = parse(`
      query Q($with: Boolean!) { me { ...A friends { ...B @include(if: $with) } } }
      fragment A on User { id ...B }
      fragment B on User { name }
    `);
    const expanded = expandOperation(document, selectOperation(document)!);
    expect(spreads(expanded)).toBe(0);
    expect(expanded.definitions).toHaveLength(1);
    expect(print(expanded)).toContain('... on User @include(if: $with)');
    const root = { me: { id: '1', name: 'n', friends: [{ name: 'f' }] } };
    for (const variables of [{ with: true }, { with: false }]) {
      expect(execute({ schema, document: expanded, rootValue: root, variableValues: variables })).toEqual(
        execute({ schema, document, rootValue: root, variableValues: variables }),
      );
    }
  });

  it('counts fields once expanded: aliases and repeated spreads count each time', () => {
    const document = parse('{ a: me { ...A ...A } b: me { id } } fragment A on User { id name }');
    // a, b, 2 x (id name), id
    expect(expandedFieldCount(document, selectOperation(document)!)).toBe(7);
  });

  it('expands exactly MAX_EXPANDED_FIELDS fields and refuses one more', () => {
    const fields = (n: number) => parse(`{ me { ${Array.from({ length: n - 1 }, (_, i) => `f${i}: id`).join(' ')} } }`);
    const atLimit = fields(MAX_EXPANDED_FIELDS);
    expect(expandedFieldCount(atLimit, selectOperation(atLimit)!)).toBe(MAX_EXPANDED_FIELDS);
    expect(() => expandOperation(atLimit, selectOperation(atLimit)!)).not.toThrow();
    const over = fields(MAX_EXPANDED_FIELDS + 1);
    expect(() => expandOperation(over, selectOperation(over)!)).toThrow(ExpansionLimitError);
  });

  it('refuses a 30-level doubling chain (2^30 fields) from the fragment graph alone, without building it', () => {
    const document = parse(doublingChain(30, 'me', 'User'));
    expect(expandedFieldCount(document, selectOperation(document)!)).toBe(MAX_EXPANDED_FIELDS + 1);
    expect(() => expandOperation(document, selectOperation(document)!)).toThrow(/more than 2000 fields/);
  });

  it('refuses one field in 300 nested inline fragments spread 1024 times (8 KB, 300,000 nodes) from the fragment graph alone', () => {
    const nested = `${'... on User { '.repeat(300)}id${' }'.repeat(300)}`;
    const document = parse(doublingChain(10, 'me', 'User', nested));
    const operation = selectOperation(document)!;
    expect(expandedFieldCount(document, operation)).toBe(1025);
    const max = MAX_EXPANDED_FIELDS * MAX_SELECTIONS_PER_FIELD;
    expect(expandedSelectionCount(document, operation, max)).toBe(max + 1);
    expect(() => expandOperation(document, operation)).toThrow(new ExpansionLimitError(max, 'selections'));
    expect(() => expandOperation(document, operation)).toThrow(/more than 8000 selections \(fields and fragments\)/);
  });

  it('counts every selection once expanded: fields, inline fragments, and spreads (each becomes an inline fragment)', () => {
    const document = parse('{ me { ... on User { id } ...A ...A } } fragment A on User { name friends { id } }');
    // me, inline, id, 2 x (spread, name, friends, id)
    expect(expandedSelectionCount(document, selectOperation(document)!, 100)).toBe(11);
    const expanded = expandOperation(document, selectOperation(document)!);
    let nodes = 0;
    visit(expanded, { Field: () => void (nodes += 1), InlineFragment: () => void (nodes += 1) });
    expect(nodes).toBe(11);
  });

  it('expands a 10-level chain to its 1024 fields', () => {
    const document = parse(doublingChain(10, 'me', 'User'));
    const expanded = expandOperation(document, selectOperation(document)!);
    let ids = 0;
    visit(expanded, { Field: (node) => void (node.name.value === 'id' && (ids += 1)) });
    expect(ids).toBe(1024);
  });

  it('counts a fragment cycle or an unknown fragment as over the bound (fail closed)', () => {
    const cyclic = parse('{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A }');
    expect(expandedFieldCount(cyclic, selectOperation(cyclic)!)).toBe(MAX_EXPANDED_FIELDS + 1);
    const unknown = parse('{ me { ...Missing } }');
    expect(() => expandOperation(unknown, selectOperation(unknown)!)).toThrow(ExpansionLimitError);
  });

  it('selects the named operation, or the only one', () => {
    const document = parse('query A { me { id } } query B { me { name } }');
    expect(selectOperation(document)).toBeUndefined();
    expect(selectOperation(document, 'B')?.name?.value).toBe('B');
    const expanded = expandOperation(document, selectOperation(document, 'B')!);
    expect(expanded.definitions.every((d) => d.kind === Kind.OPERATION_DEFINITION)).toBe(true);
    expect(expanded.definitions).toHaveLength(1);
  });
});

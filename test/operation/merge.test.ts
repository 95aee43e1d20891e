/**
 * Merging the upstream operation's selections asks for the same answer in fewer bytes: executed
 * against one schema, the merged and the written operation answer exactly alike (keys in the same
 * order), on hand-written cases and on generated ones, while fragments that add nothing and
 * fields asked twice disappear from the text.
 */
import { buildSchema, execute, parse, print, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { mergeOperation } from '../../src/operation/merge.js';
import { random } from '../plan/generate.js';

const schema = buildSchema(`
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String tag(x: Int): String friend: User org: Org }
  type Org implements Node { id: ID! name: String owner: User }
  union Thing = User | Org
  type Query { me: User thing: Thing node: Node user(id: ID): User }
`);

/** A small world where every field answers, so that any dropped, added or moved key shows. */
function userValue(id: number, depth = 0): Record<string, unknown> {
  return {
    __typename: 'User',
    id: `u${id}`,
    name: `name${id}`,
    tag: ({ x }: { x?: number }) => `tag${id}-${x ?? 'none'}`,
    friend: depth < 4 ? () => userValue(id + 1, depth + 1) : null,
    org: depth < 4 ? () => ({ __typename: 'Org', id: `o${id}`, name: `org${id}`, owner: () => userValue(id + 7, depth + 1) }) : null,
  };
}
const rootValue = { me: () => userValue(1), thing: () => userValue(2), node: () => ({ __typename: 'Org', id: 'o9', name: 'org9', owner: () => userValue(9) }), user: ({ id }: { id?: string }) => userValue(Number(id ?? 3)) };

const merged = (document: DocumentNode): DocumentNode => ({ ...document, definitions: [mergeOperation(document.definitions[0] as OperationDefinitionNode)] });

/** Both documents' answers for every combination of the two condition variables. */
function answers(document: DocumentNode): string[] {
  return [true, false].flatMap((a) => [true, false].map((b) => JSON.stringify(execute({ schema, document, rootValue, variableValues: { a, b } }))));
}

describe('mergeOperation', () => {
  it('flattens inline fragments on the type they sit in and asks each field once per response key', () => {
    const document = parse(`{ me { __typename ... on User { __typename ... on User { __typename id ... on User { __typename id } } ... on User { __typename id } } } }`);
    const result = merged(document);
    expect(print(result)).toBe(print(parse('{ me { __typename ... on User { __typename id } } }')));
    expect(answers(result)).toEqual(answers(document));
  });

  it('merges the sub-selections of one field asked in several places, in the order execution answers them', () => {
    const document = parse('{ me { friend { id } name friend { name org { id } } friend { org { name } } } }');
    const result = merged(document);
    expect(print(result)).toBe(print(parse('{ me { friend { id name org { id name } } name } }')));
    expect(answers(result)).toEqual(answers(document));
  });

  it('keeps fields and fragments with directives as written, merging only inside them', () => {
    const document = parse('query($a: Boolean!) { me { id @include(if: $a) id ... @skip(if: $a) { name name } ... on User @include(if: $a) { name ... on User { name } } } }');
    const result = merged(document);
    expect(print(result)).toBe(print(parse('query($a: Boolean!) { me { id @include(if: $a) id ... @skip(if: $a) { name } ... on User @include(if: $a) { name } } }')));
  });

  it('drops directives that change nothing and merges what they held', () => {
    const document = parse('{ me { ... on User @include(if: true) { id ... @skip(if: false) { id name @include(if: true) } } name } }');
    const result = merged(document);
    expect(print(result)).toBe(print(parse('{ me { ... on User { id name } name } }')));
    expect(answers(result)).toEqual(answers(document));
  });

  it('does not merge a field across a selection of its key that may come first in the answer', () => {
    // With $a true, execution answers friend's keys in the order id, name, org: merging the two
    // plain occurrences around the conditional one would answer org before name.
    const document = parse('query($a: Boolean!, $b: Boolean!) { me { friend { id } friend @include(if: $a) { name } friend { org { id } } } me { ... @skip(if: $b) { friend { name } } friend { id } } }');
    const result = merged(document);
    expect(print(result)).toBe(
      print(parse('query($a: Boolean!, $b: Boolean!) { me { friend { id } friend @include(if: $a) { name } friend { org { id } } ... @skip(if: $b) { friend { name } } friend { id } } }')),
    );
    expect(answers(result)).toEqual(answers(document));
  });

  it('keeps apart fields of one name under different aliases or arguments, and fragments on other types', () => {
    const document = parse('{ me { a: tag(x: 1) b: tag(x: 2) tag a: tag(x: 1) } thing { ... on Org { id } ... on User { id } ... on Org { name } } }');
    const result = merged(document);
    expect(print(result)).toBe(print(parse('{ me { a: tag(x: 1) b: tag(x: 2) tag } thing { ... on Org { id } ... on User { id } ... on Org { name } } }')));
    expect(answers(result)).toEqual(answers(document));
  });

  it('merges adjacent fragments on one type, not fragments that other selections separate', () => {
    const document = parse('{ thing { ... on User { id } ... on User { name } __typename ... on User { friend { id } } } }');
    const result = merged(document);
    expect(print(result)).toBe(print(parse('{ thing { ... on User { id name } __typename ... on User { friend { id } } } }')));
    expect(answers(result)).toEqual(answers(document));
  });

  it('answers exactly as the written operation on generated operations with duplicates, fragments and conditions', () => {
    const { next, pick } = random(20260101);
    // Each response key stands for one field and its arguments (a key for two would make the
    // document invalid), and type conditions are only those that can apply here.
    const fieldsOf: Record<string, string[]> = {
      User: ['id', 'name', 't1: tag(x: 1)', 't2: tag(x: 2)', 'tag', 'friend', 'f2: friend', 'org'],
      Org: ['id', 'name', 'owner', 'o2: owner'],
    };
    const objectOf: Record<string, string> = { friend: 'User', org: 'Org', owner: 'User' };
    const conditions = ['', '', '', ' @include(if: $a)', ' @skip(if: $b)', ' @include(if: true)', ' @skip(if: true)'];
    const selection = (type: string, depth: number): string => {
      const parts: string[] = [];
      const count = 1 + Math.floor(next() * 4);
      for (let i = 0; i < count; i += 1) {
        if (next() < 0.35 && depth < 4) {
          const condition = pick([type, type, '', 'Node']);
          // On the interface only `id` is selectable; a fragment on the type inside it goes on.
          const inner = condition === 'Node' ? `id ... on ${type} { ${selection(type, depth + 1)} }` : selection(type, depth + 1);
          parts.push(`...${condition ? ` on ${condition}` : ''}${pick(conditions)} { ${inner} }`);
        } else {
          const field = pick(fieldsOf[type]!);
          const object = objectOf[field.replace(/^\w+: /, '').replace(/\(.*/, '')];
          const sub = object ? ` { ${depth < 4 ? selection(object, depth + 1) : 'id'} }` : '';
          parts.push(`${field}${pick(conditions)}${sub}`);
        }
      }
      return parts.join(' ');
    };
    let compared = 0;
    let shortened = 0;
    for (let i = 0; i < 120; i += 1) {
      const text = `query($a: Boolean!, $b: Boolean!) { me { ${selection('User', 0)} } x: me @include(if: $a) { id } y: me @skip(if: $b) { id } node { ... on User { id } ... on Org { ${selection('Org', 1)} } } }`;
      const document = parse(text);
      if (validate(schema, document).length > 0) continue;
      const result = merged(document);
      expect(answers(result), text).toEqual(answers(document));
      compared += 1;
      if (print(result).length < print(document).length) shortened += 1;
    }
    // The comparison is only worth something if many operations were valid and many changed.
    expect(compared).toBeGreaterThan(100);
    expect(shortened).toBeGreaterThan(compared / 2);
  });
});

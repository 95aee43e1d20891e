/**
 * Which variables a failed argument read blames: those sent as null where the argument's type
 * requires a value, found by the argument's type in the document it was read from; without that
 * type (or when the failure lies inside a scalar's own literal), every null inside the value.
 */
import { buildSchema, getArgumentValues, GraphQLError, Kind, parse, type FieldNode, type GraphQLScalarType, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { coerceVariables, variablesSentAsNull } from '../../src/operation/variables.js';

const schema = buildSchema(`
  scalar Strict
  input Pair { a: String b: String! c: [String!] d: [String] inner: Pair }
  type Query { pair(p: Pair, list: [Pair!]): String strict(s: Strict): String }
`);
// A scalar whose literal may not hold a null anywhere: its own reading fails, not a non-null position.
(schema.getType('Strict') as GraphQLScalarType).parseLiteral = (node, variables) => {
  if (node.kind === Kind.OBJECT && node.fields.some((f) => f.value.kind === Kind.VARIABLE && variables?.[f.value.name.value] === null)) throw new Error('null inside');
  return 'ok';
};

/** The error of reading the first root field's arguments of `query` with `variables`, and the variables as coerced. */
function failedRead(query: string, variables: Record<string, unknown>) {
  const document = parse(query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const coerced = coerceVariables(schema, operation, variables);
  const node = operation.selectionSet.selections[0] as FieldNode;
  const field = schema.getQueryType()!.getFields()[node.name.value]!;
  try {
    getArgumentValues(field, node, coerced);
  } catch (error) {
    return { error, coerced, document };
  }
  throw new Error(`reading ${query} did not fail`);
}

describe('variablesSentAsNull', () => {
  it('blames only the variables at a non-null position, in objects, lists and nested objects', () => {
    const cases = [
      ['query($n: String, $m: String = "y") { pair(p: { a: $n, b: $m }) }', { n: null, m: null }, ['m']],
      ['query($n: String, $m: String = "y", $k: String = "z") { pair(p: { b: "x", d: [$n], c: [$m], inner: { a: $n, b: $k } }) }', { n: null, m: null, k: null }, ['m', 'k']],
      ['query($p: Pair = { b: "x" }, $n: String) { pair(list: [{ b: "x", a: $n }, $p]) }', { p: null, n: null }, ['p']],
    ] as const;
    for (const [query, variables, blamed] of cases) {
      const { error, coerced, document } = failedRead(query, variables);
      expect(variablesSentAsNull(error, coerced, schema, document), query).toEqual(blamed);
    }
  });

  it('blames every null inside the value when the argument cannot be found in the document, or its scalar refused the null itself', () => {
    const { error, coerced } = failedRead('query($n: String, $m: String = "y") { pair(p: { a: $n, b: $m }) }', { n: null, m: null });
    expect(variablesSentAsNull(error, coerced)).toEqual(['n', 'm']);
    expect(variablesSentAsNull(error, coerced, schema, parse('{ pair(p: { b: "other" }) }'))).toEqual(['n', 'm']);
    const scalar = failedRead('query($n: String) { strict(s: { a: $n }) }', { n: null });
    expect(variablesSentAsNull(scalar.error, scalar.coerced, schema, scalar.document)).toEqual(['n']);
  });

  it('blames nothing for an error that is not a failed read of a value holding a null', () => {
    const { coerced, document } = failedRead('query($n: String, $m: String = "y") { pair(p: { a: $n, b: $m }) }', { n: null, m: null });
    expect(variablesSentAsNull(new Error('broken'), coerced, schema, document)).toEqual([]);
    expect(variablesSentAsNull(new GraphQLError('no node'), coerced, schema, document)).toEqual([]);
    expect(variablesSentAsNull(new GraphQLError('wrapped', { originalError: new Error('x') }), coerced, schema, document)).toEqual([]);
  });
});

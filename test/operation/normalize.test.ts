/**
 * What goes to Healthie is the normalized operation: one operation, no fragment definitions or
 * spreads, bounded in size.
 */
import { parse, print, visit } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ExpansionLimitError } from '../../src/operation/expand.js';
import { MAX_UPSTREAM_FIELDS, upstreamOperation } from '../../src/operation/normalize.js';
import { doublingChain } from '../helpers/operations.js';

describe('upstreamOperation', () => {
  it('returns the operation alone with its fragments inlined', () => {
    const document = parse('query Q { currentUser { ...U } } fragment U on User { id first_name }');
    const normalized = upstreamOperation(document, 'Q');
    let spreadsOrDefinitions = 0;
    visit(normalized, { FragmentSpread: () => void spreadsOrDefinitions++, FragmentDefinition: () => void spreadsOrDefinitions++ });
    expect(spreadsOrDefinitions).toBe(0);
    expect(print(normalized)).toMatch(/currentUser \{\s+\.\.\. on User \{\s+id\s+first_name/);
  });

  it(`refuses a document of more than ${MAX_UPSTREAM_FIELDS} fields once expanded`, () => {
    expect(() => upstreamOperation(parse(doublingChain(13, 'currentUser', 'User')))).toThrow(ExpansionLimitError);
    expect(() => upstreamOperation(parse(doublingChain(12, 'currentUser', 'User')))).not.toThrow();
  });

  it('refuses a document without a single operation to send', () => {
    expect(() => upstreamOperation(parse('query A { a } query B { b }'))).toThrow(/no single operation/);
  });
});

/**
 * What goes to Healthie is the normalized operation: one operation, no fragment definitions or
 * spreads, its selections merged, bounded in size; so its size follows the work it asks for on
 * every path, the planned one, delegation, and delegation forced by a federated trace.
 */
import { Kind, parse, print, visit, type SelectionSetNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ExpansionLimitError } from '../../src/operation/expand.js';
import { MAX_UPSTREAM_FIELDS, normalizedOnce, upstreamOperation } from '../../src/operation/normalize.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { doublingChain, wrappedDoublingChain } from '../helpers/operations.js';
import { bothPaths, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const TRACE = { 'apollo-federation-include-trace': 'ftv1' };

describe('upstreamOperation', () => {
  it('returns the operation alone with its fragments inlined', () => {
    const document = parse('query Q { currentUser { ...U } } fragment U on User { id first_name }');
    const normalized = upstreamOperation(document, 'Q');
    let spreadsOrDefinitions = 0;
    visit(normalized, { FragmentSpread: () => void spreadsOrDefinitions++, FragmentDefinition: () => void spreadsOrDefinitions++ });
    expect(spreadsOrDefinitions).toBe(0);
    expect(print(normalized)).toMatch(/currentUser \{\s+\.\.\. on User \{\s+id\s+first_name/);
  });

  it('sends a chain of fragments spreading each other once, not once per spread and level', () => {
    // The document graphql-tools builds from a wrapped doubling chain: a `__typename` in every
    // selection set, the client's fragments as written.
    const client = parse(wrappedDoublingChain(60, 10, 'currentUser', 'User'));
    const typename = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } } as const;
    const withTypename = <T extends { selectionSet?: SelectionSetNode | undefined }>(node: T): T =>
      node.selectionSet ? { ...node, selectionSet: { ...node.selectionSet, selections: [typename, ...node.selectionSet.selections] } } : node;
    const delegated = visit(client, { Field: { leave: withTypename }, FragmentDefinition: { leave: withTypename } });
    const { query } = normalizedOnce(delegated, 'Amplified');
    expect(query).toBe(print(parse('query Amplified { currentUser { __typename ... on User { __typename id } } }')));
  });

  it(`refuses a document of more than ${MAX_UPSTREAM_FIELDS} fields once expanded, counted before fields are merged`, () => {
    // 8192 copies of one field merge into one; the bound still counts what was written.
    expect(() => upstreamOperation(parse(doublingChain(13, 'currentUser', 'User')))).toThrow(ExpansionLimitError);
    expect(() => upstreamOperation(parse(doublingChain(12, 'currentUser', 'User')))).not.toThrow();
  });

  it('refuses a document without a single operation to send', () => {
    expect(() => upstreamOperation(parse('query A { a } query B { b }'))).toThrow(/no single operation/);
  });
});

describe('the text Healthie receives, through HTTP on both paths', () => {
  const paths = bothPaths();
  /** Both subgraphs share the planned stack's sandbox: its record holds every request either sent. */
  async function sent(stack: Stack, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
    const sandbox = paths.planned.sandbox;
    sandbox.clearRequests();
    const response = await stack.query(query, variables, { ...auth, ...headers });
    expect(response.body.errors).toBeUndefined();
    expect(sandbox.requests).toHaveLength(1);
    return { data: response.body.data, bytes: Number(sandbox.requests[0]!.headers['content-length']) };
  }

  it('answers a 4 KB chain of 60 wrapper and 10 doubling fragments alike on every path, in a few hundred bytes to Healthie', async () => {
    const query = wrappedDoublingChain(60, 10);
    const planned = await sent(paths.planned, query, {});
    const delegated = await sent(paths.delegated, query, {});
    const traced = await sent(paths.planned, query, {}, TRACE);
    expect(planned.data).toEqual({ healthieCurrentUser: { id: '1001' } });
    expect(delegated.data).toEqual(planned.data);
    expect(traced.data).toEqual(planned.data);
    // Inlined as written, the delegation path sent over 1 MB here (Healthie answered 413), and
    // the planned path 8 KB of 1,024 `id`s, which Healthie's validation gave up on.
    expect(planned.bytes).toBeLessThan(200);
    expect(delegated.bytes).toBeLessThanOrEqual(planned.bytes * 3);
    expect(traced.bytes).toBeLessThanOrEqual(planned.bytes * 3);
  });

  it('answers the same chain under _entities alike on both paths, in a few hundred bytes to Healthie', async () => {
    const query = wrappedDoublingChain(60, 10).replace(
      'query Amplified { healthieCurrentUser { ...Wrapper0 } }',
      'query Amplified($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { ...Wrapper0 } } }',
    );
    const variables = { r: [{ __typename: 'HealthieUser', id: '1001' }] };
    const planned = await sent(paths.planned, query, variables);
    const delegated = await sent(paths.delegated, query, variables);
    expect(planned.data).toEqual({ _entities: [{ id: '1001' }] });
    expect(delegated.data).toEqual(planned.data);
    expect(planned.bytes).toBeLessThan(200);
    expect(delegated.bytes).toBeLessThanOrEqual(planned.bytes * 3);
  });
});

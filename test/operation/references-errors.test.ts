/**
 * Entity references under conditions that are not certain to leave them out still count: the
 * limit fails closed. Each request here is built to slip references past the count (a condition
 * that keeps them, a variable sent as null or as another type, a default overridden, the same
 * response key asked twice) and is refused on both paths before anything reaches Healthie.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { MAX_ENTITY_REFERENCES } from '../../src/subgraph/representations.js';
import { bothPaths } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'HealthieUser', id: String(1000 + (i % 60)) }));
const OVER = MAX_ENTITY_REFERENCES + 1;
const ENTITIES = '{ ... on HealthieUser { id } }';

describe('entity references under conditions that may run them', () => {
  const paths = bothPaths();

  /** Refused with `code` on both paths, nothing sent to Healthie (both subgraphs send to the planned one's sandbox). */
  async function refused(query: string, variables: Record<string, unknown>, code = 'QUERY_TOO_COMPLEX') {
    for (const [path, stack] of [['planned', paths.planned], ['delegated', paths.delegated]] as const) {
      paths.planned.sandbox.clearRequests();
      const result = await stack.query(query, variables, auth);
      expect(result.body.errors?.map((e) => e.extensions?.code), `${path}: ${query} ${JSON.stringify(Object.keys(variables))}`).toEqual([code]);
      if (code === 'QUERY_TOO_COMPLEX') expect(result.body.errors?.[0]?.message, path).toContain(`${OVER} entity references`);
      expect(result.body.data ?? null, path).toBeNull();
      expect(paths.planned.sandbox.requests, path).toHaveLength(0);
    }
  }

  it(`refuses ${OVER} references under a condition that keeps them: a literal, a variable sent so, a default, or the other directive`, async () => {
    await refused(`query($r: [_Any!]!) { _entities(representations: $r) @include(if: true) ${ENTITIES} }`, { r: refs(OVER) });
    await refused(`query($r: [_Any!]!) { _entities(representations: $r) @skip(if: false) ${ENTITIES} }`, { r: refs(OVER) });
    await refused(`query($r: [_Any!]!, $c: Boolean!) { _entities(representations: $r) @include(if: $c) ${ENTITIES} }`, { r: refs(OVER), c: true });
    await refused(`query($r: [_Any!]!, $c: Boolean = true) { _entities(representations: $r) @include(if: $c) ${ENTITIES} }`, { r: refs(OVER) });
    // A default that would leave them out, overridden by the value sent.
    await refused(`query($r: [_Any!]!, $s: Boolean = true) { _entities(representations: $r) @skip(if: $s) ${ENTITIES} }`, { r: refs(OVER), s: false });
  });

  it('counts references whose condition is a variable sent as null, although its default would leave them out', async () => {
    await refused(`query($r: [_Any!]!, $s: Boolean = true) { _entities(representations: $r) @skip(if: $s) ${ENTITIES} }`, { r: refs(OVER), s: null });
  });

  it('leaves a condition sent as another type, or a required one left out, to BAD_USER_INPUT, sending nothing', async () => {
    await refused(`query($r: [_Any!]!, $c: Boolean!) { _entities(representations: $r) @include(if: $c) ${ENTITIES} }`, { r: refs(OVER), c: 'false' }, 'BAD_USER_INPUT');
    await refused(`query($r: [_Any!]!, $c: Boolean!) { _entities(representations: $r) @include(if: $c) ${ENTITIES} }`, { r: refs(OVER) }, 'BAD_USER_INPUT');
  });

  it('counts the references of a response key asked twice, once left out and once not', async () => {
    await refused(`query($r: [_Any!]!) { a: _entities(representations: $r) @include(if: false) ${ENTITIES} a: _entities(representations: $r) ${ENTITIES} }`, { r: refs(OVER) });
  });

  it('counts references under a fragment kept, inside one left out only for another branch', async () => {
    await refused(
      `query($r: [_Any!]!, $a: Boolean!, $b: Boolean!) { ...F @include(if: $a) ... @skip(if: $b) { ...F } } fragment F on Query { _entities(representations: $r) ${ENTITIES} }`,
      { r: refs(OVER), a: false, b: false },
    );
    // Literal representations count as written, under a fragment condition that keeps them
    // (short ones, within the token limit: they are counted before any is read).
    const literal = `[${'{ id: 1 } '.repeat(OVER)}]`;
    await refused(`query($c: Boolean = false) { ... @include(if: true) { _entities(representations: ${literal}) @skip(if: $c) ${ENTITIES} } }`, {});
  });
});

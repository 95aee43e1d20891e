/**
 * The planned path orders response keys as execution does on the delegation path: by each key's
 * first occurrence that the request's variables include, so a root key whose first occurrence is
 * skipped comes after the keys included before its next one. The order of the keys is compared
 * as sent (JSON text), which a deep equality would not see.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { bothPaths, post } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

describe('order of the keys of a planned answer', () => {
  const paths = bothPaths();

  /** Both paths' data, as JSON text, once the planned path is shown to have answered. */
  async function texts(query: string, variables: Record<string, unknown>) {
    const before = paths.planned.server.planStats().planned;
    const [viaPlan, viaDelegation] = await Promise.all([post(paths.planned.url, query, variables, auth), post(paths.delegated.url, query, variables, auth)]);
    expect(paths.planned.server.planStats().planned - before, query).toBe(1);
    expect(viaPlan.body.errors, query).toBeUndefined();
    return { planned: JSON.stringify(viaPlan.body.data), delegated: JSON.stringify(viaDelegation.body.data) };
  }

  /** Name, query, variables leaving the first occurrences out, and the root keys then and otherwise. */
  const cases: Array<[string, string, boolean, string[], string[]]> = [
    ['a skipped first occurrence', 'query($c: Boolean!) { healthieCurrentUser @skip(if: $c) { id } __typename healthieCurrentUser { firstName } }', true, ['__typename', 'healthieCurrentUser'], ['healthieCurrentUser', '__typename']],
    [
      'a skipped fragment holding the first occurrences',
      'query($c: Boolean!) { ... @skip(if: $c) { me: healthieCurrentUser { id } t: __typename } __typename me: healthieCurrentUser { firstName } t: __typename }',
      true,
      ['__typename', 'me', 't'],
      ['me', 't', '__typename'],
    ],
    [
      'excluded first occurrences',
      'query($c: Boolean!) { me: healthieCurrentUser @include(if: $c) { id } n: healthieUsers(first: 1) { totalCount } __typename @include(if: $c) me: healthieCurrentUser { firstName } __typename }',
      false,
      ['n', 'me', '__typename'],
      ['me', 'n', '__typename'],
    ],
  ];
  for (const [name, query, leftOut, whenLeftOut, otherwise] of cases) {
    it(`orders root keys by their first included occurrence, as delegation does (${name})`, async () => {
      for (const [c, keys] of [[leftOut, whenLeftOut], [!leftOut, otherwise]] as const) {
        const answer = await texts(query, { c });
        expect(answer.planned, `c: ${c}`).toBe(answer.delegated);
        expect(Object.keys(JSON.parse(answer.planned)), `c: ${c}`).toEqual(keys);
      }
    });
  }
});

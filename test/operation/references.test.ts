/**
 * Entity references under `@include`/`@skip`: representations of an `_entities` field a condition
 * certainly leaves out (a literal, a variable sent as a boolean, a boolean default) are never
 * executed, so they do not count against the limit; the request is answered on both paths, and
 * nothing of the field left out reaches Healthie.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { MAX_ENTITY_REFERENCES } from '../../src/subgraph/representations.js';
import { bothPaths } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const refs = (n: number, from = 1000) => Array.from({ length: n }, (_, i) => ({ __typename: 'HealthieUser', id: String(from + (i % 60)) }));
const OVER = MAX_ENTITY_REFERENCES + 50;
const ME = 'me: healthieCurrentUser { id }';
const ENTITIES = '{ ... on HealthieUser { id } }';

describe('entity references a condition leaves out', () => {
  const paths = bothPaths();
  const stacks = () => [['planned', paths.planned], ['delegated', paths.delegated]] as const;
  // Both subgraphs send to the planned one's sandbox.
  const sandbox = () => paths.planned.sandbox;

  /** Answered with `me` alone, and no Healthie request for a user lookup. */
  async function answeredWithoutEntities(query: string, variables: Record<string, unknown>) {
    for (const [path, stack] of stacks()) {
      sandbox().clearRequests();
      const result = await stack.query(query, variables, auth);
      expect(result.body, `${path}: ${query}`).toEqual({ data: { me: { id: expect.any(String) } } });
      expect(sandbox().requests.map((r) => r.query).join('\n'), path).not.toMatch(/\buser\(/);
    }
  }

  it(`answers ${OVER} representations under @include(if: false) or @skip(if: true), sending none`, async () => {
    await answeredWithoutEntities(`query($r: [_Any!]!) { ${ME} _entities(representations: $r) @include(if: false) ${ENTITIES} }`, { r: refs(OVER) });
    await answeredWithoutEntities(`query($r: [_Any!]!) { ${ME} big: _entities(representations: $r) @skip(if: true) ${ENTITIES} }`, { r: refs(OVER) });
  });

  it('answers them under a variable sent as the boolean that leaves them out, or a boolean default', async () => {
    await answeredWithoutEntities(`query($r: [_Any!]!, $c: Boolean!) { ${ME} _entities(representations: $r) @include(if: $c) ${ENTITIES} }`, { r: refs(OVER), c: false });
    await answeredWithoutEntities(`query($r: [_Any!]!, $s: Boolean = true) { ${ME} _entities(representations: $r) @skip(if: $s) ${ENTITIES} }`, { r: refs(OVER) });
  });

  it('answers them inside a named fragment or nested inline fragments whose condition leaves them out', async () => {
    await answeredWithoutEntities(
      `query($r: [_Any!]!, $c: Boolean!) { ${ME} ...Refs @include(if: $c) } fragment Refs on Query { a: _entities(representations: $r) ${ENTITIES} b: _entities(representations: $r) ${ENTITIES} }`,
      { r: refs(OVER), c: false },
    );
    await answeredWithoutEntities(
      `query($r: [_Any!]!, $s: Boolean!) { ${ME} ... @include(if: true) { ... on Query @skip(if: $s) { _entities(representations: $r) ${ENTITIES} } } }`,
      { r: refs(OVER), s: true },
    );
  });

  it(`counts only the references that may run: ${OVER} left out beside 200 included are answered, the 200 fetched`, async () => {
    const query = `query($r: [_Any!]!, $few: [_Any!]!, $c: Boolean!) { left: _entities(representations: $r) @include(if: $c) ${ENTITIES} kept: _entities(representations: $few) ${ENTITIES} }`;
    for (const [path, stack] of stacks()) {
      sandbox().clearRequests();
      const result = await stack.query(query, { r: refs(OVER, 5000), few: refs(200), c: false }, auth);
      expect(result.body.errors, path).toBeUndefined();
      expect(result.body.data, path).not.toHaveProperty('left');
      expect((result.body.data!.kept as unknown[]).length, path).toBe(200);
      // Only the 60 distinct ids of the references kept reach Healthie, none of those left out.
      const sent = sandbox().requests.map((r) => `${r.query} ${JSON.stringify(r.variables ?? {})}`).join('\n');
      expect(sent, path).not.toMatch(/50\d\d/);
      expect(sent, path).toMatch(/1059/);
    }
  });
});

/**
 * `_entities` guard: malformed representations fail only their own item with BAD_USER_INPUT, and
 * one request resolves at most MAX_ENTITY_REFERENCES references, however the query is shaped.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { MAX_ENTITY_REFERENCES } from '../../src/subgraph/representations.js';
import { bothPaths, startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id } } }';
const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'HealthieUser', id: String(1000 + (i % 60)) }));

describe('entity representations', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sandbox: { rateLimit: { requests: 10_000, windowMs: 60_000 } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it(`refuses more than ${MAX_ENTITY_REFERENCES} references with QUERY_TOO_COMPLEX and no upstream call`, async () => {
    const result = await stack.query(ENTITIES, { r: refs(MAX_ENTITY_REFERENCES + 1) }, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.body.errors?.[0]?.message).toContain(String(MAX_ENTITY_REFERENCES));
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it(`resolves exactly ${MAX_ENTITY_REFERENCES} references`, async () => {
    const result = await stack.query(ENTITIES, { r: refs(MAX_ENTITY_REFERENCES) }, auth);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!._entities).toHaveLength(MAX_ENTITY_REFERENCES);
  });

  it('counts references across aliased _entities fields and variable defaults', async () => {
    const list = JSON.stringify(refs(130)).replace(/"(__typename|id)":/g, '$1:');
    const aliases = Array.from({ length: 2 }, (_, i) => `a${i}: _entities(representations: $r) { __typename }`).join('\n');
    const result = await stack.query(`query($r: [_Any!]! = ${list}) { ${aliases} }`, undefined, auth);
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(result.body.errors?.[0]?.message).toContain('260 entity references');
    // Counted from the representations sent, before the first reference is fetched.
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('answers each malformed representation with BAD_USER_INPUT and resolves the others', async () => {
    const result = await stack.query(
      ENTITIES,
      {
        r: [
          { __typename: 'HealthieUser', id: '1001' },
          { __typename: 'HealthieUser' },
          { __typename: 'HealthieUser', id: { $ne: 1 } },
          { __typename: 'Nope', id: '1' },
          { __typename: 'HealthieOrganization', id: '1000' },
          { id: '1002' },
          { __typename: 'HealthieUser', id: 1002 },
        ],
      },
      auth,
    );
    const entities = result.body.data!._entities;
    expect(entities).toEqual([{ id: '1001' }, null, null, null, null, null, { id: '1002' }]);
    const errors = result.body.errors ?? [];
    expect(errors.map((e) => e.path)).toEqual([1, 2, 3, 4, 5].map((i) => ['_entities', i]));
    expect(errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
    expect(errors[2]!.message).toContain('"__typename" must be HealthieUser or HealthieAppointment');
    expect(stack.sandbox.requests).toHaveLength(1);
  });
});

describe('representation ids as strings and as whole numbers', () => {
  const paths = bothPaths();

  /** The answer of each path to a body written as text, and what the shared sandbox received. */
  async function eachPath(body: string) {
    const answers: Array<{ path: string; data: unknown; errors: unknown; sent: string }> = [];
    for (const [path, stack] of [['planned', paths.planned], ['delegated', paths.delegated]] as const) {
      paths.planned.sandbox.clearRequests(); // both subgraphs send to it
      const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body });
      const { data, errors } = (await response.json()) as { data?: unknown; errors?: unknown };
      answers.push({ path, data, errors, sent: paths.planned.sandbox.requests.map((r) => `${r.query} ${JSON.stringify(r.variables ?? {})}`).join('\n') });
    }
    return answers;
  }
  const body = (ids: string) => `{"query":${JSON.stringify(ENTITIES)},"variables":{"r":[${ids}]}}`;

  it('sends string ids to Healthie exactly as sent, however long', async () => {
    for (const answer of await eachPath(body('{"__typename":"HealthieUser","id":"1001"},{"__typename":"HealthieUser","id":"12345678901234567890"}'))) {
      expect(answer.errors, answer.path).toBeUndefined();
      expect(answer.data, answer.path).toEqual({ _entities: [{ id: '1001' }, null] });
      expect(answer.sent, answer.path).toContain('12345678901234567890');
    }
  });

  it('reads whole numbers JSON reads exactly as the ids they are, in any notation, negative ones included', async () => {
    for (const answer of await eachPath(body('{"__typename":"HealthieUser","id":1001},{"__typename":"HealthieUser","id":1.002e3},{"__typename":"HealthieUser","id":-5},{"__typename":"HealthieUser","id":9007199254740991}'))) {
      expect(answer.errors, answer.path).toBeUndefined();
      expect(answer.data, answer.path).toEqual({ _entities: [{ id: '1001' }, { id: '1002' }, null, null] });
      expect(answer.sent, answer.path).toMatch(/"-5"/);
      expect(answer.sent, answer.path).toMatch(/"9007199254740991"/);
    }
  });
});

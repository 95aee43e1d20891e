/**
 * Entity representations whose `id` is a JSON number JSON cannot read exactly (above 2^53 − 1 in
 * size, where digits are lost) or that is no whole number: each is refused as BAD_USER_INPUT at
 * its own index, saying the rule, the kind of number and to send the id as a string, on both
 * paths; its id (as sent, or as read) is never sent to Healthie nor written to the log.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { bothPaths, type GraphQLResponse, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id firstName } } }';
const RULE = 'A HealthieUser representation\'s "id" must be a string, or a whole number of at most 2^53 − 1 (9007199254740991) in size, so that it is read as sent;';
const FIX = 'Send the id as a string, such as { "__typename": "HealthieUser", "id": "123" }.';

/** Posts a body written as text: numbers JSON.stringify cannot write reach the server as sent. */
async function postText(stack: Stack, body: string): Promise<GraphQLResponse> {
  const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body });
  return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
}

const withIds = (...ids: string[]) =>
  `{"query":${JSON.stringify(ENTITIES)},"variables":{"r":[${ids.map((id) => `{"__typename":"HealthieUser","id":${id}}`).join(',')}]}}`;

describe('numeric representation ids JSON cannot read exactly', () => {
  const paths = bothPaths();
  const stacks = () => [['planned', paths.planned], ['delegated', paths.delegated]] as const;
  // Both subgraphs send to the planned one's sandbox.
  const sent = () => paths.planned.sandbox.requests.map((r) => `${r.query} ${JSON.stringify(r.variables ?? {})}`).join('\n');

  const KINDS: ReadonlyArray<readonly [string, string, string]> = [
    ['12345678901234567890', 'larger than 2^53 − 1 in size, which JSON reads with digits lost, so another id would be fetched.', '12345678901234567000'],
    ['9007199254740993', 'larger than 2^53 − 1 in size, which JSON reads with digits lost, so another id would be fetched.', '9007199254740992'],
    ['-12345678901234567890', 'larger than 2^53 − 1 in size, which JSON reads with digits lost, so another id would be fetched.', '-12345678901234567000'],
    ['1.2345678901234567e19', 'larger than 2^53 − 1 in size, which JSON reads with digits lost, so another id would be fetched.', '12345678901234567000'],
    ['1001.5', 'with a fraction, which no id has.', '1001.5'],
    ['1e-3', 'with a fraction, which no id has.', '0.001'],
    ['1e400', 'too large to be read at all.', 'Infinity'],
  ];

  it('refuses each with BAD_USER_INPUT at its index stating the rule, the kind of number and the fix, sending nothing, on both paths', async () => {
    for (const [path, stack] of stacks()) {
      for (const [id, kind, read] of KINDS) {
        paths.planned.sandbox.clearRequests();
        const result = await postText(stack, withIds(id));
        expect(result.body.data, `${path} ${id}`).toEqual({ _entities: [null] });
        expect(result.body.errors?.map((e) => [e.path, e.extensions?.code]), `${path} ${id}`).toEqual([[['_entities', 0], 'BAD_USER_INPUT']]);
        expect(result.body.errors?.[0]?.message, `${path} ${id}`).toBe(`${RULE} this one is a number ${kind} ${FIX}`);
        expect(result.body.errors?.[0]?.message).not.toContain(read);
        expect(paths.planned.sandbox.requests, `${path} ${id}`).toHaveLength(0);
      }
    }
  });

  it('refuses one written as a literal in the document alike', async () => {
    for (const [path, stack] of stacks()) {
      paths.planned.sandbox.clearRequests();
      const result = await stack.query('{ _entities(representations: [{ __typename: "HealthieUser", id: 12345678901234567890 }, { __typename: "HealthieUser", id: 1001.5 }]) { ... on HealthieUser { id } } }', undefined, auth);
      expect(result.body.data, path).toEqual({ _entities: [null, null] });
      expect(result.body.errors?.map((e) => e.message.match(/this one is a number (larger|with a fraction)/)?.[1]), path).toEqual(['larger', 'with a fraction']);
      expect(paths.planned.sandbox.requests, path).toHaveLength(0);
    }
  });

  it('answers the references beside it, sending only their ids', async () => {
    for (const [path, stack] of stacks()) {
      paths.planned.sandbox.clearRequests();
      const result = await postText(stack, withIds('"1001"', '12345678901234567890', '1002'));
      expect(result.body.data?._entities, path).toEqual([{ id: '1001', firstName: expect.any(String) }, null, { id: '1002', firstName: expect.any(String) }]);
      expect(result.body.errors?.map((e) => e.path), path).toEqual([['_entities', 1]]);
      expect(sent(), path).toMatch(/1001[\s\S]*1002|1002[\s\S]*1001/);
      expect(sent(), path).not.toMatch(/1234567890123456/);
    }
  });

  it('writes neither the id sent nor the id read to the log', async () => {
    for (const [path, stack] of stacks()) {
      const before = stack.logs.length;
      await postText(stack, withIds('12345678901234567890'));
      const logged = stack.logs.slice(before).join('\n');
      expect(logged.length, path).toBeGreaterThan(0);
      expect(logged, path).not.toContain('12345678901234567890');
      expect(logged, path).not.toContain('12345678901234567000');
      expect(logged, path).not.toContain('1.2345678901234567e+19');
    }
  });
});

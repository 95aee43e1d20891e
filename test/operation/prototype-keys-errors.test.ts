/**
 * `__proto__` as an alias or a variable name is refused at validation on both paths, and nothing
 * is sent: on JavaScript objects that name is the prototype, not a key, so a variable's value was
 * checked but never sent (the cost limit passed operations over it), and an alias of a field
 * Healthie failed broke the planned path's process for every later request.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { bothPaths, errorLines, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const PAGE = 'nodes { id firstName lastName email dob organization { id name } }';

describe('__proto__ as an alias or a variable name', () => {
  const paths = bothPaths();
  const each = (test: (stack: Stack, path: string) => Promise<void>) => async () => {
    for (const [path, stack] of Object.entries(paths)) await test(stack, path);
  };

  const aliases = [
    ['a root field Healthie fails with data: null', '{ __proto__: healthieUsers(first: 1, after: "not-a-cursor") { nodes { id } totalCount } }'],
    ['a root field beside the root __typename', '{ t: __typename __proto__: healthieCurrentUser { id } }'],
    ['a nested field', '{ healthieCurrentUser { id __proto__: organization { name } } }'],
    ['a field of an entity', '{ _entities(representations: [{ __typename: "HealthieUser", id: "1001" }]) { ... on HealthieUser { __proto__: firstName } } }'],
  ] as const;
  for (const [where, query] of aliases) {
    it(
      `refuses the alias on ${where}, sends nothing, and keeps answering`,
      each(async (stack, path) => {
        const sent = stack.sandbox.requests.length;
        const result = await stack.query(query, undefined, auth);
        expect(result.status, path).toBe(400);
        expect(result.body.errors?.map((e) => e.extensions?.code), path).toEqual(['GRAPHQL_VALIDATION_FAILED']);
        expect(result.body.errors![0]!.message).toMatch(/^The alias "__proto__" is refused: JavaScript reads and writes that name as an object's prototype, not as a key, .* Choose another alias\.$/);
        expect(stack.sandbox.requests.length, path).toBe(sent);
        expect(Object.keys(Object.prototype), path).toEqual([]);
        const after = await stack.query('{ healthieCurrentUser { id } }', undefined, auth);
        expect(after.body, path).toEqual({ data: { healthieCurrentUser: { id: '1001' } } });
        expect(errorLines(stack.logs), path).toEqual([]);
      }),
    );
  }

  it(
    'refuses the variable name, so a page size the cost check read cannot be left out of what Healthie runs',
    each(async (stack, path) => {
      const query = `query($__proto__: Int) { a: healthieUsers(first: $__proto__) { ${PAGE} } b: healthieUsers(first: $__proto__) { ${PAGE} } c: healthieUsers(first: $__proto__) { ${PAGE} } }`;
      const sent = stack.sandbox.requests.length;
      // Own key, as JSON.parse reads it from a request body.
      const result = await stack.query(query, JSON.parse('{"__proto__": 1}') as Record<string, unknown>, auth);
      expect(result.status, path).toBe(400);
      expect(result.body.errors?.map((e) => e.extensions?.code), path).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(result.body.errors![0]!.message).toMatch(/^The variable name "\$__proto__" is refused: .* Choose another variable name\.$/);
      expect(stack.sandbox.requests.length, path).toBe(sent);
    }),
  );

  it(
    'refuses the variable name in a booking too, and books nothing',
    each(async (stack, path) => {
      const query = 'mutation($__proto__: HealthieCreateAppointmentInput!) { healthieCreateAppointment(input: $__proto__) { appointment { id } } }';
      const sent = stack.sandbox.requests.length;
      const result = await stack.query(query, JSON.parse('{"__proto__": {"userId": "1010"}}') as Record<string, unknown>, auth);
      expect(result.status, path).toBe(400);
      expect(result.body.errors?.map((e) => e.extensions?.code), path).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(stack.sandbox.requests.length, path).toBe(sent);
    }),
  );

  it(
    'still answers other names JavaScript objects inherit (constructor, toString) as aliases, as delegation does, also when Healthie fails them',
    each(async (stack, path) => {
      const result = await stack.query('{ constructor: healthieCurrentUser { toString: id valueOf: firstName } }', undefined, auth);
      expect(result.body, path).toEqual({ data: { constructor: { toString: '1001', valueOf: 'Morgan' } } });
      // Healthie's data: null leaves nothing to read under these keys: only Healthie's error is reported.
      for (const query of ['{ constructor: healthieUsers(first: 1, after: "not-a-cursor") { totalCount } }', '{ t: __typename toString: healthieUsers(first: 1, after: "not-a-cursor") { totalCount } }']) {
        const failed = await stack.query(query, undefined, auth);
        expect(failed.body.data, `${path}: ${query}`).toBeNull();
        expect(failed.body.errors?.map((e) => [e.path, e.extensions?.code]), `${path}: ${query}`).toEqual([[[query.includes('constructor') ? 'constructor' : 'toString'], 'UPSTREAM_ERROR']]);
      }
    }),
  );
});

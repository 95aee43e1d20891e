/**
 * On the delegation path, Healthie's answer with `data: null` (a non-null root field failed
 * there, such as `users` refusing a cursor) still gives each root field its own outcome:
 * Healthie's error where Healthie put it, as UPSTREAM_ERROR with its healthieCode, and never a
 * masked internal error on the fields beside it, whatever their order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

describe('delegation when Healthie answers data: null', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PLAN_ENABLED: 'false' } });
  });
  afterAll(() => stack.close());

  const queries = [
    '{ users: healthieUsers(after: "not-a-cursor") { totalCount } me: healthieCurrentUser { id } days: healthieDaysAvailableForRange(providerId: "1") }',
    '{ me: healthieCurrentUser { id } days: healthieDaysAvailableForRange(providerId: "1") users: healthieUsers(after: "not-a-cursor") { totalCount } }',
    'query($size: Int) { me: healthieCurrentUser { id } users: healthieUsers(first: $size) { totalCount } }',
  ];
  for (const [i, query] of queries.entries()) {
    it(`answers Healthie's error on the failed non-null connection and nothing else (${i + 1})`, async () => {
      const before = stack.server.planStats();
      const result = await stack.query(query, { size: -1 }, auth);
      expect(stack.server.planStats().planned).toBe(before.planned);
      expect(result.body.data).toBeNull();
      expect(result.body.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.healthieCode])).toEqual([[['users'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT']]);
      expect(stack.logs.filter((line) => /unexpected error/.test(line))).toEqual([]);
    });
  }
});

/**
 * On the delegation path, Healthie's answer with `data: null` (a non-null root field failed
 * there, such as `users` refusing a cursor) still gives each root field its own outcome:
 * Healthie's error where Healthie put it, as UPSTREAM_ERROR with its healthieCode, and never a
 * masked internal error on the fields beside it, whatever their order. A healthy non-null field
 * beside it was computed by Healthie and dropped with `data`: it reports nothing of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY_BESIDE_FAILED, inBothOrders } from '../helpers/data-null-cases.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

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
    'query($cursor: String) { me: healthieCurrentUser { id } users: healthieUsers(after: $cursor) { totalCount } }',
  ];
  for (const [i, query] of queries.entries()) {
    it(`answers Healthie's error on the failed non-null connection and nothing else (${i + 1})`, async () => {
      const before = stack.server.planStats();
      const result = await stack.query(query, { cursor: 'not-a-cursor' }, auth);
      expect(stack.server.planStats().planned).toBe(before.planned);
      expect(result.body.data).toBeNull();
      expect(result.body.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.healthieCode])).toEqual([[['users'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT']]);
      expect(stack.logs.filter((line) => /unexpected error/.test(line))).toEqual([]);
    });
  }

  // A healthy non-null field beside the failed one: Healthie computed it and dropped it with
  // `data`, so it reports nothing of its own, whether it comes before or after the failed one.
  for (const [name, fields, variables] of HEALTHY_BESIDE_FAILED) {
    it(`answers only the failed connection's error beside a healthy non-null connection, in either order (${name})`, async () => {
      for (const query of inBothOrders(fields, variables)) {
        const before = stack.logs.length;
        const result = await stack.query(query, variables, auth);
        expect(result.status, query).toBe(200);
        expect(result.body.data, query).toBeNull();
        expect(result.body.errors, query).toEqual([
          {
            message: expect.stringMatching(/^Healthie returned an error for this field/),
            path: ['x'],
            extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR', healthieCode: 'BAD_USER_INPUT' }),
          },
        ]);
        expect(stack.logs.slice(before).filter((line) => /unexpected error/.test(line)), query).toEqual([]);
      }
    });
  }

  it('reports the first failed non-null connection and the failed nullable field, and nothing for the healthy fields around them', async () => {
    const result = await stack.query(
      '{ ok: healthieUsers(first: 1) { totalCount } d: healthieDaysAvailableForRange(startDate: "not-a-date") b: healthieUsers(before: "y") { totalCount } c: healthieUsers(after: "x") { totalCount } me: healthieCurrentUser { id } }',
      {},
      auth,
    );
    expect(result.body.data).toBeNull();
    const reported = result.body.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.healthieCode]);
    expect(reported?.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      [['b'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT'],
      [['d'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT'],
    ]);
  });
});

describe('delegation when Healthie answers data: null with several errors on the failed field', () => {
  let upstream: Upstream;
  let stack: Stack;
  beforeAll(async () => {
    upstream = await startUpstream();
    // As graphql-ruby may answer: the refused connection's own error and one under it.
    upstream.setReply((request) => {
      const failing = /(_v\d+_)?healthieUsers: users\(first: 1, after: "nope"\)/.exec(request.query)?.[0].split(':')[0];
      if (!failing) return undefined;
      const error = (path: string[]) => ({ message: 'Cursor is invalid', path, extensions: { code: 'BAD_USER_INPUT' } });
      return { body: { data: null, errors: [error([failing]), error([failing, 'nodes'])] } };
    });
    stack = await startStack({ upstreamUrl: upstream.url, env: { PLAN_ENABLED: 'false', HEALTHIE_RETRIES: '0' } });
  });
  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it("answers the failed field's errors each at its own path, without locations as a single one, whether a healthy non-null field comes before or after it", async () => {
    const failing = 'x: healthieUsers(first: 1, after: "nope") { nodes { id } }';
    const healthy = 'a: healthieUsers(first: 2) { nodes { id } }';
    for (const query of [`{ ${healthy} ${failing} }`, `{ ${failing} ${healthy} }`]) {
      const before = stack.logs.length;
      const result = await stack.query(query, {}, auth);
      expect(result.body.data, query).toBeNull();
      // Healthie's errors carry no locations: the field's would say the error under it is at the field.
      expect(result.body.errors?.map((e) => [e.path, (e as { locations?: unknown }).locations, e.extensions?.code, e.extensions?.healthieCode]), query).toEqual([
        [['x'], undefined, 'UPSTREAM_ERROR', 'BAD_USER_INPUT'],
        [['x', 'nodes'], undefined, 'UPSTREAM_ERROR', 'BAD_USER_INPUT'],
      ]);
      expect(stack.logs.slice(before).filter((line) => /unexpected error/.test(line)), query).toEqual([]);
    }
  });
});

/**
 * On the planned path, Healthie's `data: null` beside healthy root fields: Healthie computed
 * them and dropped them with `data`, so they report nothing of their own, whatever their order,
 * and the client gets the failed field's own error (UPSTREAM_ERROR with its healthieCode, at its
 * path), as on the delegation path. Each operation is sent to both paths in front of one
 * sandbox; the planned path must have answered it, and the bodies must be equal.
 */
import { describe, expect, it } from 'vitest';
import { HEALTHY_BESIDE_FAILED, inBothOrders } from '../helpers/data-null-cases.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { bothPaths, post } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const stripped = (body: unknown) => JSON.parse(JSON.stringify(body, (key, value) => (key === 'stacktrace' ? undefined : value)));

describe('planned path when Healthie answers data: null beside healthy root fields', () => {
  const paths = bothPaths();

  /** The planned answer, once shown planned, equal to delegation's and free of unexpected-error log lines. */
  async function both(query: string, variables: Record<string, unknown>) {
    const before = paths.planned.server.planStats().planned;
    const logged = paths.planned.logs.length;
    const [viaPlan, viaDelegation] = await Promise.all([post(paths.planned.url, query, variables, auth), post(paths.delegated.url, query, variables, auth)]);
    expect(paths.planned.server.planStats().planned - before, query).toBe(1);
    expect(stripped(viaPlan), query).toEqual(stripped(viaDelegation));
    expect(paths.planned.logs.slice(logged).filter((line) => /unexpected error/.test(line)), query).toEqual([]);
    return viaPlan;
  }

  for (const [name, fields, variables] of HEALTHY_BESIDE_FAILED) {
    it(`answers only the failed connection's error beside a healthy non-null connection, in either order (${name})`, async () => {
      for (const query of inBothOrders(fields, variables)) {
        const result = await both(query, variables);
        expect(result.status, query).toBe(200);
        expect(result.body.data, query).toBeNull();
        expect(stripped(result.body.errors), query).toEqual([
          {
            message: expect.stringMatching(/^Healthie returned an error for this field/),
            path: ['x'],
            extensions: { code: 'UPSTREAM_ERROR', healthieCode: 'BAD_USER_INPUT' },
          },
        ]);
      }
    });
  }

  it('reports the first failed non-null connection and the failed nullable field, and nothing for the healthy fields around them', async () => {
    const result = await both(
      '{ ok: healthieUsers(first: 1) { totalCount } d: healthieDaysAvailableForRange(startDate: "not-a-date") b: healthieUsers(before: "y") { totalCount } c: healthieUsers(after: "x") { totalCount } me: healthieCurrentUser { id } }',
      {},
    );
    expect(result.body.data).toBeNull();
    const reported = result.body.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.healthieCode]);
    expect(reported?.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      [['b'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT'],
      [['d'], 'UPSTREAM_ERROR', 'BAD_USER_INPUT'],
    ]);
  });
});

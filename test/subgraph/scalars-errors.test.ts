/**
 * Date arguments Healthie would refuse (and refuse the whole request with) are refused here,
 * before anything is sent, with the client's own error: on both paths, as literals and variables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { post, startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const BY_VARIABLE = 'query($d: HealthieISO8601DateTime) { healthieAppointments(filter: "all", first: 1, startDate: $d) { nodes { id } } me: healthieCurrentUser { id } }';
const byLiteral = (date: string) => `{ healthieAppointments(filter: "all", first: 1, startDate: ${JSON.stringify(date)}) { nodes { id } } me: healthieCurrentUser { id } }`;

describe.each(['true', 'false'])('date arguments (PLAN_ENABLED=%s)', (plan) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PLAN_ENABLED: plan } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const refused = ['not-a-date', '2026-13-45', '2026-02-30', '2026-12-01 10:00:00', '2026-12-01T25:00:00Z', '', '12/01/2026'];

  it.each(refused)('refuses %j as a literal with GRAPHQL_VALIDATION_FAILED and sends nothing', async (date) => {
    const sent = stack.sandbox.requests.length;
    const { status, body } = await post(stack.url, byLiteral(date), undefined, auth);
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(body.errors![0]!.message).toMatch(/HealthieISO8601DateTime must be ISO 8601, like 2026-12-01T10:00:00-05:00/);
    expect(stack.sandbox.requests.length).toBe(sent);
  });

  it.each(refused)('refuses %j as a variable with BAD_USER_INPUT and sends nothing', async (date) => {
    const sent = stack.sandbox.requests.length;
    const { status, body } = await post(stack.url, BY_VARIABLE, { d: date }, auth);
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(stack.sandbox.requests.length).toBe(sent);
  });

  it('refuses a date of another type than a string', async () => {
    const { body } = await post(stack.url, BY_VARIABLE, { d: 20261201 }, auth);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it.each(['2026-12-01', '2026-12-01T10:00', '2026-12-01T10:00:00Z', '2026-12-01T10:00:00.250-05:00', '2026-12-01T10:00:00+0100'])(
    'sends %j on to Healthie, which answers it',
    async (date) => {
      const { status, body } = await post(stack.url, BY_VARIABLE, { d: date }, auth);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data!.me).toEqual({ id: expect.any(String) });
    },
  );
});

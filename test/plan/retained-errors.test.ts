/**
 * The plan cache is bounded in the memory its plans keep, not only in their number: documents
 * built to make each plan large (long aliases, root fields under `@include($x)` queried with every
 * combination, `_entities` with every mix of types) cannot make it keep more than
 * PLAN_CACHE_MAX_MB, and every request is still answered.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const MIB = 1024 * 1024;
const BITS = 4;

/** A query whose root alias is `aliasBytes` long, with BITS more root fields each under its own condition. */
function conditional(n: number, aliasBytes: number): string {
  const definitions = Array.from({ length: BITS }, (_, i) => `$b${i}: Boolean!`).join(' ');
  const conditions = Array.from({ length: BITS }, (_, i) => `c${i}: healthieCurrentUser @include(if: $b${i}) { id }`).join(' ');
  return `query(${definitions}) { a${n}_${'x'.repeat(aliasBytes)}: healthieCurrentUser { id } ${conditions} }`;
}

/** Every combination of the BITS conditions, as variables. */
const combinations = Array.from({ length: 2 ** BITS }, (_, mask) => Object.fromEntries(Array.from({ length: BITS }, (_, i) => [`b${i}`, (mask & (1 << i)) !== 0])));

describe('a plan cache of 1 MiB', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PLAN_CACHE_MAX_MB: '1', PLAN_CACHE_SIZE: '1000' } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('keeps at most 1 MiB of plans when each document, queried with every combination of its conditions, keeps more than a tenth of it', async () => {
    for (let n = 0; n < 12; n += 1) {
      const query = conditional(n, 20_000);
      for (const variables of combinations) {
        const result = await stack.query(query, variables, auth);
        expect(result.body.errors).toBeUndefined();
        expect(Object.keys(result.body.data!)).toHaveLength(1 + Object.values(variables).filter(Boolean).length);
      }
      const stats = stack.server.planStats();
      expect(stats.cachedBytes).toBeLessThanOrEqual(MIB);
    }
    const stats = stack.server.planStats();
    // Twelve such plans weigh well over the bound: the oldest were dropped.
    expect(stats.cachedPlans).toBeGreaterThan(0);
    expect(stats.cachedPlans).toBeLessThan(12);
    expect(stats.delegated).toBe(0);
  });

  it('plans again, and answers, a document dropped for its weight', async () => {
    const first = conditional(0, 20_000);
    const before = stack.server.planStats();
    const result = await stack.query(first, combinations[0], auth);
    expect(result.body.errors).toBeUndefined();
    expect(stack.server.planStats().misses).toBe(before.misses + 1);
    expect(stack.sandbox.requests).toHaveLength(1);
  });

  it('answers a document whose plan grows past the whole bound, dropping it and planning it again', async () => {
    // A 200 KB alias on every variant: two or three variants weigh more than 1 MiB.
    const query = conditional(99, 200_000);
    const before = stack.server.planStats();
    for (const variables of combinations) {
      const result = await stack.query(query, variables, auth);
      expect(result.body.errors).toBeUndefined();
      expect(Object.keys(result.body.data!)).toHaveLength(1 + Object.values(variables).filter(Boolean).length);
      expect(stack.server.planStats().cachedBytes).toBeLessThanOrEqual(MIB);
    }
    const after = stack.server.planStats();
    expect(after.planned).toBe(before.planned + combinations.length);
    expect(after.misses - before.misses).toBeGreaterThan(1);
  });

  it('keeps every entity document of a plan within the bound too', async () => {
    const users = await stack.query<{ healthieUsers: { nodes: Array<{ id: string }> } }>('{ healthieUsers(first: 3) { nodes { id } } }', {}, auth);
    const appointments = await stack.query<{ healthieAppointments: { nodes: Array<{ id: string }> } }>('{ healthieAppointments(filter: "all", first: 3) { nodes { id } } }', {}, auth);
    const userIds = users.body.data!.healthieUsers.nodes.map((u) => u.id);
    const appointmentIds = appointments.body.data!.healthieAppointments.nodes.map((a) => a.id);
    for (let n = 0; n < 6; n += 1) {
      const long = `u${n}_${'z'.repeat(20_000)}`;
      const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { ${long}: id } ... on HealthieAppointment { ${long}: id } } }`;
      // Mixes of types in different orders: each mix is a Healthie document of its own on the plan.
      for (const mix of [[0, 1], [1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 0, 1]]) {
        const representations = mix.map((t, i) => (t === 0 ? { __typename: 'HealthieUser', id: userIds[i % userIds.length] } : { __typename: 'HealthieAppointment', id: appointmentIds[i % appointmentIds.length] }));
        const result = await stack.query<{ _entities: unknown[] }>(query, { r: representations }, auth);
        expect(result.body.errors).toBeUndefined();
        expect(result.body.data!._entities).toHaveLength(mix.length);
      }
      expect(stack.server.planStats().cachedBytes).toBeLessThanOrEqual(MIB);
    }
    // Each plan keeps five documents of 40–80 KB of aliases: six such plans do not fit.
    expect(stack.server.planStats().cachedPlans).toBeLessThan(6);
  });
});

/**
 * Entity requests on the planned path are written from a template with each id put in as a
 * string literal. An id that no GraphQL string literal can hold must not cost the other
 * references of its request their answers: the planned path gives the delegation path's answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { post, startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id firstName } } }';

describe('planned _entities with ids a string literal cannot hold', () => {
  let planned: Stack;
  let delegated: Stack;
  beforeAll(async () => {
    planned = await startStack({ env: { PLAN_ENABLED: 'true' } });
    delegated = await startStack({ upstreamUrl: planned.sandbox.url, env: { PLAN_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await planned?.close();
    await delegated?.close();
  });

  it('answers the other references of the request when one id holds a lone surrogate, as delegation does', async () => {
    // JSON carries a lone surrogate (as \ud800); GraphQL's lexer refuses one in a string literal.
    const variables = { r: [{ __typename: 'HealthieUser', id: 'x\ud800' }, { __typename: 'HealthieUser', id: '1001' }] };
    const [viaPlan, viaDelegation] = await Promise.all([post(planned.url, ENTITIES, variables, auth), post(delegated.url, ENTITIES, variables, auth)]);
    expect(viaPlan.body.errors).toBeUndefined();
    expect(viaPlan.body.data!._entities[1]).toEqual({ id: '1001', firstName: expect.any(String) });
    expect(viaPlan.body).toEqual(viaDelegation.body);
  });
});

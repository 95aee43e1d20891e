/**
 * Entity references beyond the per-operation cap are refused before anything reaches Healthie,
 * and malformed representations get BAD_USER_INPUT.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ENTITY_REFERENCES } from '../../src/plugins/entity-limit.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id } } }';
const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'HealthieUser', id: String(1000 + (i % 60)) }));

describe('entity reference limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sandbox: { rateLimit: { requests: 10_000, windowMs: 60_000 } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it(`refuses more than ${MAX_ENTITY_REFERENCES} references with QUERY_TOO_COMPLEX and no upstream call`, async () => {
    const result = await stack.query(ENTITIES, { r: refs(MAX_ENTITY_REFERENCES + 1) }, auth);
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.body.errors?.[0]?.message).toContain(String(MAX_ENTITY_REFERENCES));
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it(`resolves exactly ${MAX_ENTITY_REFERENCES} references`, async () => {
    const result = await stack.query(ENTITIES, { r: refs(MAX_ENTITY_REFERENCES) }, auth);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!._entities).toHaveLength(MAX_ENTITY_REFERENCES);
  });

  it('answers a representation without a usable id with BAD_USER_INPUT, and resolves the others', async () => {
    const result = await stack.query(
      ENTITIES,
      { r: [{ __typename: 'HealthieUser', id: '1001' }, { __typename: 'HealthieUser' }, { __typename: 'HealthieUser', id: { $ne: 1 } }] },
      auth,
    );
    expect(result.body.data!._entities[0]).toEqual({ id: '1001' });
    expect(result.body.data!._entities.slice(1)).toEqual([null, null]);
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(stack.sandbox.requests).toHaveLength(1);
  });
});

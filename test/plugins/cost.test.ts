/**
 * The cost estimate follows Healthie's complexity rules, so operations Healthie would refuse are
 * refused here first, without spending a request.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIST_SIZE, MAX_COST } from '../../src/plugins/cost.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const USER = 'id firstName lastName fullName email phoneNumber dob timezone active isPatient dietitianId nextApptDate organization { id name }';

describe('operation cost', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('lets a default page of patients with every approved field through', async () => {
    const result = await stack.query(`{ healthieUsers { ${USER} } }`, {}, auth);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieUsers).toHaveLength(10);
  });

  it(`refuses a page so large that the cost exceeds ${MAX_COST}, stating the cost, before calling Healthie`, async () => {
    const result = await stack.query(`{ healthieUsers(pageSize: 200) { ${USER} } }`, {}, auth);
    expect(result.status).toBe(400);
    const error = result.body.errors?.[0];
    expect(error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(error?.extensions?.cost).toBeGreaterThan(MAX_COST);
    expect(error?.message).toContain('pageSize');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it(`counts a paged field without pageSize as ${DEFAULT_LIST_SIZE} items`, async () => {
    const fields = 'id date start end length contactType pmStatus confirmed location';
    const unpaged = await stack.query(`{ healthieAppointments { ${fields} provider { ${USER} } } }`, {}, auth);
    expect(unpaged.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const paged = await stack.query(`{ healthieAppointments(shouldPaginate: true, pageSize: 10) { ${fields} provider { ${USER} } } }`, {}, auth);
    expect(paged.body.errors).toBeUndefined();
    expect(stack.sandbox.requests).toHaveLength(1);
  });

  it('counts _entities by its number of representations', async () => {
    const representations = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'HealthieUser', id: String(1001 + i) }));
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { ${USER} } } }`;
    const few = await stack.query(query, { r: representations(40) }, auth);
    expect(few.body.errors).toBeUndefined();
    const many = await stack.query(query, { r: representations(200) }, auth);
    expect(many.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('estimates a cached document again when a variable changes the page size, the list length or an @include', async () => {
    const paged = `query($size: Int, $all: Boolean!) { healthieUsers(pageSize: $size) { id ... @include(if: $all) { ${USER} } } }`;
    expect((await stack.query(paged, { size: 5, all: true }, auth)).body.errors).toBeUndefined();
    expect((await stack.query(paged, { size: 5, all: true }, auth)).body.errors).toBeUndefined();
    const large = await stack.query(paged, { size: 200, all: true }, auth);
    expect(large.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const fewFields = await stack.query(paged, { size: 200, all: false }, auth);
    expect(fewFields.body.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('QUERY_TOO_COMPLEX');

    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { ${USER} } } }`;
    const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'HealthieUser', id: String(1001 + i) }));
    expect((await stack.query(entities, { r: refs(40) }, auth)).body.errors).toBeUndefined();
    expect((await stack.query(entities, { r: refs(200) }, auth)).body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});

/**
 * Entity requests on the planned path are written from a template with each id put in as a
 * string literal. An id that no GraphQL string literal can hold must not cost the other
 * references of its request their answers: the planned path gives the delegation path's answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { bothPaths, post } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id firstName } } }';

describe('planned _entities with ids a string literal cannot hold', () => {
  const paths = bothPaths();

  it('answers the other references of the request when one id holds a lone surrogate, as delegation does', async () => {
    // JSON carries a lone surrogate (as \ud800); GraphQL's lexer refuses one in a string literal.
    const variables = { r: [{ __typename: 'HealthieUser', id: 'x\ud800' }, { __typename: 'HealthieUser', id: '1001' }] };
    const [viaPlan, viaDelegation] = await Promise.all([post(paths.planned.url, ENTITIES, variables, auth), post(paths.delegated.url, ENTITIES, variables, auth)]);
    expect(viaPlan.body.errors).toBeUndefined();
    expect(viaPlan.body.data!._entities[1]).toEqual({ id: '1001', firstName: expect.any(String) });
    expect(viaPlan.body).toEqual(viaDelegation.body);
  });
});

describe('planned _entities whose selection leaves a type with nothing to select', () => {
  const paths = bothPaths();
  let appointment: string;
  beforeAll(async () => {
    const listed = await post(paths.planned.url, '{ healthieAppointments(filter: "all", first: 1) { nodes { id } } }', undefined, auth);
    appointment = listed.body.data!.healthieAppointments.nodes[0].id;
  });

  const mixed = () => ({ r: [{ __typename: 'HealthieUser', id: '1001' }, { __typename: 'HealthieAppointment', id: appointment }], s: true });
  // Each selects HealthieAppointment fields only, through a fragment that also applies to users.
  const shapes = [
    'query Foo__healthie__0($r: [_Any!]!) { _entities(representations: $r) { ... on _Entity @include(if: true) { ... on HealthieAppointment { id } } } }',
    'query Foo__healthie__0($r: [_Any!]!) { _entities(representations: $r) { ... { ... on HealthieAppointment { id } } } }',
    'query Foo__healthie__0($r: [_Any!]!, $s: Boolean!) { _entities(representations: $r) { ... @include(if: $s) { ... on HealthieAppointment { id } } } }',
  ];

  it.each(shapes)('answers {} for the type with nothing selected and the other reference in full, as delegation does: %s', async (query) => {
    const [viaPlan, viaDelegation] = await Promise.all([post(paths.planned.url, query, mixed(), auth), post(paths.delegated.url, query, mixed(), auth)]);
    expect(viaPlan.body.errors).toBeUndefined();
    expect(viaPlan.body.data!._entities).toEqual([{}, { id: appointment }]);
    expect(viaPlan.body).toEqual(viaDelegation.body);
  });
});

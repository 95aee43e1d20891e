/**
 * What graphql-js did for free on the delegation path still holds on the planned path when
 * Healthie's answer is wrong or fails: null propagation for non-null fields and list items,
 * scalar serialization, Healthie's field errors at the client's paths (entities included), and
 * a failed request reported on every field it concerned. A Healthie stand-in answers each
 * request from its own document (so both paths get the same answer to what they ask), with the
 * flaws under test; the two paths' responses are compared field by field.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { buildSchema, getNamedType, isListType, isNonNullType, isObjectType, Kind, parse, type GraphQLObjectType, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { post, startStack, type Stack } from '../helpers/stack.js';

const approved = buildSchema(readFileSync('schema/healthie-approved.graphql', 'utf8'));
const auth = { 'x-healthie-api-key': DEMO_API_KEY };

interface Flaws {
  /** `Type.field` → the value Healthie answers instead of a well-formed one. */
  values?: Record<string, unknown>;
  /** A field error on the first root field fetching a user, at this path below it (its value becomes null). */
  errorBelowFirstRoot?: string[];
  status?: number;
  /** What Healthie answers for every `__typename` instead of the type's own name. */
  typename?: string;
}

function sample(type: GraphQLObjectType, set: SelectionSetNode, flaws: Flaws): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const selection of set.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) Object.assign(out, sample(type, selection.selectionSet, flaws));
    if (selection.kind !== Kind.FIELD) continue;
    const key = selection.alias?.value ?? selection.name.value;
    if (selection.name.value === '__typename') {
      out[key] = flaws.typename ?? type.name;
      continue;
    }
    const field = type.getFields()[selection.name.value]!;
    const coordinate = `${type.name}.${field.name}`;
    const named = getNamedType(field.type);
    const nullable = isNonNullType(field.type) ? field.type.ofType : field.type;
    if (flaws.values && Object.hasOwn(flaws.values, coordinate)) out[key] = flaws.values[coordinate];
    else if (isObjectType(named)) {
      const object = sample(named, selection.selectionSet!, flaws);
      out[key] = isListType(nullable) ? [object, { ...object }] : object;
    } else out[key] = named.name === 'Boolean' ? true : named.name === 'Int' ? 30 : named.name === 'ID' ? '1001' : `${field.name}-value`;
  }
  return out;
}

describe('planned path when Healthie answers badly', () => {
  let upstream: Server;
  let flaws: Flaws = {};
  let planned: Stack;
  let delegated: Stack;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk)).on('end', () => {
        if (flaws.status) return void res.writeHead(flaws.status).end();
        const { query } = JSON.parse(body) as { query: string };
        const operation = parse(query).definitions[0] as OperationDefinitionNode;
        const root = operation.operation === 'mutation' ? approved.getMutationType()! : approved.getQueryType()!;
        const data = sample(root, operation.selectionSet, flaws);
        const errors = [];
        if (flaws.errorBelowFirstRoot) {
          const first = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD && /^(user|currentUser)$/.test(s.name.value))!;
          const key = first.kind === Kind.FIELD ? (first.alias?.value ?? first.name.value) : '';
          const path = [key, ...flaws.errorBelowFirstRoot];
          let target = data as Record<string, any>;
          for (const segment of path.slice(0, -1)) target = target[segment];
          target[path.at(-1)!] = null;
          errors.push({ message: 'Healthie says no', path, extensions: { code: 'NOT_FOUND' } });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data, ...(errors.length ? { errors } : {}) }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/graphql`;
    planned = await startStack({ upstreamUrl, env: { PLAN_ENABLED: 'true' } });
    delegated = await startStack({ upstreamUrl, env: { PLAN_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await planned?.close();
    await delegated?.close();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  const comparable = (body: { errors?: Array<{ path?: unknown }> }) => {
    const copy = JSON.parse(JSON.stringify(body, (key, value) => (key === 'stacktrace' ? undefined : value))) as typeof body;
    copy.errors?.sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));
    return copy;
  };

  async function both(query: string, variables: Record<string, unknown> = {}) {
    const before = planned.server.planStats().planned;
    const [viaPlan, viaDelegation] = await Promise.all([post(planned.url, query, variables, auth), post(delegated.url, query, variables, auth)]);
    expect(planned.server.planStats().planned).toBe(before + 1);
    expect({ status: viaPlan.status, body: comparable(viaPlan.body) }).toEqual({ status: viaDelegation.status, body: comparable(viaDelegation.body) });
    return viaPlan.body;
  }

  const USER = '{ healthieCurrentUser { id firstName isPatient active organization { name } } }';
  const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on HealthieUser { id firstName organization { id name } } ... on HealthieAppointment { id attendees { id } } } }';
  const refs = { r: [{ __typename: 'HealthieUser', id: '1' }, { __typename: 'HealthieAppointment', id: '2' }, { __typename: 'HealthieUser', id: '1' }] };

  it('propagates a null non-null field to the nearest nullable parent, with one error there', async () => {
    flaws = { values: { 'User.id': null } };
    const body = await both(USER);
    expect(body.data).toEqual({ healthieCurrentUser: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.path).toEqual(['healthieCurrentUser', 'id']);
  });

  it('propagates a null item of a non-null list, and a null non-null organization id', async () => {
    flaws = { values: { 'Appointment.attendees': [null], 'Organization.id': null } };
    const body = await both(ENTITIES, refs);
    expect(body.data!._entities).toEqual([expect.objectContaining({ organization: null }), null, expect.objectContaining({ organization: null })]);
  });

  it('propagates nulls inside connections: a null page info nulls its connection, a null count of a non-null connection the whole answer', async () => {
    const CONNECTIONS = '{ m: healthieOrganizationMembers(first: 2) { pageInfo { hasNextPage } nodes { id } } me: healthieCurrentUser { id } }';
    flaws = { values: { 'PageInfo.has_next_page': null } };
    const members = await both(CONNECTIONS);
    expect(members.data).toEqual({ m: null, me: { id: '1001' } });
    expect(members.errors?.map((e) => e.path)).toEqual([['m', 'pageInfo', 'hasNextPage']]);
    flaws = { values: { 'UserConnection.total_count': null } };
    const users = await both('{ me: healthieCurrentUser { id } u: healthieUsers(first: 2) { totalCount nodes { id } } }');
    expect(users.data).toBeNull();
    expect(users.errors?.map((e) => e.path)).toEqual([['u', 'totalCount']]);
    flaws = { values: { 'UserConnection.nodes': [null, { id: null }] } };
    const items = await both('{ u: healthieUsers(first: 2) { nodes { id } } }');
    expect(items.data).toEqual({ u: { nodes: [null, null] } });
  });

  /** The planned path's answer alone, where the delegation path is known to answer worse. */
  async function plannedOnly(query: string, variables: Record<string, unknown> = {}) {
    return (await post(planned.url, query, variables, auth)).body;
  }

  it('refuses a value a scalar cannot represent, and coerces one it can, as graphql-js does', async () => {
    flaws = { values: { 'User.active': 'yes', 'User.first_name': 42 } };
    expect((await both(USER)).data).toEqual({ healthieCurrentUser: null });
    flaws = { values: { 'User.is_patient': 'maybe', 'User.first_name': 42 } };
    const body = await both(USER);
    expect(body.data!.healthieCurrentUser).toMatchObject({ firstName: '42', isPatient: null });
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['healthieCurrentUser', 'isPatient'], 'UPSTREAM_BAD_RESPONSE']]);
  });

  it("reports Healthie's field errors at the client's path, for root fields and for each position of an entity", async () => {
    flaws = { errorBelowFirstRoot: ['organization', 'name'] };
    const body = await both(USER);
    expect(body.errors?.[0]).toMatchObject({ path: ['healthieCurrentUser', 'organization', 'name'], extensions: { code: 'UPSTREAM_ERROR' } });
    // The delegation path drops the position from these paths (['_entities', 'organization']).
    flaws = { errorBelowFirstRoot: ['organization'] };
    const entities = await plannedOnly(ENTITIES, refs);
    expect(entities.errors?.map((e) => e.path)).toEqual([['_entities', 0, 'organization'], ['_entities', 2, 'organization']]);
    expect(entities.data!._entities.map((e: { organization?: unknown } | null) => e && e.organization)).toEqual([null, undefined, null]);
  });

  it("answers __typename with the subgraph's own type names, whatever type name Healthie answers", async () => {
    flaws = { typename: 'AdminUser' };
    const user = await both('{ healthieCurrentUser { __typename organization { __typename } } }');
    expect(user).toEqual({ data: { healthieCurrentUser: { __typename: 'HealthieUser', organization: { __typename: 'HealthieOrganization' } } } });
    const entities = await both(ENTITIES, refs);
    expect(entities.data!._entities.map((e: { __typename: string }) => e.__typename)).toEqual(['HealthieUser', 'HealthieAppointment', 'HealthieUser']);
  });

  it('reports a failed Healthie request on every field and every reference it carried', async () => {
    flaws = { status: 500 };
    expect((await both(USER)).errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    const body = await both(ENTITIES, refs);
    expect(body.errors?.map((e) => e.path)).toEqual(expect.arrayContaining([['_entities', 0], ['_entities', 1], ['_entities', 2]]));
  });
});

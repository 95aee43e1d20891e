/**
 * Delegation: a client operation becomes one Healthie request in Healthie's own names. The
 * planned path is off here (PLAN_ENABLED=false), so these cover delegation itself; the planned
 * path gives the same answers (test/plan/differential.test.ts).
 */
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate, visit } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const approvedSchema = buildSchema(readFileSync('schema/healthie-approved.graphql', 'utf8'));
const auth = { 'x-healthie-api-key': DEMO_API_KEY };

function fieldNames(query: string): Set<string> {
  const names = new Set<string>();
  visit(parse(query), { Field: (node) => void names.add(node.name.value) });
  return names;
}

describe('delegation to Healthie', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PLAN_ENABLED: 'false' } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('sends every root field and nested selection of one operation in a single upstream request', async () => {
    const result = await stack.query(
      `{
        healthieCurrentUser { id organization { id name } }
        healthieUsers(first: 10) { totalCount nodes { id firstName lastName organization { name } } }
        healthieOrganizationMembers(first: 10) { edges { cursor node { id fullName } } pageInfo { hasNextPage endCursor } }
        healthieAppointments(first: 5) { nodes { id date provider { firstName } user { lastName } attendees { id } appointmentType { name length } } }
      }`,
      {},
      auth,
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieUsers.nodes.length).toBeGreaterThan(0);
    expect(result.body.data!.healthieUsers.totalCount).toBe(60);
    expect(result.body.data!.healthieOrganizationMembers.edges[0].cursor).toEqual(expect.any(String));
    expect(result.body.data!.healthieAppointments.nodes[0].appointmentType.name).toEqual(expect.any(String));
    expect(stack.sandbox.requests).toHaveLength(1);
  });

  it("sends Healthie's own names, valid against Healthie's schema", async () => {
    await stack.query('{ healthieUser(id: "1001") { firstName nextApptDate organization { name } } healthieAppointmentTypes(first: 5) { nodes { availableContactTypes clientsCanBook } pageInfo { hasNextPage } } }', {}, auth);
    const [request] = stack.sandbox.requests;
    expect(validate(approvedSchema, parse(request!.query))).toEqual([]);
    const names = fieldNames(request!.query);
    expect(names).toContain('user');
    expect(names).toContain('first_name');
    expect(names).toContain('next_appt_date');
    expect(names).toContain('available_contact_types');
    expect(names).toContain('page_info');
    expect(names).toContain('has_next_page');
    expect(names).not.toContain('firstName');
    expect(names).not.toContain('healthieUser');
  });

  it("passes variables through under Healthie's argument names", async () => {
    const result = await stack.query(
      'query Find($kw: String, $size: Int) { healthieUsers(keywords: $kw, first: $size) { nodes { id lastName } } }',
      { kw: 'Maple', size: 3 },
      auth,
    );
    expect(result.body.errors).toBeUndefined();
    const users = result.body.data!.healthieUsers.nodes as Array<{ lastName: string }>;
    expect(users.length).toBeGreaterThan(0);
    expect(users.length).toBeLessThanOrEqual(3);
    expect(users.every((u) => u.lastName === 'Maple')).toBe(true);
    const [request] = stack.sandbox.requests;
    expect(request!.query).toMatch(/keywords: \$\w*kw/);
    expect(request!.query).toMatch(/first: \$\w*size/);
    expect(Object.values(request!.variables ?? {})).toEqual(expect.arrayContaining(['Maple', 3]));
  });

  it('keeps client aliases, including two aliases of one field', async () => {
    const result = await stack.query('{ me: healthieCurrentUser { given: firstName first: firstName id } }', {}, auth);
    expect(result.body.errors).toBeUndefined();
    const me = result.body.data!.me;
    expect(me.given).toEqual(expect.any(String));
    expect(me.first).toBe(me.given);
  });

  it("sends Healthie the normalized operation, never the client's fragments", async () => {
    const result = await stack.query(
      'query Q { a: healthieCurrentUser { ...U } healthieUser(id: "1001") { ...U } } fragment U on HealthieUser { ...Name id } fragment Name on HealthieUser { firstName }',
      {},
      auth,
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieUser).toEqual({ firstName: expect.any(String), id: '1001' });
    const [request] = stack.sandbox.requests;
    const document = parse(request!.query);
    expect(document.definitions.map((d) => d.kind)).toEqual(['OperationDefinition']);
    let spreads = 0;
    visit(document, { FragmentSpread: () => void (spreads += 1) });
    expect(spreads).toBe(0);
    expect(validate(approvedSchema, document)).toEqual([]);
  });

  it('pages healthieUsers forwards with first/after and backwards with last/before, through opaque cursors', async () => {
    const page = (args: string, variables: Record<string, unknown> = {}) =>
      stack.query(`query($c: String) { healthieUsers(${args}) { nodes { id isPatient } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, variables, auth);
    const first = (await page('first: 20, after: $c')).body.data!.healthieUsers;
    expect(first.nodes).toHaveLength(20);
    expect(first.nodes.every((u: { isPatient: boolean }) => u.isPatient)).toBe(true);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = (await page('first: 20, after: $c', { c: first.pageInfo.endCursor })).body.data!.healthieUsers;
    expect(second.pageInfo.hasPreviousPage).toBe(true);
    const back = (await page('last: 20, before: $c', { c: second.pageInfo.startCursor })).body.data!.healthieUsers;
    expect(back.nodes).toEqual(first.nodes);
    const ids = [...first.nodes, ...second.nodes].map((u: { id: string }) => u.id);
    expect(new Set(ids).size).toBe(40);
  });

  it("applies Healthie's documented appointments default, filter \"future\", stated in the allowlist, and sends it", async () => {
    const result = await stack.query('{ healthieAppointments(first: 50) { nodes { date } } }', {}, auth);
    expect(result.body.errors).toBeUndefined();
    const dates = result.body.data!.healthieAppointments.nodes.map((a: { date: string }) => Date.parse(a.date));
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.every((date: number) => date >= Date.now() - 60_000)).toBe(true);
    expect(stack.sandbox.requests[0]!.query).toMatch(/filter: \$\w*filter/);
    expect(Object.values(stack.sandbox.requests[0]!.variables ?? {})).toContain('future');
  });
});

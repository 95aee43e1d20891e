/**
 * The planned path and the delegation path give the same answers: the same operations, sent to
 * a subgraph with the plan and to one without it, in front of the same sandbox, compared field
 * by field, errors included (only stack traces differ, by nature), keys in the same order. The
 * operations are those of the existing tests plus operations generated over the served schema.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, SECOND_API_KEY } from '../../src/sandbox/index.js';
import { createRuntimeSchema } from '../../src/subgraph/schema.js';
import { expectSameAnswers } from '../helpers/compare.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { createGenerator, random, type Known } from './generate.js';

const schema = createRuntimeSchema(async () => ({})).schema;
const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const SEED = Number(process.env.DIFFERENTIAL_SEED ?? 20260101);
/** Seeds run per test run: the one given (or the default) and the next ones. */
const SEEDS = [SEED, SEED + 1, SEED + 2];
const GENERATED = 150;

/** GraphQL query documents written in the test files, valid against the schema, without required variables. */
function corpus(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.test.ts')) files.push(path);
    }
  };
  walk('test');
  const found = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/(['`])((?:query\b|\{)[^'`$]*?)\1/g)) {
      try {
        const document = parse(match[2]!);
        if (validate(schema, document).length > 0) continue;
        const operation = document.definitions[0] as OperationDefinitionNode;
        if (operation.variableDefinitions?.some((d) => d.type.kind === 'NonNullType' && !d.defaultValue)) continue;
        found.add(match[2]!);
      } catch {
        // not GraphQL
      }
    }
  }
  return [...found];
}

describe('planned path against the delegation path', () => {
  let planned: Stack;
  let delegated: Stack;
  let known: Known;

  beforeAll(async () => {
    const sandbox = { rateLimit: { requests: 1_000_000, windowMs: 60_000 } };
    planned = await startStack({ sandbox, env: { PLAN_ENABLED: 'true' } });
    // Same upstream, so both see the same data.
    delegated = await startStack({ sandbox, upstreamUrl: planned.sandbox.url, env: { PLAN_ENABLED: 'false' } });
    const listed = await planned.query(
      '{ healthieUsers(first: 20) { nodes { id } edges { cursor } } healthieOrganizationMembers(first: 10) { nodes { id } } healthieAppointments(filter: "all", first: 20) { nodes { id } edges { cursor } } healthieAppointmentTypes(first: 3) { edges { cursor } } }',
      {},
      auth,
    );
    expect(listed.body.errors).toBeUndefined();
    const data = listed.body.data!;
    const cursors = (connection: { edges: Array<{ cursor: string }> }) => connection.edges.map((e) => e.cursor);
    known = {
      userIds: [...data.healthieUsers.nodes, ...data.healthieOrganizationMembers.nodes].map((u: { id: string }) => u.id),
      appointmentIds: data.healthieAppointments.nodes.map((a: { id: string }) => a.id),
      cursors: [...cursors(data.healthieUsers).slice(0, 3), ...cursors(data.healthieUsers).slice(-1), ...cursors(data.healthieAppointments).slice(0, 2), ...cursors(data.healthieAppointmentTypes)],
    };
  });
  afterAll(async () => {
    await planned?.close();
    await delegated?.close();
  });

  const compare = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
    expectSameAnswers({ planned: planned.url, delegated: delegated.url }, query, variables, headers);

  it('answers every operation of the existing tests alike', async () => {
    const operations = corpus();
    expect(operations.length).toBeGreaterThan(10);
    const before = planned.server.planStats().planned;
    for (const query of operations) await compare(query, {}, auth);
    // Nearly all of them take the planned path; the others are `_service`, introspection and mixed roots.
    expect(planned.server.planStats().planned - before).toBeGreaterThan(operations.length * 0.8);
  });

  it('answers aliases named like the fields delegation adds (__typename, id) alike, in _entities and with repeated references too', async () => {
    const [a, b] = known.userIds;
    const r = [
      { __typename: 'HealthieUser', id: a },
      { __typename: 'HealthieAppointment', id: known.appointmentIds[0] },
      { __typename: 'HealthieUser', id: b },
      { __typename: 'HealthieUser', id: a },
    ];
    for (const selection of [
      '... on HealthieUser { __typename: firstName id: lastName o: organization { __typename: name } }',
      '... on HealthieAppointment { id: contactType __typename: id } ... on HealthieUser { id: firstName }',
    ]) {
      const body = await compare(`query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`, { r }, auth);
      expect(body.errors).toBeUndefined();
    }
  });

  for (const seed of SEEDS) {
    it(`answers ${GENERATED} generated operations alike (seed ${seed}), with and without credentials, most of them on the planned path`, async () => {
      const generate = createGenerator(schema, known, seed);
      const r = random(seed + 1);
      const before = planned.server.planStats();
      for (let i = 0; i < GENERATED; i += 1) {
        const { query, variables } = generate();
        const headers = r.chance(0.9) ? auth : r.chance(0.5) ? { 'x-healthie-api-key': SECOND_API_KEY } : {};
        await compare(query, variables, headers);
      }
      // The comparison means something only if the planned path answered most of them: the rest
      // are those refused before either path (validation, limits, cost) or kept on delegation on
      // purpose (variables that do not coerce, mixed roots).
      const after = planned.server.planStats();
      const reached = after.planned + after.delegated - before.planned - before.delegated;
      expect(reached).toBeGreaterThan(GENERATED * 0.6);
      expect(after.planned - before.planned).toBeGreaterThan(reached * 0.9);
    }, 180_000);
  }
});

/**
 * The planned path and the delegation path give the same answer when Healthie answers several
 * errors for one root field, which the sandbox never does: a stand-in Healthie answers each
 * operation as the approved schema would, then nulls what a case says and adds the case's errors,
 * and the two answers are compared as in the differential test (paths, locations, codes,
 * healthieCode, messages). Each error is expected at its own path in the client's names and
 * aliases, cut at the first field the request did not select, as a single error is.
 */
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { reservedKey } from '../../src/subgraph/colliding-aliases.js';
import { MAX_UPSTREAM_ERRORS } from '../../src/upstream/healthie-errors.js';
import { expectSameAnswers } from '../helpers/compare.js';
import { bothPathsBehindFake } from '../helpers/stack.js';
import { executeApproved, type ReceivedRequest } from '../helpers/upstream.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const PATIENT = 'Rosalind Pemberton-Okafor, born 1984-03-07';

type Path = ReadonlyArray<string | number>;
interface Case {
  readonly query: string;
  /** Index of the failing root field among the query's root fields (Healthie's document has them in the same order). */
  readonly root?: number;
  /** `data: null`, the path below the failing root field that Healthie answers null ([] for the field itself), or nothing nulled. */
  readonly nulled: 'data' | 'nothing' | Path;
  /** Healthie's errors: the path below the failing root field (Healthie's response keys), and the code. */
  readonly errors: ReadonlyArray<readonly [Path, string]>;
  readonly message?: string;
  /** The client paths expected, in any order (both paths could be equally wrong). */
  readonly paths?: readonly Path[];
}

const USERS = '{ x: healthieUsers(first: 2) { nodes { id firstName } } }';
const ME = '{ me: healthieCurrentUser { id firstName organization { name } } }';

const CASES: ReadonlyArray<readonly [string, Case]> = [
  ['a non-null root field, data null: an error at the field and one inside it', { query: USERS, nulled: 'data', errors: [[[], 'BAD_USER_INPUT'], [['nodes', 0, 'id'], 'NOT_FOUND']], paths: [['x'], ['x', 'nodes', 0, 'id']] }],
  ['a non-null root field, the field null: an error at the field and one inside it', { query: USERS, nulled: [], errors: [[[], 'BAD_USER_INPUT'], [['nodes', 0, 'id'], 'NOT_FOUND']] }],
  ['a nullable root field, data null: an error at the field and two inside it', { query: ME, nulled: 'data', errors: [[[], 'NOT_FOUND'], [['firstName'], 'FORBIDDEN'], [['organization', 'name'], 'FORBIDDEN']], paths: [['me'], ['me', 'firstName'], ['me', 'organization', 'name']] }],
  ['a nullable root field, the field null: an error at the field and two inside it', { query: ME, nulled: [], errors: [[[], 'NOT_FOUND'], [['firstName'], 'FORBIDDEN'], [['organization', 'name'], 'FORBIDDEN']] }],
  ['a nullable root field, the field null: two errors deeper inside it only', { query: ME, nulled: [], errors: [[['organization'], 'FORBIDDEN'], [['organization', 'name'], 'NOT_FOUND']] }],
  [
    'errors under aliases, at every level',
    {
      query: '{ u: healthieUsers(first: 2) { n: nodes { i: id name: firstName } } }',
      nulled: [],
      errors: [[['n', 1, 'i'], 'NOT_FOUND'], [['n', 1, 'name'], 'FORBIDDEN'], [[], 'BAD_USER_INPUT']],
      paths: [['u', 'n', 1, 'i'], ['u', 'n', 1, 'name'], ['u']],
    },
  ],
  ['errors inside a list item that Healthie nulled', { query: USERS, nulled: ['nodes', 1], errors: [[['nodes', 1, 'id'], 'NOT_FOUND'], [['nodes', 1, 'firstName'], 'FORBIDDEN']], paths: [['x', 'nodes', 1, 'id'], ['x', 'nodes', 1, 'firstName']] }],
  ['errors inside two list items, the list nulled', { query: USERS, nulled: ['nodes'], errors: [[['nodes', 0, 'id'], 'NOT_FOUND'], [['nodes', 1, 'id'], 'FORBIDDEN'], [['nodes'], 'NOT_FOUND']] }],
  [
    'errors whose paths leave the selection (a field not selected, a field name instead of its response key)',
    {
      query: USERS,
      nulled: 'data',
      errors: [[['nodes', 0, 'organization', 'name'], 'NOT_FOUND'], [['nodes', 1, 'first_name'], 'FORBIDDEN'], [['page_info'], 'NOT_FOUND']],
      paths: [['x', 'nodes', 0], ['x', 'nodes', 1], ['x']],
    },
  ],
  [
    'errors whose paths leave the selection, the field null',
    { query: ME, nulled: [], errors: [[['dob'], 'FORBIDDEN'], [['organization', 'billing_items', 3], 'NOT_FOUND'], [[], 'NOT_FOUND']], paths: [['me'], ['me', 'organization'], ['me']] },
  ],
  [
    'errors on the second of two root fields, beside a healthy one',
    { query: '{ a: healthieUsers(first: 1) { nodes { id } } b: healthieCurrentUser { id firstName } }', root: 1, nulled: [], errors: [[[], 'NOT_FOUND'], [['firstName'], 'FORBIDDEN']], paths: [['b'], ['b', 'firstName']] },
  ],
  [
    'errors on the first of two non-null root fields, data null',
    { query: '{ a: healthieUsers(first: 1) { nodes { id } } b: healthieUsers(first: 2) { nodes { id } } }', root: 0, nulled: 'data', errors: [[[], 'BAD_USER_INPUT'], [['nodes', 0, 'id'], 'NOT_FOUND']], paths: [['a'], ['a', 'nodes', 0, 'id']] },
  ],
  ['errors quoting a patient, and a code that is not one of Healthie\'s', { query: ME, nulled: [], message: PATIENT, errors: [[[], 'NOT_FOUND'], [['firstName'], PATIENT]] }],
  [
    `more errors than the ${MAX_UPSTREAM_ERRORS} read`,
    { query: USERS, nulled: 'data', errors: Array.from({ length: 30 }, (_, i) => [i % 2 ? ['nodes', i % 3, 'id'] : [], i % 3 ? 'NOT_FOUND' : 'FORBIDDEN'] as const) },
  ],
  [
    'errors on the second of two non-null root fields, data null (the healthy one is dropped with it)',
    { query: '{ a: healthieUsers(first: 1) { nodes { id } } b: healthieUsers(first: 2) { nodes { id } } }', root: 1, nulled: 'data', errors: [[[], 'BAD_USER_INPUT'], [['nodes', 0, 'id'], 'NOT_FOUND']], paths: [['b'], ['b', 'nodes', 0, 'id']] },
  ],
  [
    'errors under a fragment spread and an inline fragment',
    {
      query: '{ x: healthieUsers(first: 2) { ...Page } } fragment Page on HealthieUserConnection { n: nodes { ... on HealthieUser { i: id o: organization { name } } } }',
      nulled: ['n', 0, 'o'],
      errors: [[['n', 0, 'o'], 'NOT_FOUND'], [['n', 0, 'o', 'name'], 'FORBIDDEN']],
      paths: [['x', 'n', 0, 'o'], ['x', 'n', 0, 'o', 'name']],
    },
  ],
  [
    'errors at fields Healthie answered with a value (nothing nulled)',
    { query: ME, nulled: 'nothing', errors: [[['firstName'], 'FORBIDDEN'], [['organization', 'name'], 'NOT_FOUND']], paths: [['me', 'firstName'], ['me', 'organization', 'name']] },
  ],
  [
    'errors past the end of a list (nothing nulled)',
    { query: USERS, nulled: 'nothing', errors: [[['nodes', 5, 'id'], 'NOT_FOUND'], [['nodes', 7], 'FORBIDDEN']], paths: [['x', 'nodes', 5, 'id'], ['x', 'nodes', 7]] },
  ],
  [
    'an error at a field Healthie answered beside errors in a nulled object',
    { query: ME, nulled: ['organization'], errors: [[['firstName'], 'FORBIDDEN'], [['organization', 'name'], 'NOT_FOUND']], paths: [['me', 'firstName'], ['me', 'organization', 'name']] },
  ],
  [
    'an error past the end of a list beside one in a nulled item, under aliases',
    { query: '{ u: healthieUsers(first: 2) { n: nodes { i: id } } }', nulled: ['n', 1], errors: [[['n', 1, 'i'], 'NOT_FOUND'], [['n', 4, 'i'], 'FORBIDDEN']], paths: [['u', 'n', 1, 'i'], ['u', 'n', 4, 'i']] },
  ],
  [
    'errors at fields aliased __typename (delegation sends them under a reserved alias)',
    {
      query: '{ me: healthieCurrentUser { id __typename: firstName o: organization { __typename: name } } }',
      nulled: ['__typename'],
      errors: [[['__typename'], 'FORBIDDEN'], [['__typename'], 'NOT_FOUND']],
      paths: [['me', '__typename'], ['me', '__typename']],
    },
  ],
  [
    'errors at and under an object field aliased __typename',
    { query: '{ me: healthieCurrentUser { __typename: organization { name } } }', nulled: ['__typename'], errors: [[['__typename'], 'FORBIDDEN'], [['__typename', 'name'], 'NOT_FOUND']], paths: [['me', '__typename'], ['me', '__typename', 'name']] },
  ],
  [
    'errors at a field the request skips (@include false) and at one it keeps',
    { query: '{ x: healthieUsers(first: 2) { nodes { id firstName @include(if: false) } } }', nulled: ['nodes', 0], errors: [[['nodes', 0, 'firstName'], 'FORBIDDEN'], [['nodes', 0, 'id'], 'NOT_FOUND']] },
  ],
];

/** Healthie's data: two users in a page, each in an organization. */
const user = (id: string) => ({ id, first_name: `P${id}`, organization: { id: '9', name: 'Clinic' } });
const DATA = {
  currentUser: () => user('1'),
  users: () => ({ nodes: [user('1000'), user('1001')], total_count: 2, page_info: { has_next_page: false } }),
};

/** The root fields of a document, in order. */
function rootFields(query: string): FieldNode[] {
  const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== '__typename');
}

/** Healthie's answer to `request` under `c`: the approved schema's, nulled and with the case's errors. */
async function answer(request: ReceivedRequest, c: Case): Promise<{ body: unknown }> {
  const result = await executeApproved(request, DATA);
  // Where the request asks a field aliased `__typename` under a reserved alias (delegation), Healthie's key is that one.
  const reserved = request.query.includes(reservedKey('__typename'));
  const healthieKeys = (path: Path) => (reserved ? path.map((segment) => (segment === '__typename' ? reservedKey('__typename') : segment)) : path);
  c = { ...c, nulled: c.nulled === 'data' || c.nulled === 'nothing' ? c.nulled : healthieKeys(c.nulled), errors: c.errors.map(([path, code]) => [healthieKeys(path), code] as const) };
  const field = rootFields(request.query)[c.root ?? 0]!;
  const key = field.alias?.value ?? field.name.value;
  let data: Record<string, any> | null = result.data ? { ...result.data } : null;
  if (c.nulled === 'data') data = null;
  else if (data && c.nulled !== 'nothing') {
    if (c.nulled.length === 0) data[key] = null;
    else {
      let parent: any = data[key];
      for (const segment of c.nulled.slice(0, -1)) parent = parent[segment];
      parent[c.nulled.at(-1)!] = null;
    }
  }
  const errors = c.errors.map(([below, code]) => ({ message: c.message ?? 'Cursor is invalid', path: [key, ...below], extensions: { code } }));
  return { body: { data, errors } };
}

describe('planned path against the delegation path, when Healthie answers several errors for one root field', () => {
  const paths = bothPathsBehindFake();

  for (const [name, c] of CASES) {
    it(`answers alike, each error at its own client path: ${name}`, async () => {
      paths.upstream.setReply((request) => answer(request, c));
      const before = paths.planned.server.planStats().planned;
      const body = await expectSameAnswers({ planned: paths.planned.url, delegated: paths.delegated.url }, c.query, {}, auth);
      // The comparison means something only if the planned path answered and the errors arrived.
      expect(paths.planned.server.planStats().planned).toBe(before + 1);
      expect(body.errors?.length).toBeGreaterThan(1);
      expect(body.errors!.length).toBeLessThanOrEqual(MAX_UPSTREAM_ERRORS);
      expect(body.errors!.every((e) => e.extensions?.code === 'UPSTREAM_ERROR')).toBe(true);
      // Healthie's errors carry no locations, one error or several, on either path.
      expect(body.errors!.filter((e) => 'locations' in e)).toEqual([]);
      const sorted = (paths: readonly unknown[]) => paths.map((p) => JSON.stringify(p)).sort();
      if (c.paths) expect(sorted(body.errors!.map((e) => e.path))).toEqual(sorted(c.paths));
      expect(JSON.stringify(body)).not.toMatch(/Rosalind|1984|billing|first_name|page_info|dob/);
    });
  }
});

/** The id each root field of a Healthie request asks for (a literal, or a variable of the request). */
function idsOf(request: ReceivedRequest): Map<string, string> {
  const ids = new Map<string, string>();
  for (const field of rootFields(request.query)) {
    const arg = field.arguments?.find((a) => a.name.value === 'id')?.value;
    const id = arg?.kind === Kind.STRING ? arg.value : arg?.kind === Kind.VARIABLE ? String(request.variables?.[arg.name.value]) : undefined;
    if (id !== undefined) ids.set(field.alias?.value ?? field.name.value, id);
  }
  return ids;
}

interface EntityCase {
  readonly selection: string;
  /** What Healthie nulls in the answer about the failing id ([] for the reference itself, or nothing), and its errors there. */
  readonly nulled: Path | 'nothing';
  readonly errors: readonly Path[];
  /** The client paths expected below `_entities.<position>`, for each position of the failing id. */
  readonly below: readonly Path[];
}

const FAILING = '1002';
/** Two positions of the failing id, among others (one repeated without errors). */
const REFERENCES = ['1000', '1001', FAILING, '1000', FAILING].map((id) => ({ __typename: 'HealthieUser', id }));
const FAILING_POSITIONS = [2, 4];

const ENTITY_CASES: ReadonlyArray<readonly [string, EntityCase]> = [
  ['an error at a field of the reference', { selection: 'id firstName', nulled: ['firstName'], errors: [['firstName']], below: [['firstName']] }],
  ['two errors at one field', { selection: 'id firstName', nulled: ['firstName'], errors: [['firstName'], ['firstName']], below: [['firstName'], ['firstName']] }],
  ['an error under a nulled object of the reference', { selection: 'id o: organization { name }', nulled: ['o'], errors: [['o', 'name']], below: [['o', 'name']] }],
  ['errors at a nulled object and under it', { selection: 'id o: organization { name }', nulled: ['o'], errors: [['o'], ['o', 'name']], below: [['o'], ['o', 'name']] }],
  ['an error at the reference itself', { selection: 'id firstName', nulled: [], errors: [[]], below: [[]] }],
  ['an error at a field aliased __typename', { selection: 'id __typename: firstName', nulled: ['__typename'], errors: [['__typename']], below: [['__typename']] }],
  ['errors at fields Healthie answered with a value (nothing nulled)', { selection: 'id firstName o: organization { name }', nulled: 'nothing', errors: [['firstName'], ['o', 'name']], below: [['firstName'], ['o', 'name']] }],
];

describe('planned path against the delegation path, when Healthie answers errors about entity references', () => {
  const paths = bothPathsBehindFake();

  for (const [name, c] of ENTITY_CASES) {
    it(`reports each error at the index of every reference it is about, repeated references included: ${name}`, async () => {
      paths.upstream.setReply(async (request) => {
        const result = await executeApproved(request, { user: ({ id }: { id: string }) => user(id) });
        const data = result.data as Record<string, Record<string, unknown> | null>;
        const reserved = request.query.includes(reservedKey('__typename'));
        const healthieKeys = (path: Path) => path.map((segment) => (reserved && segment === '__typename' ? reservedKey('__typename') : segment));
        const errors: unknown[] = [];
        for (const [key, id] of idsOf(request)) {
          if (id !== FAILING) continue;
          const nulled = c.nulled === 'nothing' ? undefined : healthieKeys(c.nulled);
          if (nulled?.length === 0) data[key] = null;
          else if (nulled) data[key]![nulled[0] as string] = null;
          for (const below of c.errors) errors.push({ message: 'Not allowed', path: [key, ...healthieKeys(below)], extensions: { code: 'FORBIDDEN' } });
        }
        return { body: { data, errors } };
      });
      const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { ${c.selection} } } }`;
      paths.upstream.received.length = 0;
      const before = paths.planned.server.planStats().planned;
      const body = await expectSameAnswers({ planned: paths.planned.url, delegated: paths.delegated.url }, query, { r: REFERENCES }, auth);
      expect(paths.planned.server.planStats().planned).toBe(before + 1);
      // Each path asks Healthie once, for each distinct reference once.
      expect(paths.upstream.received).toHaveLength(2);
      for (const request of paths.upstream.received) expect([...idsOf(request).values()].sort()).toEqual(['1000', '1001', FAILING]);
      const sorted = (paths: readonly unknown[]) => paths.map((p) => JSON.stringify(p)).sort();
      expect(sorted(body.errors!.map((e) => e.path))).toEqual(sorted(FAILING_POSITIONS.flatMap((position) => c.below.map((below) => ['_entities', position, ...below]))));
      expect(body.errors!.every((e) => e.extensions?.code === 'UPSTREAM_ERROR' && !('locations' in e))).toBe(true);
      expect(body.data!._entities[0]).toEqual(body.data!._entities[3]);
    });
  }
});

/**
 * Healthie's answer must have an entry in `data` for every root field it was asked (GraphQL's
 * response contract: null at least), whether the fields are a client's root fields or the aliased
 * `user(id:)` fields of an `_entities` batch. An entry left out (`{"data":{}}`, a batch with some
 * aliases missing, from Healthie or a proxy in between) is Healthie's bad answer: that field, or
 * that reference at each of its positions, is UPSTREAM_BAD_RESPONSE, the others are served, on
 * both paths alike. An entry nobody asked for is ignored. A reference Healthie answers with null
 * (an unknown id) stays null without an error. Nothing Healthie sent is quoted, and nothing is
 * logged at error level.
 */
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { comparable, expectSameAnswers } from '../helpers/compare.js';
import { bothPathsBehindFake, errorLines, post, type GraphQLResponse } from '../helpers/stack.js';
import { executeApproved, type ReceivedRequest } from '../helpers/upstream.js';

const auth = { 'x-healthie-api-key': 'some-key' };
const TRACE = { ...auth, 'apollo-federation-include-trace': 'ftv1' };
const PATIENT = 'Patient Ava Alder DOB 1980-02-03';
const UNKNOWN = '1002';

const user = (id: string) => ({ id, first_name: `P${id}`, organization: { id: '9', name: 'Clinic' } });
const DATA = {
  currentUser: () => user('1'),
  user: ({ id }: { id: string }) => (id === UNKNOWN ? null : user(id)),
  users: () => ({ nodes: [user('1000')] }),
};

/** The root fields of a received request, in order. */
function rootFields(request: ReceivedRequest): FieldNode[] {
  const operation = parse(request.query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
}

const keyOf = (field: FieldNode) => field.alias?.value ?? field.name.value;

/** The id each root field of a request asks for (a literal, or a variable), by response key. */
function idsOf(request: ReceivedRequest): Map<string, string> {
  const ids = new Map<string, string>();
  for (const field of rootFields(request)) {
    const arg = field.arguments?.find((a) => a.name.value === 'id')?.value;
    const id = arg?.kind === Kind.STRING ? arg.value : arg?.kind === Kind.VARIABLE ? String(request.variables?.[arg.name.value]) : undefined;
    if (id !== undefined) ids.set(keyOf(field), id);
  }
  return ids;
}

/** Healthie's answer to `request`, changed by `spoil` (data in Healthie's response keys). */
type Spoil = (data: Record<string, unknown>, request: ReceivedRequest) => void;

const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id firstName } } }';
const ref = (id: string) => ({ __typename: 'HealthieUser', id });
/** 1001 twice, an unknown id, and 1000. */
const REFERENCES = ['1000', '1001', UNKNOWN, '1001'].map(ref);
const ROOTS = '{ me: healthieCurrentUser { id firstName } u: healthieUser(id: "1000") { id } }';

describe('answers without an entry for a field Healthie was asked, on both paths', () => {
  const paths = bothPathsBehindFake();

  const answering = (spoil: Spoil) =>
    paths.upstream.setReply(async (request) => {
      const result = await executeApproved(request, DATA);
      const data = { ...(result.data as Record<string, unknown>) };
      spoil(data, request);
      return { body: { data, ...(result.errors ? { errors: result.errors } : {}) } };
    });

  /** Both paths' answers (compared alike), the one of delegation forced by a trace header, and the log checked. */
  async function ask(query: string, variables: Record<string, unknown>): Promise<GraphQLResponse['body']> {
    const logs = [paths.planned.logs.length, paths.delegated.logs.length] as const;
    const before = paths.planned.server.planStats().planned;
    const body = await expectSameAnswers({ planned: paths.planned.url, delegated: paths.delegated.url }, query, variables, auth);
    expect(paths.planned.server.planStats().planned).toBe(before + 1);
    // Delegation within a planned server (a federated trace keeps the delegation path).
    const traced = await post(paths.planned.url, query, variables, TRACE);
    expect(traced.body.data).toEqual(body.data);
    expect(traced.body.errors?.map((e) => [e.path, e.extensions?.code]).sort()).toEqual(body.errors?.map((e) => [e.path, e.extensions?.code]).sort());
    // Stack traces (this machine's file paths) are left out as in `body`. The trace is protobuf in
    // base64, whose letters are random: read as text, a 60-reference trace spelled "Ava" about
    // once in eleven. Its strings are their UTF-8 bytes, so its bytes are searched, for whole
    // values (a few random bytes can spell a short name too).
    const { extensions, ...tracedAnswer } = comparable(traced.body) as GraphQLResponse['body'] & { extensions?: { ftv1?: string } };
    expect(extensions?.ftv1).toEqual(expect.any(String));
    const written = [...paths.planned.logs.slice(logs[0]), ...paths.delegated.logs.slice(logs[1])];
    expect(errorLines(written)).toEqual([]);
    expect([JSON.stringify(body), JSON.stringify(tracedAnswer), ...written].join('\n')).not.toMatch(/Ava|Alder|1980-02-03|extra/);
    expect(Buffer.from(extensions!.ftv1!, 'base64').toString('latin1')).not.toMatch(/Ava Alder|1980-02-03|extra/);
    return body;
  }

  const badAt = (...paths: Array<ReadonlyArray<string | number>>) => paths.map((path) => ({ message: expect.stringMatching(/left .* out/), path, extensions: { code: 'UPSTREAM_BAD_RESPONSE' } }));

  it('answers every reference of an _entities batch answered `{"data":{}}` with UPSTREAM_BAD_RESPONSE at its index, the unknown one null', async () => {
    answering((data, request) => {
      for (const key of idsOf(request).keys()) delete data[key];
    });
    const body = await ask(ENTITIES, { r: REFERENCES });
    expect(body.data).toEqual({ _entities: [null, null, null, null] });
    expect(body.errors).toEqual(badAt(['_entities', 0], ['_entities', 1], ['_entities', 2], ['_entities', 3]));
  });

  it('answers the reference whose alias Healthie left out with UPSTREAM_BAD_RESPONSE at each of its indexes, serving the others', async () => {
    answering((data, request) => {
      for (const [key, id] of idsOf(request)) if (id === '1001') delete data[key];
    });
    const body = await ask(ENTITIES, { r: REFERENCES });
    expect(body.data).toEqual({ _entities: [{ id: '1000', firstName: 'P1000' }, null, null, null] });
    expect(body.errors).toEqual(badAt(['_entities', 1], ['_entities', 3]));
  });

  it('answers only the left-out references of a batch split over several Healthie requests with UPSTREAM_BAD_RESPONSE, each at its index', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => String(2000 + i));
    answering((data, request) => {
      for (const [key, id] of idsOf(request)) if (id.endsWith('7')) delete data[key];
      data.extra = PATIENT;
    });
    paths.upstream.received.length = 0;
    const body = await ask(ENTITIES, { r: ids.map(ref) });
    // Two requests per path (50 references each at most), three paths.
    expect(paths.upstream.received).toHaveLength(6);
    const left = ids.flatMap((id, i) => (id.endsWith('7') ? [i] : []));
    // In the compared order (the paths' JSON, as text).
    expect(body.errors).toEqual(badAt(...left.map((i) => ['_entities', i]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))));
    expect((body.data!._entities as unknown[]).filter((entity) => entity === null)).toHaveLength(left.length);
  });

  it('ignores a key in an _entities answer that Healthie was not asked for, serving every reference', async () => {
    answering((data) => {
      data.extra = PATIENT;
      data.e99 = { id: '7', first_name: PATIENT };
    });
    const body = await ask(ENTITIES, { r: REFERENCES });
    expect(body.data).toEqual({ _entities: [{ id: '1000', firstName: 'P1000' }, { id: '1001', firstName: 'P1001' }, null, { id: '1001', firstName: 'P1001' }] });
    expect(body.errors).toBeUndefined();
  });

  it('reports Healthie\'s own error, not a bad answer, for a reference left out with an error at its alias, beside one left out without', async () => {
    paths.upstream.setReply(async (request) => {
      const data = (await executeApproved(request, DATA)).data as Record<string, unknown>;
      const errors = [];
      for (const [key, id] of idsOf(request)) {
        if (id === '1001') errors.push({ message: PATIENT, path: [key], extensions: { code: 'NOT_FOUND' } });
        if (id === '1001' || id === '1000') delete data[key];
      }
      return { body: { data, errors } };
    });
    const body = await ask(ENTITIES, { r: REFERENCES });
    // The unknown id stays an error-free null.
    expect(body.data).toEqual({ _entities: [null, null, null, null] });
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['_entities', 0], 'UPSTREAM_BAD_RESPONSE'],
      [['_entities', 1], 'UPSTREAM_ERROR'],
      [['_entities', 3], 'UPSTREAM_ERROR'],
    ]);
  });

  it('answers root fields answered `{"data":{}}` with UPSTREAM_BAD_RESPONSE at each', async () => {
    answering((data) => {
      for (const key of Object.keys(data)) delete data[key];
    });
    const body = await ask(ROOTS, {});
    expect(body.data).toEqual({ me: null, u: null });
    expect(body.errors).toEqual(badAt(['me'], ['u']));
  });

  it('answers the root field Healthie left out with UPSTREAM_BAD_RESPONSE, serving the other', async () => {
    answering((data, request) => {
      delete data[keyOf(rootFields(request).find((field) => field.name.value === 'user')!)];
    });
    const body = await ask(ROOTS, {});
    expect(body.data).toEqual({ me: { id: '1', firstName: 'P1' }, u: null });
    expect(body.errors).toEqual(badAt(['u']));
  });

  it('ignores a root key Healthie was not asked for', async () => {
    answering((data) => {
      data.extra = { first_name: PATIENT };
    });
    const body = await ask(ROOTS, {});
    expect(body.data).toEqual({ me: { id: '1', firstName: 'P1' }, u: { id: '1000' } });
    expect(body.errors).toBeUndefined();
  });

  it('requires no entry for a root field the request skips, and answers one it keeps but Healthie left out as a bad answer', async () => {
    answering((data, request) => {
      delete data[keyOf(rootFields(request).find((field) => field.name.value === 'user')!)];
    });
    const query = 'query($s: Boolean!, $k: Boolean = true) { me: healthieCurrentUser @include(if: $s) { id } u: healthieUser(id: "1000") @include(if: $k) { id } }';
    const body = await ask(query, { s: false });
    expect(body.data).toEqual({ u: null });
    expect(body.errors).toEqual(badAt(['u']));
  });

  it('answers a non-null root field Healthie left out with UPSTREAM_BAD_RESPONSE and data null', async () => {
    answering((data) => {
      for (const key of Object.keys(data)) delete data[key];
    });
    const body = await ask('{ x: healthieUsers(first: 1) { nodes { id } } }', {});
    expect(body.data).toBeNull();
    expect(body.errors).toEqual(badAt(['x']));
  });
});

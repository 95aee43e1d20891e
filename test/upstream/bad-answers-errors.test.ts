/**
 * Answers that break GraphQL's response contract (no data and no errors, `data` that is not an
 * object, a value of the wrong type for its field) are Healthie's failure, not an empty result:
 * a client must never read them as "no such patient". Both paths answer UPSTREAM_BAD_RESPONSE,
 * with HTTP 200 and the other fields still served, and neither the response nor the log quotes
 * what Healthie sent.
 */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorLines, startStack, type Stack } from '../helpers/stack.js';
import { executeApproved, startUpstream, type ReceivedRequest, type Upstream } from '../helpers/upstream.js';

const PATIENT = 'Patient Ava Alder DOB 1980-02-03';
const auth = { 'x-healthie-api-key': 'some-key' };
const QUERY = '{ healthieCurrentUser { id firstName organization { id } } healthieUser(id: "1010") { id } }';

/** The response keys of a received request's root fields, in order (delegation prefixes them). */
function rootKeys(request: ReceivedRequest): string[] {
  const operation = parse(request.query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.alias?.value ?? s.name.value] : []));
}

describe.each([
  ['planned', 'true'],
  ['delegation', 'false'],
])('answers that are not GraphQL responses, on the %s path', (_path, planEnabled) => {
  let upstream: Upstream;
  let stack: Stack;
  beforeAll(async () => {
    upstream = await startUpstream();
    stack = await startStack({ upstreamUrl: upstream.url, env: { PLAN_ENABLED: planEnabled, HEALTHIE_RETRIES: '0' } });
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });
  beforeEach(() => upstream.setReply(undefined));

  const expectNothingQuoted = (body: unknown, logsBefore: number) => {
    expect(JSON.stringify(body)).not.toMatch(/Ava|Alder|1980-02-03/);
    const logged = stack.logs.slice(logsBefore);
    expect(logged.join('\n')).not.toMatch(/Ava|Alder|1980-02-03/);
    expect(errorLines(logged)).toEqual([]);
  };

  const whole: Array<[string, unknown]> = [
    ['an empty object', {}],
    ['a list', [1, 2]],
    ['data null and no errors', { data: null }],
    ['an empty list of errors and no data', { errors: [] }],
    ['errors that are not a list', { errors: 'x' }],
    ['data null and an empty list of errors', { data: null, errors: [] }],
    ['data that is text', { data: PATIENT }],
    ['data that is a boolean', { data: true }],
  ];
  for (const [what, body] of whole) {
    it(`answers ${what} with UPSTREAM_BAD_RESPONSE, HTTP 200, quoting nothing`, async () => {
      upstream.setReply(() => ({ body }));
      const before = stack.logs.length;
      const result = await stack.query(QUERY, {}, auth);
      expect(result.status).toBe(200);
      expect(result.body.errors?.length).toBeGreaterThan(0);
      expect(new Set(result.body.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['UPSTREAM_BAD_RESPONSE']));
      expectNothingQuoted(result.body, before);
      // The server keeps serving.
      upstream.setReply(undefined);
      expect((await stack.query(QUERY, {}, auth)).body.errors).toBeUndefined();
    });
  }

  type Spoil = (data: Record<string, any>, keys: string[]) => void;
  const wrongTypes: Array<[string, Spoil, ReadonlyArray<string | number>]> = [
    ['text where an object is expected', (data, [me]) => (data[me!] = PATIENT), ['healthieCurrentUser']],
    ['text where a nested object is expected', (data, [me]) => (data[me!].organization = PATIENT), ['healthieCurrentUser', 'organization']],
    ['null for a non-null field', (data, [me]) => (data[me!].id = null), ['healthieCurrentUser', 'id']],
    // The delegation path does not see these two as such: graphql-tools reads a list as the
    // object's fields (the error is then at a non-null field inside it) and an object for a name
    // as null, so only the planned path reports them where they are.
    ...(planEnabled === 'true'
      ? ([
          ['a list where an object is expected', (data, [, user]) => (data[user!] = [PATIENT]), ['healthieUser']],
          ['an object where a leaf is expected', (data, [me]) => (data[me!][Object.keys(data[me!])[1]!] = { name: PATIENT }), ['healthieCurrentUser', 'firstName']],
        ] as Array<[string, Spoil, ReadonlyArray<string | number>]>)
      : []),
  ];
  for (const [what, spoil, path] of wrongTypes) {
    it(`answers ${what} with UPSTREAM_BAD_RESPONSE at that field, serving the others`, async () => {
      upstream.setReply(async (request) => {
        const answer = await executeApproved(request);
        const data = answer.data as Record<string, any>;
        spoil(data, rootKeys(request));
        return { body: { data } };
      });
      const before = stack.logs.length;
      const result = await stack.query(QUERY, {}, auth);
      expect(result.status).toBe(200);
      expect(result.body.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['UPSTREAM_BAD_RESPONSE', path]]);
      expect(result.body.data).not.toBeNull();
      expectNothingQuoted(result.body, before);
    });
  }
});

/**
 * Bad and oversized input: clear errors with stable codes, nothing sent upstream, and the server
 * keeps serving.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { MAX_REQUEST_BYTES } from '../../src/server.js';
import { LIMITS } from '../../src/plugins/limits.js';
import { bothPaths, errorLines, startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

describe('operation limits and malformed input', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it(`rejects aliases beyond ${LIMITS.maxAliases} with QUERY_TOO_COMPLEX`, async () => {
    const aliases = Array.from({ length: LIMITS.maxAliases + 1 }, (_, i) => `a${i}: healthieCurrentUser { id }`).join('\n');
    const result = await stack.query(`{ ${aliases} }`, {}, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.body.errors?.[0]?.message).toBe(`Aliases limit of ${LIMITS.maxAliases} exceeded, found ${LIMITS.maxAliases + 1}. Use at most ${LIMITS.maxAliases} aliases, and split the operation into several.`);
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it(`rejects a selection deeper than ${LIMITS.maxDepth} with QUERY_TOO_COMPLEX`, async () => {
    let selection = 'id';
    for (let i = 0; i < LIMITS.maxDepth; i += 1) selection = `id provider { ${selection} }`;
    const result = await stack.query(`{ healthieAppointment(id: "1") { ${selection} } }`, {}, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.body.errors?.[0]?.message).toMatch(new RegExp(`^Query depth limit of ${LIMITS.maxDepth} exceeded, found \\d+\\. Select at most ${LIMITS.maxDepth} levels deep, and fetch what lies deeper with a second operation starting from its id\\.$`));
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it(`rejects more than ${LIMITS.maxDirectives} directives with QUERY_TOO_COMPLEX, saying how to fix it`, async () => {
    const fields = Array.from({ length: LIMITS.maxDirectives + 1 }, () => 'id @include(if: true)').join(' ');
    const result = await stack.query(`{ healthieCurrentUser { ${fields} } }`, {}, auth);
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(result.body.errors?.[0]?.message).toBe(
      `Directives limit of ${LIMITS.maxDirectives} exceeded, found ${LIMITS.maxDirectives + 1}. Use at most ${LIMITS.maxDirectives} directives, and split the operation into several.`,
    );
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('rejects fields outside the allowlist, even through fragments and aliases', async () => {
    for (const query of [
      '{ healthieUser(id: "1") { insurancePlans { id } } }',
      '{ u: healthieUser(id: "1") { ...F } } fragment F on HealthieUser { apiKey: access_token }',
      '{ healthieUsers(fromSuperadmin: true) { id } }',
      'mutation { healthieDeleteUser(id: "1") { messages { field } } }',
      '{ medications { id } }',
    ]) {
      const result = await stack.query(query, {}, auth);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('rejects _entities for a type that is not an entity with BAD_USER_INPUT', async () => {
    const result = await stack.query(
      'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
      { r: [{ __typename: 'HealthieOrganization', id: '1' }] },
      auth,
    );
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(result.body.data?._entities).toEqual([null]);
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('answers a syntax error with 400 GRAPHQL_PARSE_FAILED and logs the request', async () => {
    const before = stack.logs.length;
    const result = await stack.query('{ healthieCurrentUser { id ', {}, auth);
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const logged = stack.logs.slice(before).map((line) => JSON.parse(line));
    expect(logged.some((l) => l.msg === 'graphql request' && l.errorCodes.includes('GRAPHQL_PARSE_FAILED'))).toBe(true);
  });

  it(`rejects more than ${LIMITS.maxTokens} tokens with QUERY_TOO_COMPLEX`, async () => {
    const fields = Array.from({ length: LIMITS.maxTokens }, () => 'id').join(' ');
    const result = await stack.query(`{ healthieCurrentUser { ${fields} } }`, {}, auth);
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.body.errors?.[0]?.message).toBe(`The document has more than ${LIMITS.maxTokens} tokens, this subgraph's limit. Send a shorter document: drop unused fields and fragments, or split the operation into several.`);
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('refuses lists nested too deeply to parse with QUERY_TOO_COMPLEX and a message saying what to do, sends nothing and keeps serving', async () => {
    const before = stack.logs.length;
    // Lists take one token a level, so whether the parser's stack or the token limit stops such a
    // document first depends on the Node version and the call depth; either answer states a fix,
    // never the parser's bare "Maximum call stack size exceeded".
    const answers = [
      'The document nests lists or input objects too deeply for this subgraph to parse. Nest values less deeply (a few levels is what any argument of this schema takes), or pass the value as a variable.',
      `The document has more than ${LIMITS.maxTokens} tokens, this subgraph's limit. Send a shorter document: drop unused fields and fragments, or split the operation into several.`,
    ];
    for (const depth of [3_000, 20_000]) {
      const result = await stack.query(`{ healthieUsers(keywords: ${'['.repeat(depth)}"a"${']'.repeat(depth)}) { nodes { id } } }`, {}, auth);
      expect(result.status, String(depth)).toBe(400);
      expect(result.body.errors).toHaveLength(1);
      expect(result.body.errors![0]!.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(answers).toContain(result.body.errors![0]!.message);
    }
    expect(stack.sandbox.requests).toHaveLength(0);
    expect(errorLines(stack.logs.slice(before))).toEqual([]);
    expect((await stack.query('{ healthieCurrentUser { id } }', {}, auth)).body.data?.healthieCurrentUser?.id).toEqual(expect.any(String));
  });

  it('refuses a subscription before execution with 400 GRAPHQL_VALIDATION_FAILED, saying there are none, and logs no error', async () => {
    const before = stack.logs.length;
    for (const query of [
      'subscription { healthieCurrentUser { id } }',
      'subscription Watch($id: ID!) { healthieUser(id: $id) { id } }',
      'query Read { healthieCurrentUser { id } } subscription Watch { ...F } fragment F on Query { healthieCurrentUser { id } }',
    ]) {
      const result = await stack.query(query, { id: '1001' }, auth);
      expect(result.status, query).toBe(400);
      expect(result.body.data ?? null).toBeNull();
      expect(result.body.errors?.map((e) => e.extensions?.code), query).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(result.body.errors?.[0]?.message).toMatch(/^This subgraph serves no subscription operations: its schema has no subscription type, and the document holds a subscription (without a name|"Watch")\. /);
      const fix = query.startsWith('query') ? 'Remove the subscription from the document, or send it as a query or a mutation.' : 'Send the operation as a query or a mutation.';
      expect(result.body.errors?.[0]?.message.endsWith(fix), query).toBe(true);
    }
    expect(stack.sandbox.requests).toHaveLength(0);
    const logged = stack.logs.slice(before).map((line) => JSON.parse(line) as { msg: string });
    expect(logged.filter((l) => l.msg === 'graphql request')).toHaveLength(3);
    expect(errorLines(stack.logs.slice(before))).toEqual([]);
  });

  it('answers a wrongly typed variable with BAD_USER_INPUT', async () => {
    const result = await stack.query('query($size: Int) { healthieUsers(first: $size) { nodes { id } } }', { size: 'ten' }, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers a JSON body that is not an object with BAD_REQUEST and says what to send', async () => {
    const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"abc"' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toContain('JSON object');
  });

  it('answers an unknown path with a JSON 404', async () => {
    const response = await fetch(stack.url.replace('/graphql', '/graphiql'));
    expect(response.status).toBe(404);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toContain('/graphql');
  });

  it('answers a body that is not JSON with BAD_REQUEST', async () => {
    const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it(`answers a body over ${MAX_REQUEST_BYTES} bytes with 413 BAD_REQUEST, then keeps serving`, async () => {
    const big = JSON.stringify({ query: `{ healthieCurrentUser { id } } # ${'x'.repeat(MAX_REQUEST_BYTES)}` });
    const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    const after = await stack.query('{ healthieCurrentUser { id } }', {}, auth);
    expect(after.body.errors).toBeUndefined();
  });
});

describe('a document holding a subscription beside the operation selected', () => {
  const paths = bothPaths();
  // Both subgraphs send to the planned one's sandbox.
  const READ = 'query Read { healthieCurrentUser { id } }';

  async function send(stack: Stack, query: string, operationName: string) {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query, operationName }),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
  }

  it('is refused as a whole with 400 GRAPHQL_VALIDATION_FAILED naming the subscription and saying to remove it, on both paths, sending nothing', async () => {
    for (const [path, stack] of [['planned', paths.planned], ['delegated', paths.delegated]] as const) {
      for (const operationName of ['Read', 'Watch']) {
        paths.planned.sandbox.clearRequests();
        const result = await send(stack, `${READ} subscription Watch { healthieCurrentUser { id } }`, operationName);
        expect(result.status, `${path} ${operationName}`).toBe(400);
        expect(result.body.data ?? null).toBeNull();
        expect(result.body.errors?.map((e) => e.extensions?.code), path).toEqual(['GRAPHQL_VALIDATION_FAILED']);
        expect(result.body.errors?.[0]?.message, path).toBe(
          'This subgraph serves no subscription operations: its schema has no subscription type, and the document holds a subscription "Watch". ' +
            'A document is validated as a whole, so it is refused even when operationName selects another of its operations. ' +
            'Remove the subscription from the document, or send it as a query or a mutation.',
        );
        expect(paths.planned.sandbox.requests, path).toHaveLength(0);
      }
      // The same document with a second query in place of the subscription is answered.
      const valid = await send(stack, `${READ} query Other { healthieCurrentUser { id } }`, 'Read');
      expect(valid.body, path).toEqual({ data: { healthieCurrentUser: { id: expect.any(String) } } });
    }
  });

  it('names each subscription of the document, a long name cut short', async () => {
    const long = 'W'.repeat(300);
    const result = await send(paths.planned, `${READ} subscription Watch { healthieCurrentUser { id } } subscription ${long} { healthieCurrentUser { id } }`, 'Read');
    expect(result.body.errors?.map((e) => e.message.match(/holds a subscription (.*?)\. /)?.[1])).toEqual(['"Watch"', `"${'W'.repeat(100)}…"`]);
  });
});

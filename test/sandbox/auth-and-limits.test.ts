/**
 * Misuse and failure paths: authentication, transport errors, invalid queries and Healthie's
 * limits (request rate, depth, complexity).
 */
import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY, SECOND_API_KEY, SHARDED_API_KEY, SHARDED_SHARD_ID, startSandbox } from '../../src/sandbox/index.js';
import { API_VERSION, data, fixedClock, gql, healthieHeaders, postRaw, useSandbox } from './helpers.js';

const WHO = '{ currentUser { id } }';

describe('sandbox authentication', () => {
  const sandbox = useSandbox();

  const expectUnauthenticated = async (headers: Record<string, string>) => {
    const reply = await gql(sandbox.url, WHO, undefined, { 'healthie-graphql-api-version': API_VERSION, ...headers });
    expect(reply.status).toBe(401);
    expect(reply.body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(reply.body.data).toBeUndefined();
    return reply;
  };

  it('rejects a request without Authorization', async () => {
    await expectUnauthenticated({ authorizationsource: 'API' });
  });

  it('rejects a missing or different AuthorizationSource', async () => {
    await expectUnauthenticated({ authorization: `Basic ${DEMO_API_KEY}` });
    await expectUnauthenticated({ authorization: `Basic ${DEMO_API_KEY}`, authorizationsource: 'Web' });
  });

  it('rejects an unknown key without echoing it', async () => {
    const reply = await expectUnauthenticated(healthieHeaders('not-a-real-key-12345'));
    expect(reply.text).not.toContain('not-a-real-key-12345');
  });

  it('rejects a base64-encoded key: Healthie takes the raw key', async () => {
    await expectUnauthenticated({ authorization: `Basic ${Buffer.from(`${DEMO_API_KEY}:`).toString('base64')}`, authorizationsource: 'API' });
    await expectUnauthenticated({ authorization: `Bearer ${DEMO_API_KEY}`, authorizationsource: 'API' });
  });

  it('rejects the sharded key without its shard or with another shard', async () => {
    await expectUnauthenticated(healthieHeaders(SHARDED_API_KEY));
    await expectUnauthenticated(healthieHeaders(SHARDED_API_KEY, 'sandbox-shard-9'));
  });

  it('accepts the sharded key with its shard', async () => {
    const { currentUser } = await data(sandbox.url, WHO, undefined, healthieHeaders(SHARDED_API_KEY, SHARDED_SHARD_ID));
    expect(currentUser.id).toBe('3001');
  });

  it('rejects an unsharded key sent to a shard', async () => {
    await expectUnauthenticated(healthieHeaders(DEMO_API_KEY, SHARDED_SHARD_ID));
  });

  it('never includes an API key in a response', async () => {
    const replies = await Promise.all([
      gql(sandbox.url, WHO, undefined, healthieHeaders(DEMO_API_KEY, SHARDED_SHARD_ID)),
      gql(sandbox.url, '{ currentUser { id email } users { nodes { email } } }'),
      gql(sandbox.url, '{ nope }'),
    ]);
    for (const reply of replies) {
      for (const key of [DEMO_API_KEY, SECOND_API_KEY, SHARDED_API_KEY]) expect(reply.text).not.toContain(key);
    }
  });

  it('records each request with its headers, account and status, including the API version header', async () => {
    sandbox.clearRequests();
    await gql(sandbox.url, 'query Who { currentUser { id } }', { unused: 1 }, healthieHeaders());
    await gql(sandbox.url, WHO, undefined, healthieHeaders('wrong'));
    expect(sandbox.requests).toHaveLength(2);
    const [ok, rejected] = sandbox.requests;
    expect(ok).toMatchObject({ query: 'query Who { currentUser { id } }', variables: { unused: 1 }, account: 'demo', status: 200 });
    expect(ok!.headers).toMatchObject({
      authorization: `Basic ${DEMO_API_KEY}`,
      authorizationsource: 'API',
      'healthie-graphql-api-version': '2026-01-01',
      'content-type': 'application/json',
    });
    expect(rejected).toMatchObject({ status: 401 });
    expect(rejected!.account).toBeUndefined();
    sandbox.clearRequests();
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('sandbox transport errors', () => {
  const sandbox = useSandbox();

  it('answers 404 with errors for another path', async () => {
    const reply = await postRaw(sandbox.url.replace('/graphql', '/other'), JSON.stringify({ query: WHO }), healthieHeaders());
    expect(reply.status).toBe(404);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('answers 405 with errors for GET', async () => {
    const reply = await postRaw(sandbox.url, '', healthieHeaders(), 'GET');
    expect(reply.status).toBe(405);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers 400 with errors for malformed JSON or a body without a query', async () => {
    for (const body of ['{"query": ', '[1, 2]', '{"variables": {}}', '{"query": "{ currentUser { id } }", "variables": 3}']) {
      const reply = await postRaw(sandbox.url, body, healthieHeaders());
      expect(reply.status, body).toBe(400);
      expect(reply.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    }
  });

  it('answers 413 for a body over 1 MB', async () => {
    const reply = await postRaw(sandbox.url, JSON.stringify({ query: `# ${'x'.repeat(1_100_000)}\n{ currentUser { id } }` }), healthieHeaders());
    expect(reply.status).toBe(413);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers invalid queries with GraphQL validation errors and HTTP 200', async () => {
    const unknownField = await gql(sandbox.url, '{ currentUser { id password } }');
    expect(unknownField.status).toBe(200);
    expect(unknownField.body.errors?.[0]?.message).toMatch(/Cannot query field "password" on type "User"/);
    expect(unknownField.body.data).toBeUndefined();
    const syntax = await gql(sandbox.url, '{ currentUser { id }');
    expect(syntax.status).toBe(200);
    expect(syntax.body.errors?.[0]?.message).toMatch(/Syntax Error/);
  });

  it('allows introspection', async () => {
    const { __schema } = await data(sandbox.url, getIntrospectionQuery());
    expect(__schema.queryType.name).toBe('Query');
  });
});

describe('sandbox rate limit', () => {
  const sandbox = useSandbox({ rateLimit: { requests: 3, windowMs: 60_000 } });

  it("answers over the per-account rate with HTTP 200 and Healthie's exact TOO_MANY_REQUESTS body, leaving other accounts alone", async () => {
    for (let i = 0; i < 3; i++) expect((await gql(sandbox.url, WHO)).status).toBe(200);
    const limited = await gql(sandbox.url, WHO);
    expect(limited.status).toBe(200);
    expect(limited.text).toBe('{"errors":[{"message":"Too many requests. Please try again later.","extensions":{"code":"TOO_MANY_REQUESTS"}}]}');
    const other = await gql(sandbox.url, WHO, undefined, healthieHeaders(SECOND_API_KEY));
    expect(other.body.data).toEqual({ currentUser: { id: '2001' } });
  });
});

describe('sandbox rate window', () => {
  it('accepts requests again once the window has slid past the earlier ones', async () => {
    const sandbox = await startSandbox({ now: fixedClock, rateLimit: { requests: 2, windowMs: 300 } });
    try {
      expect((await gql(sandbox.url, WHO)).body.data).toBeTruthy();
      expect((await gql(sandbox.url, WHO)).body.data).toBeTruthy();
      expect((await gql(sandbox.url, WHO)).body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await gql(sandbox.url, WHO)).body.data).toEqual({ currentUser: { id: '1001' } });
    } finally {
      await sandbox.close();
    }
  });
});

describe('sandbox depth and complexity limits', () => {
  const sandbox = useSandbox();
  // Nineteen points per user: twelve scalars, organization { id name } (3) and four aliases.
  const USER_FIELDS = 'id first_name last_name full_name email phone_number dob timezone active is_patient dietitian_id next_appt_date organization { id name } a: id b: email c: first_name d: last_name';
  // Nineteen points per appointment: nine scalars, three people and types (7) and three aliases.
  const APPOINTMENT_FIELDS = 'id date start end length contact_type pm_status confirmed location provider { id } user { id } appointment_type { id name } a: id b: start c: end';

  it('rejects a query deeper than 25 with MAX_DEPTH_EXCEEDED before executing it', async () => {
    const deep = `{ __type(name: "User") { fields { type ${'{ ofType '.repeat(23)}{ name }${' }'.repeat(23)} } } }`;
    const reply = await gql(sandbox.url, deep, undefined, healthieHeaders(SECOND_API_KEY));
    expect(reply.status).toBe(200);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toEqual([
      { message: 'Query has depth of 27, which exceeds max depth of 25', extensions: { code: 'MAX_DEPTH_EXCEEDED' } },
    ]);
  });

  it('accepts a query at depth 25', async () => {
    const atLimit = `{ __type(name: "User") { fields { type ${'{ ofType '.repeat(21)}{ name }${' }'.repeat(21)} } } }`;
    const reply = await gql(sandbox.url, atLimit, undefined, healthieHeaders(SECOND_API_KEY));
    expect(reply.body.errors).toBeUndefined();
  });

  it('scores a connection by its page size and rejects scores over 2000 with MAX_COMPLEXITY_EXCEEDED', async () => {
    const headers = healthieHeaders(SECOND_API_KEY);
    const fields = USER_FIELDS;
    // 1 + 100 × (nodes 1 + 19) = 2001.
    const reply = await gql(sandbox.url, `{ users(first: 100) { nodes { ${fields} } } }`, undefined, headers);
    expect(reply.status).toBe(200);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toEqual([
      { message: 'Query has complexity of 2001, which exceeds max complexity of 2000', extensions: { code: 'MAX_COMPLEXITY_EXCEEDED' } },
    ]);
    const viaVariable = await gql(sandbox.url, `query($n: Int) { users(last: $n) { nodes { ${fields} } } }`, { n: 100 }, headers);
    expect(viaVariable.body.errors?.[0]?.extensions?.code).toBe('MAX_COMPLEXITY_EXCEEDED');
    // 1 + 99 × 20 = 1981, and 1 + 10 × 20 = 201.
    for (const query of [`{ users(first: 99) { nodes { ${fields} } } }`, `{ users(first: 10) { nodes { ${fields} } } }`]) {
      expect((await gql(sandbox.url, query, undefined, headers)).body.errors).toBeUndefined();
    }
  });

  it('scores a connection without first or last at 100 items, and rejects it over 2000', async () => {
    const headers = healthieHeaders(SECOND_API_KEY);
    for (const query of [`{ appointments { nodes { ${APPOINTMENT_FIELDS} } } }`, `{ organizationMembers { edges { node { ${USER_FIELDS.replace(' a: id', '')} } } } }`]) {
      const reply = await gql(sandbox.url, query, undefined, headers);
      expect(reply.status).toBe(200);
      expect(reply.body.data).toBeUndefined();
      expect(reply.body.errors).toEqual([
        { message: 'Query has complexity of 2001, which exceeds max complexity of 2000', extensions: { code: 'MAX_COMPLEXITY_EXCEEDED' } },
      ]);
    }
    // page_info and total_count count once: 1 + 1 + 3 + 1 + 100 × (1 + 16) = 1706.
    const members = await gql(sandbox.url, `{ organizationMembers { total_count page_info { has_next_page end_cursor } nodes { ${USER_FIELDS.replace(' a: id b: email c: first_name', '')} } } }`, undefined, headers);
    expect(members.body.errors).toBeUndefined();
  });

  it('refuses a page over 100 or below 0, whatever the score, as Healthie does', async () => {
    const headers = healthieHeaders(SECOND_API_KEY);
    for (const args of ['first: 101', 'last: 1000', 'first: -1', 'last: -5']) {
      const reply = await gql(sandbox.url, `{ appointmentTypes(${args}) { nodes { id } } }`, undefined, headers);
      expect(reply.status, args).toBe(200);
      expect(reply.body.errors?.[0], args).toMatchObject({ message: expect.stringMatching(/must be (at most 100|0 or more)/), extensions: { code: 'BAD_USER_INPUT' } });
      expect(reply.body.data?.appointmentTypes, args).toBeNull();
    }
    const viaVariable = await gql(sandbox.url, 'query($n: Int) { users(first: $n) { nodes { id } } }', { n: 101 }, headers);
    expect(viaVariable.body.errors?.[0]?.message).toMatch(/'first' must be at most 100/);
  });

  it('refuses a cursor it did not issue', async () => {
    for (const cursor of ['not-a-cursor', Buffer.from('sandbox:0').toString('base64'), Buffer.from('other:5').toString('base64')]) {
      const reply = await gql(sandbox.url, 'query($a: String) { users(after: $a) { nodes { id } } }', { a: cursor });
      expect(reply.body.errors?.[0], cursor).toMatchObject({ message: expect.stringMatching(/Invalid cursor for after/), extensions: { code: 'BAD_USER_INPUT' } });
    }
  });

  it('rejects two connections whose pages times their selections exceed 2000', async () => {
    const fullPage = 'users(first: 100) { nodes { id first_name last_name email phone_number dob timezone active is_patient dietitian_id next_appt_date organization { id name } } }';
    const ask = (query: string) => gql(sandbox.url, query, undefined, healthieHeaders(SECOND_API_KEY));
    const reply = await ask(`{ ${fullPage} }`);
    // 1 + 100 × (nodes 1 + 11 scalars + organization { id name } 3) = 1501: accepted.
    expect(reply.body.errors).toBeUndefined();
    const twice = await ask(`{ a: ${fullPage} b: users(first: 100) { nodes { id first_name } } }`);
    // 1501 + (1 + 100 × 3) = 1802: accepted.
    expect(twice.body.errors).toBeUndefined();
    const over = await ask(`{ a: ${fullPage} b: users(first: 100) { nodes { id first_name last_name email } } }`);
    // 1501 + (1 + 100 × 5) = 2002.
    expect(over.body.errors).toEqual([
      { message: 'Query has complexity of 2002, which exceeds max complexity of 2000', extensions: { code: 'MAX_COMPLEXITY_EXCEEDED' } },
    ]);
  });

  it('rejects an over-complex mutation without booking anything', async () => {
    const headers = healthieHeaders(SHARDED_API_KEY, SHARDED_SHARD_ID);
    const input = '{ user_id: "3010", other_party_id: "3002", appointment_type_id: "3101", datetime: "2025-03-20 10:00:00", enforce_availability: true }';
    const field = (i: number) => `b${i}: createAppointment(input: ${input}) { appointment { id attendees { id first_name last_name email } } }`;
    // Each alias costs 1 + (1 + (1 + (1 + 4))) = 8; 251 of them cost 2008.
    const reply = await gql(sandbox.url, `mutation { ${Array.from({ length: 251 }, (_, i) => field(i)).join(' ')} }`, undefined, headers);
    expect(reply.body.errors).toEqual([
      { message: 'Query has complexity of 2008, which exceeds max complexity of 2000', extensions: { code: 'MAX_COMPLEXITY_EXCEEDED' } },
    ]);
    const { appointments } = await data(sandbox.url, '{ appointments(filter: "all") { total_count nodes { id } } }', undefined, headers);
    expect(appointments.total_count).toBe(40);
    expect(appointments.nodes.every((appointment: { id: string }) => Number(appointment.id) < 3240)).toBe(true);
  });
});

describe('sandbox appointments arguments', () => {
  const sandbox = useSandbox();

  it('rejects a filter other than "future", "past" or "all" with BAD_USER_INPUT', async () => {
    const reply = await gql(sandbox.url, '{ appointments(filter: "someday") { nodes { id } } }');
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual({ appointments: null });
    expect(reply.body.errors).toEqual([
      expect.objectContaining({ message: 'filter must be "future", "past" or "all"', path: ['appointments'], extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
  });

  it('rejects a startDate or endDate Healthie would not read as ISO 8601, naming the scalar', async () => {
    const refused = ['startDate: "next week"', 'endDate: "2025-02-30"', 'startDate: "2025-03-12 10:00:00 -0400"', 'startDate: "2025-03-12T10:00"', 'endDate: "2025-03-12T25:00:00Z"', 'endDate: "2025-03-12T10:00:00+05:60"'];
    for (const args of refused) {
      const reply = await gql(sandbox.url, `{ appointments(filter: "all", ${args}) { nodes { id } } }`);
      expect(reply.body.data, args).toBeUndefined();
      expect(reply.body.errors?.[0]?.message, args).toMatch(/ISO8601DateTime must be an ISO 8601 date and time/);
    }
  });
});

describe('sandbox latency', () => {
  it('waits latencyMs before answering', async () => {
    const sandbox = await startSandbox({ latencyMs: 150 });
    try {
      const started = performance.now();
      expect((await gql(sandbox.url, WHO)).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await sandbox.close();
    }
  });
});

/**
 * The booking guard refuses, before anything reaches Healthie: booking while scheduling is not
 * granted, a request whose scopes leave it out, more than one mutation field however it is
 * written, and a malformed or (when required) missing Idempotency-Key. Reads stay unaffected.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import { AUTH, BOOK, bookingFixture, creates, send, sendRaw, type BookingFixture } from './helpers.js';

const READ = '{ healthieCurrentUser { id } }';

/** Refusals are GraphQL errors with HTTP 200, so that a router passes their code through. */
function expectRefused(result: { status: number; body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, any> }> } }, code: string) {
  expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  expect(result.status).toBe(200);
  expect(result.body.errors![0]!.extensions!.http).toBeUndefined();
  expect(result.body.data ?? null).toBeNull();
}

describe('with HEALTHIE_ALLOW_SCHEDULING unset', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('refuses healthieCreateAppointment with FORBIDDEN naming the setting, and sends nothing', async () => {
    const result = await send(stack.url, BOOK, { input: { userId: '1' } });
    expectRefused(result, 'FORBIDDEN');
    expect(result.body.errors![0]!.message).toContain('HEALTHIE_ALLOW_SCHEDULING');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('refuses a booking hidden in a fragment, and sends nothing', async () => {
    const result = await send(stack.url, 'mutation { ...B } fragment B on Mutation { healthieCreateAppointment(input: {}) { messages { field } } }');
    expectRefused(result, 'FORBIDDEN');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('still answers reads', async () => {
    const result = await send(stack.url, READ);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.healthieCurrentUser.id).toEqual(expect.any(String));
  });
});

describe('with HEALTHIE_ALLOW_SCHEDULING=true', () => {
  let stack: Stack;
  let fixture: BookingFixture;
  beforeAll(async () => {
    stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true' } });
    fixture = await bookingFixture(stack.url);
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  it('refuses a request whose x-healthie-scopes lacks schedule, and sends nothing', async () => {
    const result = await send(stack.url, BOOK, { input: fixture.input(fixture.slots[0]!) }, { 'x-healthie-scopes': 'read' });
    expectRefused(result, 'FORBIDDEN');
    expect(result.body.errors![0]!.message).toContain('schedule');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('refuses an empty, unknown or repeated x-healthie-scopes rather than guessing', async () => {
    for (const scopes of ['', 'read,admin', 'Schedule']) {
      const result = await send(stack.url, BOOK, { input: fixture.input(fixture.slots[0]!) }, { 'x-healthie-scopes': scopes });
      expectRefused(result, 'FORBIDDEN');
    }
    const repeated = await sendRaw(
      stack.url,
      [['x-healthie-api-key', AUTH['x-healthie-api-key']], ['x-healthie-scopes', 'schedule'], ['x-healthie-scopes', 'read']],
      { query: BOOK, variables: { input: fixture.input(fixture.slots[0]!) } },
    );
    expect(repeated.status).toBe(200);
    expect(repeated.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('lets reads through whatever the scopes say', async () => {
    const result = await send(stack.url, READ, {}, { 'x-healthie-scopes': 'read' });
    expect(result.body.errors).toBeUndefined();
  });

  const twoBookings: Array<[string, string]> = [
    ['two aliases', 'mutation($i: HealthieCreateAppointmentInput!) { a: healthieCreateAppointment(input: $i) { messages { field } } b: healthieCreateAppointment(input: $i) { messages { field } } }'],
    ['thirty aliases', `mutation($i: HealthieCreateAppointmentInput!) { ${Array.from({ length: 30 }, (_, n) => `a${n}: healthieCreateAppointment(input: $i) { messages { field } }`).join(' ')} }`],
    ['a field and a fragment', 'mutation($i: HealthieCreateAppointmentInput!) { healthieCreateAppointment(input: $i) { messages { field } } ...F } fragment F on Mutation { again: healthieCreateAppointment(input: $i) { messages { field } } }'],
    ['nested inline fragments', 'mutation($i: HealthieCreateAppointmentInput!) { ... on Mutation { a: healthieCreateAppointment(input: $i) { messages { field } } ... { b: healthieCreateAppointment(input: $i) { messages { field } } } } }'],
    ['a fragment spread again inside another beside a second alias', 'mutation($i: HealthieCreateAppointmentInput!) { ...F ...G } fragment F on Mutation { a: healthieCreateAppointment(input: $i) { messages { field } } } fragment G on Mutation { ...F b: healthieCreateAppointment(input: $i) { messages { field } } }'],
    ['@include with a variable that is not sent', 'mutation($i: HealthieCreateAppointmentInput!, $twice: Boolean!) { a: healthieCreateAppointment(input: $i) { messages { field } } b: healthieCreateAppointment(input: $i) @include(if: $twice) { messages { field } } }'],
    ['one fragment spread twice beside another alias', 'mutation($i: HealthieCreateAppointmentInput!) { ...F ...F b: healthieCreateAppointment(input: $i) { messages { field } } } fragment F on Mutation { healthieCreateAppointment(input: $i) { messages { field } } }'],
    ['two fragments spreading different aliases', 'mutation($i: HealthieCreateAppointmentInput!) { ...F ...G } fragment F on Mutation { a: healthieCreateAppointment(input: $i) { messages { field } } } fragment G on Mutation { b: healthieCreateAppointment(input: $i) { messages { field } } }'],
    ['an alias named like the field beside the field', 'mutation($i: HealthieCreateAppointmentInput!) { healthieCreateAppointment(input: $i) { messages { field } } healthieCreateAppointment2: healthieCreateAppointment(input: $i) { messages { field } } }'],
    ['@skip(if: false)', 'mutation($i: HealthieCreateAppointmentInput!) { a: healthieCreateAppointment(input: $i) { messages { field } } b: healthieCreateAppointment(input: $i) @skip(if: false) { messages { field } } }'],
  ];
  for (const [name, document] of twoBookings) {
    it(`refuses more than one booking per operation (${name}) and sends nothing`, async () => {
      const result = await send(stack.url, document, { i: fixture.input(fixture.slots[1]!) });
      expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual([expect.stringMatching(/^(QUERY_TOO_COMPLEX|BAD_USER_INPUT)$/)]);
      expect(stack.sandbox.requests).toHaveLength(0);
    });
  }

  it('refuses a mutation whose fragments expand beyond the field limit, and sends nothing', async () => {
    const levels = Array.from({ length: 14 }, (_, n) => `fragment F${n} on Mutation { ...F${n + 1} ...F${n + 1} }`);
    const document = `mutation($i: HealthieCreateAppointmentInput!) { ...F0 } ${levels.join(' ')} fragment F14 on Mutation { healthieCreateAppointment(input: $i) { messages { field } } }`;
    const result = await send(stack.url, document, { i: fixture.input(fixture.slots[1]!) });
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it("refuses a client's alias of the subgraph's own booking aliases, in a booking or a read, and sends nothing", async () => {
    const booking = 'mutation($i: HealthieCreateAppointmentInput!) { healthieCreateAppointment(input: $i) { healthieSubgraphOutcomeAppointment: messages { field } } }';
    const read = '{ healthieCurrentUser { healthieSubgraphX: id } }';
    for (const [document, variables] of [[booking, { i: fixture.input(fixture.slots[1]!) }], [read, {}]] as const) {
      const result = await send(stack.url, document, variables);
      expect(result.status, document).toBe(400);
      expect(result.body.errors?.map((e) => e.extensions?.code), document).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(result.body.errors![0]!.message).toMatch(/^The alias "healthieSubgraph\w+" is reserved: aliases starting with "healthieSubgraph" are this subgraph's own\. Choose another alias\.$/);
    }
    expect(stack.sandbox.requests).toHaveLength(0);
    expect(creates(stack.sandbox)).toBe(0);
  });

  it('names the rule and the count when refusing two bookings', async () => {
    const result = await send(stack.url, twoBookings[0]![1], { i: fixture.input(fixture.slots[1]!) });
    expectRefused(result, 'QUERY_TOO_COMPLEX');
    expect(result.body.errors![0]!.message).toContain('at most one appointment');
    expect(result.body.errors![0]!.extensions).toMatchObject({ mutationFields: 2, maxMutationFields: 1 });
  });

  it('counts only fields that are provably skipped as absent: one booking plus a skipped one books once', async () => {
    const document =
      'mutation($i: HealthieCreateAppointmentInput!, $no: Boolean = false) { a: healthieCreateAppointment(input: $i) { appointment { id } } b: healthieCreateAppointment(input: $i) @include(if: $no) { appointment { id } } c: healthieCreateAppointment(input: $i) @skip(if: true) { appointment { id } } }';
    const result = await send(stack.url, document, { i: fixture.input(fixture.slots[2]!) });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.a.appointment.id).toEqual(expect.any(String));
    expect(creates(stack.sandbox)).toBe(1);
  });

  const CREATE = 'healthieCreateAppointment(input: $i) { appointment { id } }';

  it('refuses null for a non-null Boolean variable with a default as BAD_USER_INPUT naming it, before counting the bookings it would condition, and sends nothing', async () => {
    const document = `mutation($i: HealthieCreateAppointmentInput!, $s: Boolean! = false) { a: ${CREATE.replace(' {', ' @skip(if: $s) {')} b: ${CREATE.replace(' {', ' @include(if: $s) {')} }`;
    const result = await send(stack.url, document, { i: fixture.input(fixture.slots[3]!), s: null });
    // As for any variable that does not fit its type: graphql-js's refusal, HTTP 400.
    expect(result.status).toBe(400);
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(result.body.errors![0]!.message).toContain('$s');
    expect(result.body.data ?? null).toBeNull();
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('refuses null for the non-null input variable of two bookings as BAD_USER_INPUT naming it, and sends nothing', async () => {
    const document = `mutation($i: HealthieCreateAppointmentInput!) { a: ${CREATE} b: ${CREATE} }`;
    const result = await send(stack.url, document, { i: null });
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(result.body.errors![0]!.message).toContain('$i');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  // GraphQL merges fields of one response key into one field, executed once: one booking.
  const oneResponseKey: Array<[string, string]> = [
    ['one fragment spread twice', `mutation($i: HealthieCreateAppointmentInput!) { ...F ...F } fragment F on Mutation { ${CREATE} }`],
    ['the same field written twice', `mutation($i: HealthieCreateAppointmentInput!) { ${CREATE} ${CREATE} }`],
    ['one alias written twice, in a fragment and an inline fragment', `mutation($i: HealthieCreateAppointmentInput!) { x: ${CREATE} ... on Mutation { x: ${CREATE} } ...F } fragment F on Mutation { x: ${CREATE} }`],
    ['one alias skipped in one place and included in the other', `mutation($i: HealthieCreateAppointmentInput!, $s: Boolean = false) { x: ${CREATE.replace(' {', ' @skip(if: $s) {')} x: ${CREATE.replace(' {', ' @include(if: $s) {')} }`],
  ];
  oneResponseKey.forEach(([name, document], n) => {
    it(`counts fields of one response key as one booking (${name}), and books once`, async () => {
      const result = await send(stack.url, document, { i: fixture.input(fixture.slots[4 + n]!) });
      expect(result.body.errors).toBeUndefined();
      expect(Object.values(result.body.data!)).toEqual([{ appointment: { id: expect.any(String) } }]);
      expect(creates(stack.sandbox)).toBe(1);
    });
  });

  it('refuses one response key for two bookings with different inputs as a validation error, and sends nothing', async () => {
    const document = 'mutation($i: HealthieCreateAppointmentInput!, $j: HealthieCreateAppointmentInput!) { ...F x: healthieCreateAppointment(input: $j) { appointment { id } } } fragment F on Mutation { x: healthieCreateAppointment(input: $i) { appointment { id } } }';
    const result = await send(stack.url, document, { i: fixture.input(fixture.slots[1]!), j: fixture.input(fixture.slots[2]!) });
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  const badKeys: Array<[string, string]> = [
    ['256 characters', 'k'.repeat(256)],
    ['a control character', 'key\tvalue'],
  ];
  for (const [name, key] of badKeys) {
    it(`refuses an Idempotency-Key with ${name} as BAD_USER_INPUT, and sends nothing`, async () => {
      const result = await send(stack.url, BOOK, { input: fixture.input(fixture.slots[3]!) }, { 'idempotency-key': key });
      expectRefused(result, 'BAD_USER_INPUT');
      expect(result.body.errors![0]!.message).toContain('Idempotency-Key must be 1-255 printable ASCII characters');
      expect(stack.sandbox.requests).toHaveLength(0);
    });
  }

  it('refuses an empty, non-ASCII or repeated Idempotency-Key, and sends nothing', async () => {
    const raw = (headers: Array<[string, string]>) =>
      sendRaw(stack.url, [['x-healthie-api-key', AUTH['x-healthie-api-key']], ...headers], {
        query: BOOK,
        variables: { input: fixture.input(fixture.slots[3]!) },
      });
    const empty = await raw([['idempotency-key', '']]);
    const latin1 = await raw([['idempotency-key', 'cl\u00e9']]);
    const twice = await raw([['idempotency-key', 'a'], ['idempotency-key', 'b']]);
    for (const response of [empty, latin1, twice]) {
      expect(response.status).toBe(200);
      expect(response.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('refuses a booking without credentials as UNAUTHENTICATED when it carries a key, and sends nothing', async () => {
    const result = await send(stack.url, BOOK, { input: fixture.input(fixture.slots[3]!) }, { 'x-healthie-api-key': '', 'idempotency-key': 'no-credentials' });
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(stack.sandbox.requests).toHaveLength(0);
  });
});

describe('with HEALTHIE_REQUIRE_IDEMPOTENCY_KEY=true', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true', HEALTHIE_REQUIRE_IDEMPOTENCY_KEY: 'true' } });
  });
  afterAll(() => stack.close());

  it('refuses a booking without Idempotency-Key as BAD_USER_INPUT, and sends nothing', async () => {
    const result = await send(stack.url, BOOK, { input: { userId: '1' } });
    expectRefused(result, 'BAD_USER_INPUT');
    expect(result.body.errors![0]!.message).toContain('HEALTHIE_REQUIRE_IDEMPOTENCY_KEY');
    expect(stack.sandbox.requests).toHaveLength(0);
  });
});

/**
 * Healthie failing: every failure becomes a stable code, and the server keeps serving. (Without
 * retries, so each failure is seen as is; retries are tested in resilience.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql, GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { GENERIC_FIELD_MESSAGE } from '../../src/upstream/healthie-errors.js';
import { errorLines, startStack, type Stack } from '../helpers/stack.js';

type Mode = 'http500' | 'http429' | 'http401' | 'notJson' | 'rateLimited' | 'authMessage' | 'hang' | 'fieldError' | 'nullItem' | 'ok';

const approved = buildSchema(readFileSync('schema/healthie-approved.graphql', 'utf8'));
const forbidden = () => {
  throw new GraphQLError('Not authorized', { extensions: { code: 'FORBIDDEN' } });
};

/** A stand-in for Healthie that executes the approved schema, or fails in the way the current mode says. */
function startFaultyUpstream(): Promise<{ server: Server; url: string; setMode(mode: Mode): void; calls: () => number }> {
  let mode: Mode = 'ok';
  let calls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    let text = '';
    req.on('data', (chunk) => (text += String(chunk)));
    req.on('end', async () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      switch (mode) {
        case 'http500': return json(500, { error: 'boom' });
        case 'http429': return json(429, { error: 'slow down' });
        case 'http401': return json(401, { errors: [{ message: 'bad key' }] });
        case 'notJson':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<html>maintenance</html>');
        case 'rateLimited': return json(200, { data: null, errors: [{ message: 'Too many requests. Please try again later.', extensions: { code: 'TOO_MANY_REQUESTS' } }] });
        // A refused key reported as HTTP 200 with a message and no code.
        case 'authMessage': return json(200, { data: null, errors: [{ message: 'API Key is invalid' }] });
        case 'hang': return; // never answers
        // Breaks Healthie's own contract (AppointmentType.id: ID!): a bug-shaped failure, not the caller's.
        case 'nullItem': return json(200, { data: { healthieAppointmentTypes: { nodes: [{ __typename: 'AppointmentType', id: null }] } } });
        default: {
          const { query, variables } = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
          const currentUser = mode === 'fieldError' ? forbidden : () => ({ id: '1' });
          return json(200, await graphql({ schema: approved, source: query, variableValues: variables, rootValue: { currentUser } }));
        }
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/graphql`, setMode: (m) => (mode = m), calls: () => calls });
    }),
  );
}

describe('upstream failures', () => {
  let upstream: Awaited<ReturnType<typeof startFaultyUpstream>>;
  let stack: Stack;
  const ask = (key = DEMO_API_KEY) => stack.query('{ healthieCurrentUser { id } }', {}, { 'x-healthie-api-key': key });

  beforeAll(async () => {
    upstream = await startFaultyUpstream();
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_TIMEOUT_MS: '1500', HEALTHIE_RETRIES: '0', HEALTHIE_ALLOW_SCHEDULING: 'true' } });
  });
  afterAll(async () => {
    await stack.close();
    upstream.server.closeAllConnections();
    upstream.server.close();
  });

  const cases: Array<[Mode, string]> = [
    ['http500', 'UPSTREAM_UNAVAILABLE'],
    ['http429', 'UPSTREAM_RATE_LIMITED'],
    ['http401', 'UNAUTHENTICATED'],
    ['notJson', 'UPSTREAM_BAD_RESPONSE'],
    ['rateLimited', 'UPSTREAM_RATE_LIMITED'],
    ['authMessage', 'UNAUTHENTICATED'],
    ['hang', 'UPSTREAM_TIMEOUT'],
  ];
  for (const [mode, code] of cases) {
    it(`reports ${code} when Healthie answers ${mode}, then keeps serving`, async () => {
      upstream.setMode(mode);
      // A key of its own: a key Healthie refused is not sent again for a while (fairness-errors).
      const key = `key-for-${mode}`;
      const failed = await ask(key);
      expect(failed.status).toBe(200);
      expect(failed.body.data?.healthieCurrentUser ?? null).toBeNull();
      expect(failed.body.errors?.[0]?.extensions?.code).toBe(code);
      expect(failed.body.errors?.[0]?.message).not.toMatch(/at \w+ \(/);

      upstream.setMode('ok');
      const recovered = await ask(code === 'UNAUTHENTICATED' ? `${key}-replaced` : key);
      expect(recovered.body).toEqual({ data: { healthieCurrentUser: { id: '1' } } });
    });
  }

  it("keeps Healthie's field error on its path as UPSTREAM_ERROR with Healthie's code, its text withheld", async () => {
    upstream.setMode('fieldError');
    const result = await ask();
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors![0]).toMatchObject({
      message: GENERIC_FIELD_MESSAGE,
      path: ['healthieCurrentUser'],
      extensions: { code: 'UPSTREAM_ERROR', healthieCode: 'FORBIDDEN' },
    });
  });

  it("answers a null for a non-null field as Healthie's bad answer, with a request id and no error line", async () => {
    upstream.setMode('nullItem');
    const before = stack.logs.length;
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-healthie-api-key': DEMO_API_KEY },
      body: JSON.stringify({ query: '{ healthieAppointmentTypes { nodes { id } } }' }),
    });
    const body = (await response.json()) as { errors: Array<{ message: string; path: unknown[]; extensions: { code: string } }> };
    expect(body.errors.map((e) => [e.extensions.code, e.path])).toEqual([['UPSTREAM_BAD_RESPONSE', ['healthieAppointmentTypes', 'nodes', 0, 'id']]]);
    expect(body.errors[0]!.message).not.toMatch(/non-nullable|AppointmentType/);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toEqual(expect.any(String));
    expect(errorLines(stack.logs.slice(before))).toEqual([]);
    const logged = stack.logs.slice(before).map((line) => JSON.parse(line) as { requestId?: string; errorCodes?: string[] });
    expect(logged.find((l) => l.requestId === requestId && l.errorCodes)?.errorCodes).toEqual(['UPSTREAM_BAD_RESPONSE']);
  });

  it('sends a timed-out booking once and never retries it', async () => {
    upstream.setMode('hang');
    const before = upstream.calls();
    const result = await stack.query(
      'mutation { healthieCreateAppointment(input: { userId: "1" }) { messages { field } } }',
      {},
      { 'x-healthie-api-key': DEMO_API_KEY },
    );
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(upstream.calls() - before).toBe(1);
  });

  it('reports UPSTREAM_UNAVAILABLE when nothing listens at HEALTHIE_API_URL', async () => {
    const closed = await startFaultyUpstream();
    const url = closed.url;
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const down = await startStack({ upstreamUrl: url });
    try {
      const result = await down.query('{ healthieCurrentUser { id } }', {}, { 'x-healthie-api-key': DEMO_API_KEY });
      expect(result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      const ready = await fetch(down.url.replace('/graphql', '/readyz'));
      expect(ready.status).toBe(503);
    } finally {
      await down.close();
    }
  });
});

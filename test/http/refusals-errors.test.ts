/**
 * Every request refused before a GraphQL operation runs (router secret, Host, CSRF prevention,
 * batches, bodies over the limit or not JSON, methods, Node's own refusals, unknown routes,
 * /metrics without the secret) leaves exactly one log line and one count in
 * healthie_subgraph_requests_total, as answered requests do; and none of those lines holds a
 * header value, key, shard id, query text or variables.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, SHARDED_API_KEY, SHARDED_SHARD_ID } from '../../src/sandbox/index.js';
import { MAX_REQUEST_BYTES } from '../../src/server.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SECRET = 'router-secret-for-refusal-tests-0123456789';
const OPERATION = JSON.stringify({ query: '{ healthieCurrentUser { id } }' });
const trusted = { 'router-authorization': SECRET, 'x-healthie-api-key': DEMO_API_KEY };
const json = { ...trusted, 'content-type': 'application/json' };

/** The lines a request writes about itself: the request line of either kind. */
const REQUEST_LINES = new Set(['graphql request', 'request refused']);

interface Answer {
  status: number;
  requestId: string | null;
}

/** Writes `text` as it is on a fresh connection and reads the status and x-request-id of the answer. */
function raw(port: number, text: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const head = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0]!;
      resolve({ status: Number(head.slice(9, 12)), requestId: /\r\nx-request-id: ([^\r]+)/i.exec(head)?.[1] ?? null });
    });
  });
}

describe('requests refused before an operation runs', () => {
  let stack: Stack;
  let port: number;
  let base: string;
  beforeAll(async () => {
    stack = await startStack({ env: { ROUTER_SECRET: SECRET } });
    port = Number(new URL(stack.url).port);
    base = stack.url.replace('/graphql', '');
  });
  afterAll(() => stack.close());

  const send = async (path: string, init: RequestInit): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, init);
    await response.arrayBuffer();
    return { status: response.status, requestId: response.headers.get('x-request-id') };
  };
  /** healthie_subgraph_requests_total for operation type `none` and `code`. */
  const counted = async (code: string): Promise<number> => {
    const text = await (await fetch(`${base}/metrics`, { headers: { 'router-authorization': SECRET } })).text();
    return Number(new RegExp(`healthie_subgraph_requests_total\\{operation_type="none",code="${code}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  };
  const requestLines = (from: number) =>
    stack.logs
      .slice(from)
      .map((line) => JSON.parse(line) as Record<string, any>)
      .filter((line) => REQUEST_LINES.has(line.msg));

  /** name, request, status, code, and whether the line has a duration (refusals on /graphql: Node's own and other routes' have none). */
  const CASES: Array<[string, () => Promise<Answer>, number, string, boolean]> = [
    ['a request without the router secret', () => send('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: OPERATION }), 401, 'UNAUTHENTICATED', true],
    ['a wrong router secret', () => send('/graphql', { method: 'POST', headers: { ...json, 'router-authorization': `${SECRET}x` }, body: OPERATION }), 401, 'UNAUTHENTICATED', true],
    ['a Host that is not accepted', () => raw(port, `POST /graphql HTTP/1.1\r\nHost: attacker.example\r\nrouter-authorization: ${SECRET}\r\ncontent-type: application/json\r\ncontent-length: ${OPERATION.length}\r\nconnection: close\r\n\r\n${OPERATION}`), 403, 'FORBIDDEN', true],
    ['a text/plain body (CSRF prevention)', () => send('/graphql', { method: 'POST', headers: { ...trusted, 'content-type': 'text/plain' }, body: OPERATION }), 400, 'BAD_REQUEST', true],
    ['a body without a content type (CSRF prevention)', () => send('/graphql', { method: 'POST', headers: trusted, body: new Blob([OPERATION]) }), 400, 'BAD_REQUEST', true],
    ['a batch', () => send('/graphql', { method: 'POST', headers: json, body: `[${OPERATION}]` }), 400, 'BAD_REQUEST', true],
    ['a body over the limit', () => send('/graphql', { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __typename }', x: 'a'.repeat(MAX_REQUEST_BYTES) }) }), 413, 'BAD_REQUEST', true],
    ['a latin1 charset', () => send('/graphql', { method: 'POST', headers: { ...json, 'content-type': 'application/json; charset=latin1' }, body: OPERATION }), 415, 'BAD_REQUEST', true],
    ['a utf-16 charset', () => send('/graphql', { method: 'POST', headers: { ...json, 'content-type': 'application/json; charset=utf-16' }, body: Buffer.from(OPERATION, 'utf16le') }), 415, 'BAD_REQUEST', true],
    ['a body that is not JSON', () => send('/graphql', { method: 'POST', headers: json, body: '{"query": ' }), 400, 'BAD_REQUEST', true],
    ['variables sent as a string', () => send('/graphql', { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __typename }', variables: '{}' }) }), 400, 'BAD_REQUEST', true],
    ['PUT', () => send('/graphql', { method: 'PUT', headers: json, body: OPERATION }), 405, 'BAD_REQUEST', true],
    ['an unknown route', () => send('/graphiql', { headers: trusted }), 404, 'BAD_REQUEST', false],
    ['/metrics with a wrong router secret', () => send('/metrics', { headers: { 'router-authorization': `${SECRET}x` } }), 401, 'UNAUTHENTICATED', false],
    ['headers over 16 KB (Node refuses them)', () => raw(port, `POST /graphql HTTP/1.1\r\nHost: localhost\r\nx-padding: ${'a'.repeat(20 * 1024)}\r\n\r\n`), 431, 'BAD_REQUEST', false],
    ['a request that is not HTTP (Node refuses it)', () => raw(port, 'GET\u0000/graphql NOT-HTTP\r\n\r\n'), 400, 'BAD_REQUEST', false],
  ];

  for (const [name, request, status, code, timed] of CASES) {
    it(`logs ${name} in one line with status ${status} and ${code}, and counts it`, async () => {
      const countedBefore = await counted(code);
      const from = stack.logs.length;
      const answer = await request();
      expect(answer.status).toBe(status);
      const lines = requestLines(from);
      expect(lines, JSON.stringify(lines)).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'info', msg: 'request refused', status, errorCodes: [code], requestId: expect.any(String) });
      // The client can quote the id the log line carries.
      expect(answer.requestId).toBe(lines[0]!.requestId);
      if (timed) expect(lines[0]!.durationMs).toEqual(expect.any(Number));
      expect(await counted(code)).toBe(countedBefore + 1);
    });
  }

  it("logs a refusal under the router's request id when it sends one", async () => {
    const from = stack.logs.length;
    const answer = await send('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'router-req-42' }, body: OPERATION });
    expect(answer).toEqual({ status: 401, requestId: 'router-req-42' });
    expect(requestLines(from)).toMatchObject([{ msg: 'request refused', requestId: 'router-req-42' }]);
  });

  it('logs a request Apollo Server answers itself (parse failure, unknown persisted query, success) in exactly one line', async () => {
    const bodies = [
      JSON.stringify({ query: '{ healthieCurrentUser { id ' }),
      JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
      OPERATION,
    ];
    for (const body of bodies) {
      const from = stack.logs.length;
      await send('/graphql', { method: 'POST', headers: json, body });
      expect(requestLines(from).map((line) => line.msg), body).toEqual(['graphql request']);
    }
  });

  it('never logs a header value, key, shard id, Host, query text or variables of a refused request', async () => {
    const from = stack.logs.length;
    const guess = 'guessed-router-secret-Zq81';
    const operation = JSON.stringify({ query: 'query SecretLookupOp($kw: String) { healthieUsers(keywords: $kw) { nodes { id } } }', variables: { kw: 'MapleTreeKw' } });
    const private_ = { 'x-healthie-api-key': SHARDED_API_KEY, 'x-healthie-shard': SHARDED_SHARD_ID, 'x-custom-marker': 'HeaderMarkerValue' };
    await send('/graphql', { method: 'POST', headers: { ...private_, 'content-type': 'application/json', 'router-authorization': guess }, body: operation });
    await send('/graphql', { method: 'POST', headers: { ...private_, 'router-authorization': SECRET, 'content-type': 'text/plain' }, body: operation });
    await send('/graphql', { method: 'POST', headers: { ...private_, 'router-authorization': SECRET, 'content-type': 'application/json' }, body: `[${operation}]` });
    await send('/graphql', { method: 'POST', headers: { ...private_, 'router-authorization': SECRET, 'content-type': 'application/json' }, body: operation.slice(0, -1) });
    await send('/graphql', { method: 'PUT', headers: { ...private_, 'router-authorization': SECRET, 'content-type': 'application/json' }, body: operation });
    await send('/graphql', { method: 'POST', headers: { ...private_, 'router-authorization': SECRET, 'content-type': 'application/json; charset=utf-16-CharsetMarker' }, body: operation });
    await send('/metrics', { headers: { ...private_, 'router-authorization': guess } });
    await raw(port, `POST /graphql HTTP/1.1\r\nHost: attacker-name.example\r\nx-healthie-api-key: ${SHARDED_API_KEY}\r\ncontent-length: ${operation.length}\r\nconnection: close\r\n\r\n${operation}`);
    await raw(port, `POST /graphql HTTP/1.1\r\nHost: localhost\r\nx-healthie-api-key: ${SHARDED_API_KEY}\r\nx-padding: ${'HeaderMarkerValue'.repeat(1200)}\r\n\r\n`);
    const lines = stack.logs.slice(from);
    expect(requestLines(from)).toHaveLength(9);
    const text = lines.join('');
    for (const secret of [guess, SECRET, SHARDED_API_KEY, SHARDED_SHARD_ID, 'HeaderMarkerValue', 'attacker-name', 'SecretLookupOp', 'healthieUsers', 'MapleTreeKw', 'CharsetMarker', 'charsetmarker']) {
      expect(text).not.toContain(secret);
    }
  });
});

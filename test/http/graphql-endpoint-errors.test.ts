/**
 * Requests built to get around the checks in front of Apollo Server on the plain `/graphql`
 * handler: look-alike paths and request targets, a preflight without Origin, compressed and
 * chunked bodies over the size limit, a client that leaves while Healthie is answering, and
 * requests Node's HTTP parser refuses before any handler runs. Each is answered as GraphQL-shaped
 * JSON with a stable code, nothing reaches Healthie that should not, and the server keeps serving.
 */
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { answerClientError } from '../../src/http/http-errors.js';
import { requestLog } from '../../src/http/refusals.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';

const SECRET = 'router-secret-for-endpoint-tests-0123456789';
const OPERATION = JSON.stringify({ query: '{ healthieCurrentUser { id } }' });

interface RawAnswer {
  status: number;
  body: string;
}

/** Sends `head` (request line and headers, without the blank line) and `body` as written, on a fresh connection. */
function rawRequest(port: number, head: string, body: Buffer | string = ''): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(text.slice(9, 12)), body: split === -1 ? '' : text.slice(split + 4) });
    });
    // Not ended: Node's server aborts a request whose client half-closes the connection.
    socket.write(`${head}\r\nConnection: close\r\n\r\n`);
    socket.write(body);
  });
}

const headers = (extra = '') =>
  `Host: localhost\r\ncontent-type: application/json\r\nx-healthie-api-key: ${DEMO_API_KEY}\r\nrouter-authorization: ${SECRET}\r\n${extra}`;

function code(answer: RawAnswer): string | undefined {
  return (JSON.parse(answer.body) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code;
}

describe('the /graphql endpoint under attack', () => {
  let stack: Stack;
  let port: number;
  beforeAll(async () => {
    stack = await startStack({ env: { ROUTER_SECRET: SECRET } });
    port = Number(new URL(stack.url).port);
  });
  afterAll(() => stack.close());

  for (const target of ['/GRAPHQL', '//graphql', '/graphql%2f', '/graphql/x', 'http://localhost/graphql', 'http://evil.example/graphql']) {
    it(`answers the request target ${target} with a JSON 404, sending nothing to Healthie`, async () => {
      stack.sandbox.clearRequests();
      const answer = await rawRequest(port, `POST ${target} HTTP/1.1\r\n${headers(`content-length: ${OPERATION.length}`)}`, OPERATION);
      expect(answer.status).toBe(404);
      expect(code(answer)).toBe('BAD_REQUEST');
      expect(stack.sandbox.requests).toHaveLength(0);
    });
  }

  it('does not let an OPTIONS request without Origin past the router secret', async () => {
    const answer = await rawRequest(port, 'OPTIONS /graphql HTTP/1.1\r\nHost: localhost\r\naccess-control-request-method: POST\r\ncontent-length: 0');
    expect(answer.status).toBe(401);
    expect(code(answer)).toBe('UNAUTHENTICATED');
  });

  it('refuses a gzip body that inflates past the size limit with 413, sending nothing to Healthie', async () => {
    stack.sandbox.clearRequests();
    const bomb = gzipSync(Buffer.from(`{"query":"{ healthieCurrentUser { id } }","x":"${' '.repeat(8 * 1024 * 1024)}"}`));
    const answer = await rawRequest(port, `POST /graphql HTTP/1.1\r\n${headers(`content-encoding: gzip\r\ncontent-length: ${bomb.length}`)}`, bomb);
    expect(answer.status).toBe(413);
    expect(code(answer)).toBe('BAD_REQUEST');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('refuses a chunked body past the size limit (no content-length) with 413, sending nothing to Healthie', async () => {
    stack.sandbox.clearRequests();
    const body = JSON.stringify({ query: '{ healthieCurrentUser { id } }', x: 'a'.repeat(300 * 1024) });
    const chunked = `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const answer = await rawRequest(port, `POST /graphql HTTP/1.1\r\n${headers('transfer-encoding: chunked')}`, chunked);
    expect(answer.status).toBe(413);
    expect(code(answer)).toBe('BAD_REQUEST');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('keeps serving after clients leave mid-body and mid-answer, without logging an error', async () => {
    const leave = (text: string) =>
      new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(text);
          // Gone before the body is complete (first) or while Healthie is answering (second).
          setImmediate(() => socket.destroy());
        });
        socket.on('close', () => resolve());
        socket.on('error', () => undefined);
      });
    await leave(`POST /graphql HTTP/1.1\r\n${headers('content-length: 1000')}\r\n\r\n{"query":`);
    await leave(`POST /graphql HTTP/1.1\r\n${headers(`content-length: ${OPERATION.length}`)}\r\n\r\n${OPERATION}`);
    const answer = await rawRequest(port, `POST /graphql HTTP/1.1\r\n${headers(`content-length: ${OPERATION.length}`)}`, OPERATION);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { healthieCurrentUser: { id: expect.any(String) } } });
    expect(stack.logs.filter((line) => /"level":50/.test(line))).toEqual([]);
  });

  it('answers a request that is not HTTP with a JSON 400 BAD_REQUEST, then keeps serving', async () => {
    stack.sandbox.clearRequests();
    const answer = await rawRequest(port, 'GET\u0000/graphql NOT-HTTP');
    expect(answer.status).toBe(400);
    expect(code(answer)).toBe('BAD_REQUEST');
    expect(stack.sandbox.requests).toHaveLength(0);
    const next = await rawRequest(port, `POST /graphql HTTP/1.1\r\n${headers(`content-length: ${OPERATION.length}`)}`, OPERATION);
    expect(next.status).toBe(200);
  });

  it("answers headers over Node's 16 KB limit with a JSON 431 BAD_REQUEST, sending nothing to Healthie", async () => {
    stack.sandbox.clearRequests();
    const answer = await rawRequest(port, `POST /graphql HTTP/1.1\r\n${headers(`x-padding: ${'a'.repeat(20 * 1024)}\r\ncontent-length: ${OPERATION.length}`)}`, OPERATION);
    expect(answer.status).toBe(431);
    expect(code(answer)).toBe('BAD_REQUEST');
    expect(JSON.parse(answer.body).errors[0].message).toMatch(/headers are too large/);
    expect(stack.sandbox.requests).toHaveLength(0);
  });
});

describe("the server's answer to requests Node refuses", () => {
  /** A request log writing to `lines`. */
  function capturedLog() {
    const lines: Array<Record<string, any>> = [];
    const destination = new Duplex({ read() {}, write(chunk: Buffer, _encoding, done) { lines.push(JSON.parse(chunk.toString('utf8'))); done(); } });
    return { lines, log: requestLog(createLogger({ level: 'info', destination }), createMetrics()) };
  }

  /** A socket that records what is written to it. */
  function recordingSocket(inFlight?: { headersSent: boolean }) {
    const written: string[] = [];
    const socket = new Duplex({ read() {}, write(chunk: Buffer, _encoding, done) { written.push(chunk.toString('utf8')); done(); } });
    if (inFlight) Object.assign(socket, { _httpMessage: inFlight });
    return { socket, written };
  }

  it('answers a request that did not arrive in time with a JSON 408, logs it and closes the connection', () => {
    const { socket, written } = recordingSocket();
    const { lines, log } = capturedLog();
    answerClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket, log);
    expect(written.join('')).toMatch(/^HTTP\/1.1 408 Request Timeout\r\n/);
    const body = written.join('').split('\r\n\r\n')[1]!;
    expect(JSON.parse(body).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(socket.destroyed).toBe(true);
    expect(lines).toMatchObject([{ msg: 'request refused', status: 408, errorCodes: ['BAD_REQUEST'] }]);
  });

  it('writes and logs nothing on a connection whose answer has begun (its request is logged already), and closes it', () => {
    const { socket, written } = recordingSocket({ headersSent: true });
    const { lines, log } = capturedLog();
    answerClientError(Object.assign(new Error('parse error'), { code: 'HPE_INVALID_METHOD' }), socket, log);
    expect(written).toEqual([]);
    expect(socket.destroyed).toBe(true);
    expect(lines).toEqual([]);
  });

  it('writes nothing to a client that reset the connection, and logs no refusal', () => {
    const { socket, written } = recordingSocket();
    const { lines, log } = capturedLog();
    answerClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), socket, log);
    expect(written).toEqual([]);
    expect(socket.destroyed).toBe(true);
    expect(lines).toEqual([]);
  });
});

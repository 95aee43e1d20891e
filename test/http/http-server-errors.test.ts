/**
 * Slow senders are cut off close to the limits (headers, whole request), not up to Node's default
 * 30 s check later: headers or a body trickled in a byte at a time get their JSON 408, logged
 * once. The limits are shortened for the test (300 ms, 600 ms); the bounds are generous.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const HEADERS_MS = 300;
const REQUEST_MS = 600;
/** Well below the 30 s Node waited between checks before, and far above the limits plus one check. */
const CUT_OFF_BY_MS = 8_000;
/** An operation padded so that, a byte every 50 ms, it would take 10 s to arrive. */
const SLOW_OPERATION = `{"query": "{ healthieCurrentUser { id } }"${' '.repeat(160)}}`;

interface Cut {
  /** The status answered, or 0 when nothing was answered by CUT_OFF_BY_MS. */
  status: number;
  /** From the first byte sent to the first byte of the answer. */
  elapsedMs: number;
  code?: string;
}

/** Sends `prefix` at once, then `trickled` one byte every 50 ms, on a fresh connection, until the server answers or closes. */
function sendSlowly(port: number, prefix: string, trickled: string): Promise<Cut> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let started = 0;
    let answeredAt = 0;
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const socket = connect(port, '127.0.0.1', () => {
      started = performance.now();
      if (prefix) socket.write(prefix);
      timer = setInterval(() => {
        if (sent < trickled.length && socket.writable) socket.write(trickled[sent++]!);
      }, 50);
    });
    const deadline = setTimeout(() => socket.destroy(), CUT_OFF_BY_MS);
    socket.on('data', (chunk: Buffer) => {
      answeredAt ||= performance.now();
      chunks.push(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(deadline);
      const text = Buffer.concat(chunks).toString('utf8');
      if (!answeredAt) return resolve({ status: 0, elapsedMs: performance.now() - started });
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status: Number(text.slice(9, 12)), elapsedMs: answeredAt - started, code: JSON.parse(body).errors?.[0]?.extensions?.code });
    });
  });
}

describe('clients too slow to send their request', () => {
  let stack: Stack;
  let port: number;
  beforeAll(async () => {
    stack = await startStack({ httpTimeouts: { headersMs: HEADERS_MS, requestMs: REQUEST_MS } });
    port = Number(new URL(stack.url).port);
  });
  afterAll(() => stack.close());

  const requestLines = (from: number) =>
    stack.logs
      .slice(from)
      .map((line) => JSON.parse(line) as Record<string, any>)
      .filter((line) => line.msg === 'request refused' || line.msg === 'graphql request');

  it('cuts off headers sent a byte at a time with a JSON 408 soon after the headers limit, and logs it once', async () => {
    const from = stack.logs.length;
    const headers = `POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\nx-padding: ${'a'.repeat(400)}\r\n\r\n`;
    const cut = await sendSlowly(port, '', headers);
    expect(cut.status, `answered after ${Math.round(cut.elapsedMs)} ms`).toBe(408);
    expect(cut.code).toBe('BAD_REQUEST');
    expect(cut.elapsedMs).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(requestLines(from)).toMatchObject([{ msg: 'request refused', status: 408, errorCodes: ['BAD_REQUEST'] }]);
  }, 20_000);

  it('cuts off a body sent a byte at a time with a JSON 408 soon after the request limit, logs it once, and keeps serving', async () => {
    const from = stack.logs.length;
    const head = `POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\nx-request-id: slow-body-1\r\nx-healthie-api-key: ${DEMO_API_KEY}\r\ncontent-length: ${SLOW_OPERATION.length}\r\n\r\n`;
    const cut = await sendSlowly(port, head, SLOW_OPERATION);
    expect(cut.status, `answered after ${Math.round(cut.elapsedMs)} ms`).toBe(408);
    expect(cut.code).toBe('BAD_REQUEST');
    expect(cut.elapsedMs).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    // A request after it is answered; the body reader's failure on the closed request is not logged again.
    const next = await stack.query('{ healthieCurrentUser { id } }', {}, { 'x-healthie-api-key': DEMO_API_KEY });
    expect(next.status).toBe(200);
    expect(requestLines(from)).toMatchObject([
      { msg: 'request refused', status: 408, errorCodes: ['BAD_REQUEST'], requestId: 'slow-body-1' },
      { msg: 'graphql request', errorCodes: [] },
    ]);
    expect(stack.logs.slice(from).filter((line) => /"level":"error"/.test(line))).toEqual([]);
  }, 20_000);
});

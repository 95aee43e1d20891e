/**
 * Every header of a request is read, however many come before it: nothing a check depends on
 * (a key, the scopes, the body's length) can be pushed out of sight by padding.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** 1,200 header lines of 6 bytes: 7 KB, so that two of them stay under the 16 KiB Node accepts. */
const PADDING = 'p:v\r\n'.repeat(1_200);

/** Sends one raw HTTP request and resolves with its status and JSON body. */
function raw(port: number, text: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const answer = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(answer.slice(9, 12)), body: JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) });
    });
  });
}

function request(headers: string, body: string): string {
  return `POST /graphql HTTP/1.1\r\nHost: localhost\r\nconnection: close\r\n${PADDING}${headers}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('headers after thousands of others', () => {
  let stack: Stack;
  let port: number;
  beforeAll(async () => {
    stack = await startStack();
    port = Number(new URL(stack.url).port);
  });
  afterAll(() => stack?.close());

  it('reads the key and the body length sent after 1,200 header lines, and answers', async () => {
    const answer = await raw(port, request(`x-healthie-api-key: ${DEMO_API_KEY}\r\n`, JSON.stringify({ query: '{ healthieCurrentUser { id } }' })));
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.healthieCurrentUser.id).toEqual(expect.any(String));
  });

  it('sees a second x-healthie-api-key sent after the padding, and refuses the repeated header', async () => {
    const answer = await raw(
      port,
      request(`x-healthie-api-key: ${DEMO_API_KEY}\r\n${PADDING}x-healthie-api-key: another-key\r\n`, JSON.stringify({ query: '{ healthieCurrentUser { id } }' })),
    );
    expect(answer.body.data?.healthieCurrentUser ?? null).toBeNull();
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

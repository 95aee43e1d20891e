/**
 * Compressed request bodies are accepted in the encodings body-parser decodes, once each; a body
 * in another encoding, in several stacked in one header, or that does not decompress as its
 * header says, is refused with BAD_REQUEST and a message that says what was wrong and what is
 * accepted, never "must not be compressed" or "send uncompressed" (which a router compressing
 * its requests would read as "compression is refused"). What the refusals name is checked
 * against what is accepted, over real HTTP, and nothing reaches Healthie.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const OPERATION = JSON.stringify({ query: '{ healthieCurrentUser { id } }' });
/** Compressors for the encodings Node has, by Content-Encoding name. */
const COMPRESS: Record<string, (body: Buffer) => Buffer> = {
  gzip: (body) => zlib.gzipSync(body),
  deflate: (body) => zlib.deflateSync(body),
  br: (body) => zlib.brotliCompressSync(body),
  identity: (body) => body,
  ...('zstdCompressSync' in zlib ? { zstd: (body: Buffer) => (zlib as unknown as { zstdCompressSync(b: Buffer): Buffer }).zstdCompressSync(body) } : {}),
};
/** Wording that says compression itself is refused. */
const SAYS_UNCOMPRESSED_ONLY = /must not be compressed|send uncompressed/i;

interface Answer {
  readonly status: number;
  readonly message: string;
  readonly code: string | undefined;
}

describe('compressed request bodies', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  async function send(encoding: string, body: Buffer | string): Promise<Answer> {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding, 'x-healthie-api-key': DEMO_API_KEY },
      body,
    });
    const json = (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    return { status: response.status, message: json.errors?.[0]?.message ?? '', code: json.errors?.[0]?.extensions?.code };
  }

  /** A refusal: BAD_REQUEST with `status`, nothing sent to Healthie, the header not logged. */
  async function expectRefused(encoding: string, body: Buffer | string, status: number): Promise<string> {
    stack.sandbox.clearRequests();
    const logged = stack.logs.length;
    const answer = await send(encoding, body);
    expect(answer, encoding).toMatchObject({ status, code: 'BAD_REQUEST' });
    expect(answer.message).not.toMatch(SAYS_UNCOMPRESSED_ONLY);
    expect(stack.sandbox.requests).toHaveLength(0);
    // A header of the client's own words is echoed to it only (the names of real encodings are no secret).
    if (!(encoding in COMPRESS)) expect(stack.logs.slice(logged).join('\n')).not.toContain(encoding);
    return answer.message;
  }

  it('refuses gzip stacked with identity with 415, naming the header sent and that encodings may not be stacked', async () => {
    const message = await expectRefused('gzip, identity', zlib.gzipSync(OPERATION), 415);
    expect(message).toContain('"gzip, identity"');
    expect(message).toMatch(/several encodings in one header are not accepted/);
    expect(message).toMatch(/compressed once with one of gzip, deflate, br/);
  });

  it('refuses gzip applied twice with 415, naming both', async () => {
    const message = await expectRefused('gzip, gzip', zlib.gzipSync(zlib.gzipSync(OPERATION)), 415);
    expect(message).toContain('"gzip, gzip"');
  });

  it('refuses an encoding body-parser does not decode with 415, naming it and the encodings accepted', async () => {
    const message = await expectRefused('compress', OPERATION, 415);
    expect(message).toContain('"compress"');
    expect(message).not.toMatch(/several/);
    expect(message).toMatch(/uncompressed \(no Content-Encoding, or identity\) or compressed once with one of gzip, deflate, br/);
  });

  it('accepts a body in every encoding the refusal names, and in none', async () => {
    const message = await expectRefused('x-unknown-encoding', OPERATION, 415);
    const named = /one of ([a-z, ]+)\./.exec(message)?.[1]?.split(', ') ?? [];
    expect(named).toEqual(expect.arrayContaining(['gzip', 'deflate', 'br']));
    for (const encoding of [...named, 'identity', 'GZIP']) {
      const compress = COMPRESS[encoding.toLowerCase()];
      expect(compress, `the refusal names ${encoding}, which this test cannot produce`).toBeDefined();
      const answer = await send(encoding, compress!(Buffer.from(OPERATION)));
      expect(answer, encoding).toMatchObject({ status: 200, message: '' });
    }
  });

  const broken: Array<[string, string, Buffer | string]> = [
    ['gzip', 'plain JSON claiming gzip', OPERATION],
    ['gzip', 'a gzip body cut short', zlib.gzipSync(OPERATION).subarray(0, 20)],
    ['deflate', 'a gzip body claiming deflate', zlib.gzipSync(OPERATION)],
    ['br', 'plain JSON claiming br', OPERATION],
  ];
  for (const [encoding, what, body] of broken) {
    it(`refuses ${what} with 400, saying it did not decompress as ${encoding} and how to send it`, async () => {
      const message = await expectRefused(encoding, body, 400);
      expect(message).toBe(`Request body did not decompress as its Content-Encoding "${encoding}" says: send it compressed with that encoding, or uncompressed without Content-Encoding.`);
    });
  }

  it('says a compressed body over the size limit is counted once decompressed', async () => {
    const big = zlib.gzipSync(JSON.stringify({ query: '{ healthieCurrentUser { id } }', x: ' '.repeat(1024 * 1024) }));
    expect(await expectRefused('gzip', big, 413)).toMatch(/exceeds 262144 bytes \(counted once decompressed\)/);
  });
});

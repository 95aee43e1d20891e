/**
 * `/readyz` is ready only when Healthie answers as a GraphQL server: an HTML page, a wrong path,
 * a proxy's 5xx or a body that is not GraphQL's is "upstream unreachable", not "ready".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../helpers/stack.js';
import { startUpstream, type Reply, type Upstream } from '../helpers/upstream.js';

const NOT_HEALTHIE: Array<[string, Reply]> = [
  ['a 404 HTML page (a wrong HEALTHIE_API_URL path)', { status: 404, body: '<h1>Not Found</h1>' }],
  ['a 200 that is not JSON', { status: 200, body: 'garbage' }],
  ['a 503 from a proxy in front of it', { status: 503, body: { errors: [{ message: 'Service Unavailable' }] } }],
  ['a 502 HTML page', { status: 502, body: '<html>Bad Gateway</html>' }],
  ['JSON with neither data nor errors', { status: 200, body: { ok: true } }],
];

describe('readiness when Healthie does not answer as Healthie', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(() => upstream?.close());

  /** What /readyz answers from a subgraph just started in front of Healthie answering `reply`. */
  async function readiness(reply: Reply): Promise<{ status: number; body: unknown }> {
    upstream.setReply(() => reply);
    const stack = await startStack({ upstreamUrl: upstream.url });
    try {
      const ready = await fetch(stack.url.replace('/graphql', '/readyz'));
      return { status: ready.status, body: await ready.json() };
    } finally {
      await stack.close();
    }
  }

  for (const [name, reply] of NOT_HEALTHIE) {
    it(`answers 503 "upstream unreachable" to ${name}`, async () => {
      expect(await readiness(reply)).toMatchObject({ status: 503, body: { status: 'upstream unreachable' } });
    });
  }

  it('answers 200 "ready" when Healthie refuses the keyless probe with its GraphQL errors (401)', async () => {
    const refusal = { status: 401, body: { errors: [{ message: 'Unauthenticated', extensions: { code: 'UNAUTHENTICATED' } }] } };
    expect(await readiness(refusal)).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
});

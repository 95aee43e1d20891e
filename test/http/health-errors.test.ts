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

  for (const [name, reply] of NOT_HEALTHIE) {
    it(`answers 503 "upstream unreachable" to ${name}`, async () => {
      upstream.setReply(() => reply);
      const stack = await startStack({ upstreamUrl: upstream.url });
      try {
        const ready = await fetch(stack.url.replace('/graphql', '/readyz'));
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ status: 'upstream unreachable' });
      } finally {
        await stack.close();
      }
    });
  }

  it('answers 200 "ready" when Healthie refuses the keyless probe with its GraphQL errors (401)', async () => {
    upstream.setReply(() => ({ status: 401, body: { errors: [{ message: 'Unauthenticated', extensions: { code: 'UNAUTHENTICATED' } }] } }));
    const stack = await startStack({ upstreamUrl: upstream.url });
    try {
      const ready = await fetch(stack.url.replace('/graphql', '/readyz'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
    } finally {
      await stack.close();
    }
  });
});

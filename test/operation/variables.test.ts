/**
 * Variables are coerced once per request: the cost check's coerced values (defaults applied) are
 * offered to the later hooks of the same request, and to no other request.
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import type { SubgraphContext } from '../../src/context.js';
import { coercedVariablesOf } from '../../src/operation/variables.js';
import { costLimitPlugin } from '../../src/plugins/cost.js';

const typeDefs = 'type Item { id: ID } type Page { nodes: [Item] } type Query { items(first: Int, tag: String): Page }';

async function withServer(run: (server: ApolloServer<SubgraphContext>, seen: unknown[]) => Promise<void>) {
  const seen: unknown[] = [];
  // A later plugin, as the planned path is: it reads the values in its own hooks.
  const reader: ApolloServerPlugin<SubgraphContext> = {
    async requestDidStart() {
      return {
        async responseForOperation(requestContext) {
          const first = coercedVariablesOf(requestContext);
          seen.push(first === coercedVariablesOf(requestContext) ? first : 'a different object per read');
          return null;
        },
      };
    },
  };
  const server = new ApolloServer<SubgraphContext>({ typeDefs, resolvers: { Query: { items: () => ({ nodes: [] }) } }, plugins: [costLimitPlugin(), reader] });
  await server.start();
  try {
    await run(server, seen);
  } finally {
    await server.stop();
  }
}

describe('coercedVariablesOf', () => {
  it("offers later hooks the request's coerced variables, defaults applied, frozen, one object per request", async () => {
    await withServer(async (server, seen) => {
      const query = 'query($n: Int = 5, $tag: String) { items(first: $n, tag: $tag) { nodes { id } } }';
      await server.executeOperation({ query, variables: { tag: 'a' } });
      await server.executeOperation({ query, variables: { n: 7, tag: null } });
      expect(seen).toEqual([{ n: 5, tag: 'a' }, { n: 7, tag: null }]);
      expect(seen.every((values) => Object.isFrozen(values))).toBe(true);
    });
  });

  it('offers nothing for variables that do not coerce, which execution reports as BAD_USER_INPUT', async () => {
    await withServer(async (server, seen) => {
      const response = await server.executeOperation({ query: 'query($n: Int) { items(first: $n) { nodes { id } } }', variables: { n: 'ten' } });
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      expect(result?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(seen).toEqual([undefined]);
    });
  });

  it('knows nothing of a request the cost check has not seen', () => {
    expect(coercedVariablesOf({ request: { query: '{ items { nodes { id } } }' } })).toBeUndefined();
  });
});

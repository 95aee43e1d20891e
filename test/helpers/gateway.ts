/**
 * A real @apollo/gateway in front of the subgraph under test, configured as Applied's router is:
 * the supergraph composed from supergraph.yaml (the healthie subgraph pointed at the test's
 * server) plus any extra subgraphs, the named request headers propagated, and
 * `router-authorization` sent when a router secret is given.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { composeSubgraphs, readSupergraphConfig, type SubgraphSource } from '../../src/schema/compose.js';

export interface GatewayOptions {
  /** URL of the healthie subgraph under test. */
  readonly healthieUrl: string;
  /** Request headers the router propagates to subgraphs. */
  readonly propagate: readonly string[];
  readonly routerSecret?: string;
  readonly extraSubgraphs?: readonly SubgraphSource[];
}

export interface StartedGateway {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<StartedGateway> {
  const subgraphs = readSupergraphConfig().map((s) => (s.name === 'healthie' ? { ...s, url: options.healthieUrl } : s));
  const composed = composeSubgraphs([...subgraphs, ...(options.extraSubgraphs ?? [])]);
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const gateway = new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<{ headers: Record<string, string | string[] | undefined> }>({
        url,
        willSendRequest({ request, context }) {
          if (options.routerSecret) request.http?.headers.set('router-authorization', options.routerSecret);
          for (const name of options.propagate) {
            const value = context.headers?.[name];
            if (typeof value === 'string') request.http?.headers.set(name, value);
          }
        },
      }),
  });
  // @apollo/gateway 2.14 is typed for the older gateway interface that Apollo Server 5 still accepts.
  const server = new ApolloServer({ gateway: gateway as never });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' }, context: async ({ req }) => ({ headers: req.headers }) });
  return { url, stop: () => server.stop() };
}

/**
 * graphql-js ships a CommonJS build (`main`) and an ESM build (`module`). Vitest resolves the
 * project's own `import 'graphql'` to the ESM build while the libraries it loads through Node
 * (@graphql-tools/*, @apollo/*, @graphql-inspector/core) get the CommonJS build, and graphql-js
 * refuses to mix schema objects of two instances ("Cannot use GraphQLObjectType ... from another
 * module or realm"). The schema tests therefore mock `graphql` with the CommonJS build:
 *
 *   vi.mock('graphql', async () => (await import('./graphql-cjs.js')).graphqlCjs());
 *
 * Under `tsx` (the CLIs, the server) Node resolves every import to the CommonJS build already.
 */
import { createRequire } from 'node:module';

export function graphqlCjs(): Record<string, unknown> {
  return createRequire(import.meta.url)('graphql') as Record<string, unknown>;
}

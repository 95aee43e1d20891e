/**
 * The built-in Healthie sandbox: a Healthie-compatible GraphQL server over the approved schema,
 * serving seeded synthetic data for three accounts (two unsharded, one sharded).
 */
export { DEMO_API_KEY, SECOND_API_KEY, SHARDED_API_KEY, SHARDED_SHARD_ID } from './accounts.js';
export { startSandbox } from './server.js';
export type { RecordedRequest, SandboxOptions, StartedSandbox } from './server.js';

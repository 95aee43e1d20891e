import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS and ESM builds; Apollo's packages load the CommonJS one, so the
    // tests must too, or the two copies reject each other's types ("another module or realm"),
    // as Node itself resolves it at run time.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real HTTP servers on loopback; keep the suite within the 2 cores of CI machines.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

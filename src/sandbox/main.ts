/**
 * Runs the sandbox on its own: `tsx src/sandbox/main.ts` (port from SANDBOX_PORT, default 4010).
 * Only loopback is bound: the sandbox is for local development, tests and benchmarks.
 */
import { DEMO_API_KEY, startSandbox } from './index.js';

const DEFAULT_PORT = 4010;

function portFromEnvironment(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`SANDBOX_PORT must be a port number (0-65535), got "${value}"`);
  }
  return port;
}

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
try {
  sandbox = await startSandbox({ host: '127.0.0.1', port: portFromEnvironment(process.env.SANDBOX_PORT) });
} catch (error) {
  console.error(`Healthie sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(
  `Healthie sandbox (synthetic data only, no real patients) at ${sandbox.url} - demo API key: ${DEMO_API_KEY}, ` +
    `Healthie-GraphQL-API-Version: ${sandbox.apiVersion}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().finally(() => process.exit(0));
  });
}

/**
 * Entry point: `npm start`. Reads the environment, starts the built-in Healthie sandbox when no
 * HEALTHIE_API_URL is configured (never in production), and serves the subgraph.
 */
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { createServer } from './server.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const closers: Array<() => Promise<void>> = [];

  if (!config.healthie.url) {
    const { startSandbox, DEMO_API_KEY } = await import('./sandbox/index.js');
    const sandbox = await startSandbox();
    closers.push(() => sandbox.close());
    if (config.healthie.credentials) {
      logger.warn('HEALTHIE_API_KEY is ignored without HEALTHIE_API_URL: the built-in sandbox only knows its demo keys');
    }
    config = { ...config, healthie: { ...config.healthie, url: sandbox.url, credentials: { apiKey: DEMO_API_KEY } } };
    console.log(
      [
        '',
        '  Healthie sandbox: HEALTHIE_API_URL is not set, so this server talks to the built-in',
        `  Healthie-compatible sandbox at ${sandbox.url}.`,
        '  All of its patients, providers and appointments are SYNTHETIC. Set HEALTHIE_API_URL',
        '  (and HEALTHIE_API_KEY or the x-healthie-api-key header) to use a real Healthie account.',
        '',
      ].join('\n'),
    );
  }

  const server = await createServer(config, { logger });
  closers.unshift(() => server.close());
  const { url } = await server.listen(config.port);
  logger.info({ url, production: config.production }, 'healthie subgraph ready');
  if (!config.production) console.log(`  GraphQL and Apollo Sandbox: ${url}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const close of closers) await close().catch((err: unknown) => logger.error({ err }, 'error during shutdown'));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  // A ConfigError found after loading (the schema's API version) is reported like any other.
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});

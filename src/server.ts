/**
 * Server assembly: configuration in, an HTTP server with `/graphql`, `/healthz` and `/readyz` out.
 * Listening is separate (`listen`), so tests create servers on ephemeral loopback ports and the
 * entry point (`main.ts`) stays a few lines.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import express from 'express';
import type { GraphQLObjectType } from 'graphql';
import type { Config } from './config.js';
import { createContextFactory, type SubgraphContext } from './context.js';
import { apolloLogger, createLogger, type Logger } from './logger.js';
import { costLimitPlugin } from './plugins/cost.js';
import { formatError } from './format-error.js';
import { LIMITS, limitProtections } from './plugins/limits.js';
import { loggingPlugin } from './plugins/logging.js';
import { planPlugin, TRACE_HEADER, type PlanStats } from './plan/plugin.js';
import { artifactApiVersion } from './schema/build.js';
import { createRuntimeSchema, readSchemaArtifacts } from './subgraph/schema.js';
import { createHealthieClient } from './upstream/client.js';
import { createMetrics, metricsHandler, metricsPlugin, type Metrics } from './metrics.js';
import { upstreamErrorsPlugin } from './plugins/upstream-errors.js';
import { createRedis, type Redis } from './redis.js';
import { MemoryRateLimiter, rateLimitTenant, RedisRateLimiter, type RateLimiter } from './upstream/rate-limit.js';
import type { Credentials } from './credentials.js';
import { resolveApiVersion, VersionMonitor } from './upstream/version.js';
import { createBookingService } from './booking/service.js';
import { reservedAliases } from './booking/delegation.js';
import { prototypeKeys } from './operation/prototype-keys.js';
import { healthRoutes } from './http/health.js';
import { hostCheck, routerSecretCheck } from './http/router-trust.js';
import { graphqlEndpoint, isGraphQLPath } from './http/graphql-endpoint.js';
import { jsonBody } from './http/json-body.js';
import { answerHttpError, expressFallbacks, MAX_REQUEST_BYTES } from './http/http-errors.js';
import { closeServer, createHttpServer, listenOn, type HttpTimeouts } from './http/http-server.js';
import { requestLog } from './http/refusals.js';
import { browserCors } from './http/browser-cors.js';

export interface ServerDependencies {
  /** Defaults to a pino logger at config.logLevel writing to stdout. */
  readonly logger?: Logger;
  /** How long a client may take to send its request; defaults to HTTP_TIMEOUTS (README "Limits"). */
  readonly httpTimeouts?: HttpTimeouts;
}

export interface HealthieSubgraphServer {
  readonly app: express.Express;
  /** This server's own metrics (one registry per server). */
  readonly metrics: Metrics;
  /** The port /metrics is served on when METRICS_PORT is set (0 picks one), once listening. */
  readonly metricsUrl: () => string | undefined;
  /** Starts listening; resolves with the GraphQL endpoint URL. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
  /** Counters of the planned path (plan-cache hits, planned and delegated requests). */
  planStats(): PlanStats;
}

export { MAX_REQUEST_BYTES } from './http/http-errors.js';
export { SANDBOX_ORIGINS } from './http/browser-cors.js';


export async function createServer(config: Config, dependencies: ServerDependencies = {}): Promise<HealthieSubgraphServer> {
  const url = config.healthie.url;
  if (!url) throw new Error('createServer needs config.healthie.url; main.ts starts the built-in sandbox when none is configured.');
  const logger = dependencies.logger ?? createLogger({ level: config.logLevel });
  const artifacts = readSchemaArtifacts();
  // The version sent is the one the schema was built for; HEALTHIE_API_VERSION may only confirm it.
  const version = new VersionMonitor({ apiVersion: resolveApiVersion(artifactApiVersion(artifacts.approvedSdl), config.healthie.apiVersion), logger });
  const metrics = createMetrics();
  metrics.watchApiVersion(version);
  const redis: Redis | undefined = config.redisUrl && config.healthie.rateLimitRps ? createRedis({ url: config.redisUrl }) : undefined;
  const rps = config.healthie.rateLimitRps;
  const rateLimitSecret = config.booking.hashSecret ?? randomBytes(32).toString('hex');
  const rateLimiter: RateLimiter | undefined = rps
    ? redis
      ? new RedisRateLimiter(redis, rps, { onFallback: () => metrics.rateLimiterFallbacks.inc(), logger })
      : new MemoryRateLimiter(rps)
    : undefined;
  const client = createHealthieClient({
    url,
    timeoutMs: config.healthie.timeoutMs,
    apiVersion: version.apiVersion,
    version,
    connections: config.healthie.connections,
    maxInFlightPerKey: config.healthie.maxInFlightPerKey,
    queueTimeoutMs: config.healthie.queueTimeoutMs,
    retries: config.healthie.retries,
    breakerCooldownMs: config.healthie.breakerCooldownMs,
    metrics,
    logger,
    // Buckets are named by a hash keyed like booking's (TENANT_HASH_SECRET, required with Redis).
    ...(rateLimiter ? { rateLimiter: { limiter: rateLimiter, tenant: (c: Credentials) => rateLimitTenant(c, rateLimitSecret) } } : {}),
  });
  const runtime = createRuntimeSchema(client.executor, artifacts);
  const contextFor = createContextFactory({
    subschema: runtime.subschema,
    entityType: (typeName) => runtime.wrapped.getType(typeName) as GraphQLObjectType,
    serverCredentials: config.healthie.credentials,
    logger,
  });

  const booking = await createBookingService({ config, executor: client.executor, logger, metrics });

  const app = express();
  app.disable('x-powered-by');
  let graphql: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const requests = requestLog(logger, metrics);
  const httpServer: Server = createHttpServer(
    // GraphQL requests go straight to their endpoint; Express serves the other routes.
    (req, res) => (graphql && isGraphQLPath(req.url) ? graphql(req, res) : app(req, res)),
    requests,
    dependencies.httpTimeouts,
  );
  const limits = limitProtections({ production: config.production });
  const planned = planPlugin({
    schema: runtime.schema,
    approved: runtime.subschema.schema,
    executor: client.executor,
    cacheSize: config.plan.cacheSize,
    cacheMaxBytes: config.plan.cacheMaxBytes,
    includeStacktrace: !config.production,
  });

  const apollo = new ApolloServer<SubgraphContext>({
    schema: runtime.schema,
    introspection: !config.production,
    logger: apolloLogger(logger),
    // main.ts owns the process's signals and closes the sandbox too; Apollo must not race it.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !config.production,
    validationRules: [...limits.validationRules, reservedAliases, prototypeKeys],
    parseOptions: { maxTokens: LIMITS.maxTokens },
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      onlyForTracedRequests(ApolloServerPluginInlineTrace({ includeErrors: { masked: true } })),
      config.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      // Before logging: the logging plugin must see Healthie's errors already split and coded.
      upstreamErrorsPlugin(),
      loggingPlugin(),
      metricsPlugin(metrics),
      costLimitPlugin(),
      booking.plugin,
      ...(limits.plugins as ApolloServerPlugin<SubgraphContext>[]),
      // After every check above: it answers only operations that passed them all.
      ...(config.plan.enabled ? [planned.plugin] : []),
    ],
  });
  await apollo.start();

  app.use(healthRoutes(client, version));
  // /metrics: on METRICS_PORT when set (a port the router's network never reaches), else here,
  // behind ROUTER_SECRET when one is configured.
  const serveMetrics = metricsHandler(metrics, config.routerSecret);
  let metricsServer: Server | undefined;
  let metricsAddress: string | undefined;
  if (config.metricsPort !== undefined) {
    const metricsApp = express();
    metricsApp.disable('x-powered-by');
    metricsApp.get('/metrics', serveMetrics);
    metricsApp.use(expressFallbacks(requests));
    metricsServer = createHttpServer(metricsApp, requests, dependencies.httpTimeouts);
  } else {
    // The Host check too: a page rebinding its name to this server must not read the metrics.
    app.get('/metrics', hostCheck(config.access.allowedHosts), serveMetrics);
  }
  graphql = graphqlEndpoint({
    apollo,
    context: async (req) => booking.attach(contextFor(req.headersDistinct), req.headersDistinct),
    checks: [
      hostCheck(config.access.allowedHosts),
      // CORS before the router secret: a browser's preflight cannot carry it.
      ...(config.production ? [] : [browserCors()]),
      routerSecretCheck(config.routerSecret),
    ],
    body: jsonBody(MAX_REQUEST_BYTES),
    onError: (error, _req, res, started) => answerHttpError(error, res, requests, started),
    log: requests,
  });
  app.use(expressFallbacks(requests));

  return {
    app,
    planStats: planned.stats,
    metrics,
    metricsUrl: () => metricsAddress,
    async listen(port = config.port, host = config.host) {
      const shownHost = host === '0.0.0.0' ? 'localhost' : host;
      if (metricsServer) metricsAddress = `http://${shownHost}:${await listenOn(metricsServer, config.metricsPort, host)}/metrics`;
      const bound = await listenOn(httpServer, port, host);
      return { url: `http://${shownHost}:${bound}/graphql`, port: bound };
    },
    async close() {
      await apollo.stop();
      await closeServer(httpServer);
      await client.close();
      await closeServer(metricsServer);
      redis?.disconnect();
      await booking.close();
    },
  };
}

/**
 * The inline trace plugin builds a trace tree for every request before it looks at the header
 * asking for one; only requests asking for a federated trace reach it.
 */
function onlyForTracedRequests(plugin: ApolloServerPlugin<SubgraphContext>): ApolloServerPlugin<SubgraphContext> {
  return {
    ...plugin,
    async requestDidStart(requestContext) {
      if (requestContext.request.http?.headers.get(TRACE_HEADER) !== 'ftv1') return undefined;
      return plugin.requestDidStart?.(requestContext);
    },
  };
}

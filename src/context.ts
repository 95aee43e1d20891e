/**
 * The per-request context. Everything request-scoped lives here and dies with the request:
 * the tenant's credentials, the request id that ties log lines together, and the entity loaders.
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLOutputType } from 'graphql';
import type { Subschema } from '@graphql-tools/delegate';
import { resolveCredentials, type Credentials } from './credentials.js';
import { createEntityLoaders, type EntityLoaders } from './loaders/entities.js';
import type { Logger } from './logger.js';
import type { EntityTypeName } from './schema/federation.js';

export interface SubgraphContext extends Record<string, unknown> {
  readonly requestId: string;
  /** Undefined when neither the request nor the server has a key: upstream calls then fail with UNAUTHENTICATED. */
  readonly credentials: Credentials | undefined;
  readonly logger: Logger;
  readonly loaders: EntityLoaders;
}

export interface ContextFactoryOptions {
  readonly subschema: Subschema<unknown, unknown, unknown, SubgraphContext>;
  readonly entityType: (typeName: EntityTypeName) => GraphQLOutputType;
  readonly serverCredentials: Credentials | undefined;
  readonly logger: Logger;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function createContextFactory(options: ContextFactoryOptions) {
  return (headers: Readonly<Record<string, string | string[] | undefined>>): SubgraphContext => {
    // Reuse the router's request id when it is a plain token, so log lines join across services.
    const incoming = headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const context = {
      requestId,
      credentials: resolveCredentials(headers, options.serverCredentials),
      logger: options.logger,
    } as SubgraphContext;
    (context as { loaders: EntityLoaders }).loaders = createEntityLoaders(options.subschema, options.entityType, context);
    return context;
  };
}

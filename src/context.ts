/**
 * The per-request context. Everything request-scoped lives here and dies with the request:
 * the tenant's credentials, the request id that ties log lines together, and the entity loaders.
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLOutputType } from 'graphql';
import type { Subschema } from '@graphql-tools/delegate';
import { resolveCredentials, type CredentialResolution, type Credentials } from './credentials.js';
import { createEntityLoaders, type EntityLoaders } from './loaders/entities.js';
import type { Logger } from './logger.js';
import type { EntityTypeName } from './schema/federation.js';

export interface SubgraphContext extends Record<string, unknown> {
  readonly requestId: string;
  /** The tenant's credentials, or why there are none: upstream calls then fail with UNAUTHENTICATED. */
  readonly credentials: CredentialResolution;
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

/** The response header (and the router's request header) carrying the request id. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The router's request id when it is a plain token, so log lines join across services; else a new one. */
export function requestIdFrom(headers: Readonly<Record<string, readonly string[] | undefined>>): string {
  const incoming = headers[REQUEST_ID_HEADER];
  return incoming?.length === 1 && REQUEST_ID.test(incoming[0]!) ? incoming[0]! : randomUUID();
}

export function createContextFactory(options: ContextFactoryOptions) {
  /** `headers` as all values per name (Node's `headersDistinct`), so repeated headers are visible. */
  return (headers: Readonly<Record<string, readonly string[] | undefined>>): SubgraphContext => {
    const requestId = requestIdFrom(headers);
    let loaders: EntityLoaders | undefined;
    const context = {
      requestId,
      credentials: resolveCredentials(headers, options.serverCredentials),
      logger: options.logger,
      // Created on first use: only `_entities` on the delegation path reads them (the planned
      // path fetches references itself), and building them for every request was garbage on
      // every request. They delegate with this very context, so that their Healthie requests
      // batch with the operation's own and carry its credentials. A copy of the context (Apollo
      // copies it for executeOperation) reads the getter and carries the same loaders.
      get loaders(): EntityLoaders {
        return (loaders ??= createEntityLoaders(options.subschema, options.entityType, context));
      },
    } as SubgraphContext;
    return context;
  };
}

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
  /** Shared by every copy of this request's context (see RequestScope). */
  readonly scope: RequestScope;
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

/**
 * What every copy of one request's context shares: Apollo Server executes on a shallow copy of
 * the context it was given (`Object.assign` onto the same prototype), so per-request state that
 * must be one for the whole request lives in this object, which both copies point to.
 */
export interface RequestScope {
  loaders?: EntityLoaders;
}

/**
 * One request's context. `loaders` is a getter of the class, not an own property: a copy does
 * not call it (so a request that never resolves `_entities` by delegation never builds them),
 * and every copy reads the one scope's loaders. They delegate with the context that first asks
 * for them, the one execution runs with, and so carry its credentials. (Their requests are one
 * per batch of references; the operation's root fields, resolved in an earlier tick, are sent
 * on their own.)
 */
class RequestContext {
  constructor(
    readonly requestId: string,
    readonly credentials: CredentialResolution,
    readonly logger: Logger,
    readonly scope: RequestScope,
    private readonly createLoaders: (context: SubgraphContext) => EntityLoaders,
  ) {}

  get loaders(): EntityLoaders {
    return (this.scope.loaders ??= this.createLoaders(this as unknown as SubgraphContext));
  }
}

export function createContextFactory(options: ContextFactoryOptions) {
  const createLoaders = (context: SubgraphContext) => createEntityLoaders(options.subschema, options.entityType, context);
  /** `headers` as all values per name (Node's `headersDistinct`), so repeated headers are visible. */
  return (headers: Readonly<Record<string, readonly string[] | undefined>>): SubgraphContext =>
    new RequestContext(requestIdFrom(headers), resolveCredentials(headers, options.serverCredentials), options.logger, {}, createLoaders) as unknown as SubgraphContext;
}

/**
 * One request's context: Apollo Server executes on a shallow copy of it, and every copy shares
 * the request's state; the entity loaders are built only when `_entities` asks for them.
 */
import { describe, expect, it } from 'vitest';
import { createContextFactory, requestIdFrom } from '../src/context.js';
import { createLogger } from '../src/logger.js';

/** Apollo Server's copy of a context before executing (cloneObject in ApolloServer.ts). */
const apolloCopy = <T extends object>(context: T): T => Object.assign(Object.create(Object.getPrototypeOf(context)), context);

const factory = createContextFactory({
  // Read only when loaders fetch a reference, which these tests never do.
  subschema: {} as never,
  entityType: () => ({}) as never,
  serverCredentials: undefined,
  logger: createLogger({ level: 'silent' }),
});

describe('a request context', () => {
  it('builds no entity loaders when copied, and builds them once, shared by every copy, when asked', () => {
    const context = factory({ 'x-request-id': ['req-1'] });
    const copy = apolloCopy(context);
    expect(context.scope.loaders).toBeUndefined();
    const loaders = copy.loaders;
    expect(context.scope.loaders).toBe(loaders);
    expect(context.loaders).toBe(loaders);
    expect(apolloCopy(copy).loaders).toBe(loaders);
  });

  it('keeps its fields in a copy, and gives another request a scope and loaders of its own', () => {
    const context = factory({ 'x-request-id': ['req-1'] });
    const copy = apolloCopy(context);
    expect([copy.requestId, copy.credentials, copy.logger, copy.scope]).toEqual([context.requestId, context.credentials, context.logger, context.scope]);
    const other = factory({ 'x-request-id': ['req-2'] });
    expect(other.scope).not.toBe(context.scope);
    expect(other.loaders).not.toBe(context.loaders);
  });

  it('takes the router request id when it is a plain token, and draws one otherwise', () => {
    expect(requestIdFrom({ 'x-request-id': ['abc-123'] })).toBe('abc-123');
    expect(requestIdFrom({ 'x-request-id': ['has space'] })).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom({ 'x-request-id': ['a', 'b'] })).toMatch(/^[0-9a-f-]{36}$/);
  });
});

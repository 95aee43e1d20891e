/**
 * Healthie's API versions as the sandbox answers them: the version header is required and must
 * name the version the sandbox serves, and answers on a version older than the latest carry
 * Healthie's sunset warning.
 */
import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { API_VERSION, gql, healthieHeaders, useSandbox } from './helpers.js';

const WHO = '{ currentUser { id } }';
const withoutVersion = (): Record<string, string> => {
  const { 'healthie-graphql-api-version': _omitted, ...headers } = healthieHeaders();
  return headers;
};

describe('sandbox API versions', () => {
  const sandbox = useSandbox({ extraVersions: { '2026-07-01': 'type Query { currentUser: User } type User { id: ID! uuid: String }' } });

  it('serves the version schema/healthie-approved.graphql was built for, 2026-01-01', () => {
    expect(sandbox.apiVersion).toBe('2026-01-01');
    expect(API_VERSION).toBe('2026-01-01');
  });

  it('warns on every answer that 2026-01-01 is sunset on 2027-01-31 in favour of 2026-07-01', async () => {
    const reply = await gql(sandbox.url, WHO);
    expect(reply.body.data).toEqual({ currentUser: { id: '1001' } });
    expect((reply.body as Record<string, any>).extensions).toEqual({
      warnings: [
        {
          code: 'API_VERSION_SUNSET_WARNING',
          requested_version: '2026-01-01',
          sunset_date: '2027-01-31',
          latest_version: '2026-07-01',
          message: expect.stringContaining('2027-01-31'),
        },
      ],
    });
  });

  it('refuses a request without the header with UNSUPPORTED_API_VERSION, as Healthie will from 2027-01-31', async () => {
    const reply = await gql(sandbox.url, WHO, undefined, withoutVersion());
    expect(reply.status).toBe(200);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toEqual([
      {
        message: expect.stringMatching(/Healthie-GraphQL-API-Version header is required/),
        extensions: { code: 'UNSUPPORTED_API_VERSION', requested_version: null, minimum_supported_version: '2026-01-01', latest_version: '2026-07-01' },
      },
    ]);
  });

  it.each([
    ['an unpublished date', '2024-11-07', /not a published API version/],
    ['a published version the sandbox does not serve', '2025-01-01', /not supported/],
    ['a value that is not a date', 'latest', /not a published API version/],
  ])('refuses %s with UNSUPPORTED_API_VERSION naming the requested version', async (_label, version, message) => {
    const reply = await gql(sandbox.url, WHO, undefined, { ...healthieHeaders(), 'healthie-graphql-api-version': version });
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'UNSUPPORTED_API_VERSION', requested_version: version } });
  });

  it('checks the version before the key, so even an unauthenticated probe learns it is refused', async () => {
    const reply = await gql(sandbox.url, WHO, undefined, { authorization: 'Basic wrong', authorizationsource: 'API' });
    expect(reply.status).toBe(200);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_API_VERSION');
    expect(reply.text).not.toContain(DEMO_API_KEY);
  });

  it('records the requests it refuses, with their headers', async () => {
    sandbox.clearRequests();
    await gql(sandbox.url, WHO, undefined, withoutVersion());
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]!.headers['healthie-graphql-api-version']).toBeUndefined();
    expect(sandbox.requests[0]!.account).toBeUndefined();
  });

  it('answers introspection on an extra version with that version schema and no sunset warning', async () => {
    const reply = await gql(sandbox.url, getIntrospectionQuery(), undefined, { ...healthieHeaders(), 'healthie-graphql-api-version': '2026-07-01' });
    const user = (reply.body.data as any).__schema.types.find((type: { name: string }) => type.name === 'User');
    expect(user.fields.map((field: { name: string }) => field.name)).toEqual(['id', 'uuid']);
    expect((reply.body as Record<string, any>).extensions).toBeUndefined();
  });
});

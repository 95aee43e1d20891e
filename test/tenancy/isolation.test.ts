/**
 * Two tenants' concurrent traffic never crosses: every upstream request carries the key of the
 * client request that caused it, and no response holds another tenant's data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, SECOND_API_KEY } from '../../src/sandbox/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TENANTS = [
  { key: DEMO_API_KEY, account: 'demo', idBase: 1000 },
  { key: SECOND_API_KEY, account: 'second', idBase: 2000 },
] as const;

const inRange = (id: string, base: number) => Number(id) >= base && Number(id) < base + 1000;

describe('tenant isolation', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sandbox: { rateLimit: { requests: 10_000, windowMs: 60_000 } } });
  });
  afterAll(() => stack.close());

  it('keeps 200 concurrent interleaved requests of two tenants apart', async () => {
    // Each tenant's own organization name, to recognise leaks in responses.
    const orgs = new Map<string, string>();
    for (const tenant of TENANTS) {
      const who = await stack.query('{ healthieCurrentUser { organization { name } } }', {}, { 'x-healthie-api-key': tenant.key });
      orgs.set(tenant.account, who.body.data!.healthieCurrentUser.organization.name);
    }
    expect(new Set(orgs.values()).size).toBe(2);
    stack.sandbox.clearRequests();

    const calls = Array.from({ length: 200 }, (_, i) => {
      const tenant = TENANTS[i % 2]!;
      const representations = [1, 2, 3].map((k) => ({ __typename: 'HealthieUser', id: String(tenant.idBase + k) }));
      return stack
        .query(
          `query($r: [_Any!]!) {
            healthieCurrentUser { id organization { name } }
            healthieUsers(pageSize: 5) { id lastName }
            _entities(representations: $r) { ... on HealthieUser { id } }
          }`,
          { r: representations },
          { 'x-healthie-api-key': tenant.key },
        )
        .then((result) => ({ tenant, result }));
    });
    const results = await Promise.all(calls);

    for (const { tenant, result } of results) {
      expect(result.body.errors).toBeUndefined();
      const data = result.body.data!;
      expect(data.healthieCurrentUser.organization.name).toBe(orgs.get(tenant.account));
      const ids = [data.healthieCurrentUser.id, ...data.healthieUsers.map((u: { id: string }) => u.id)];
      expect(ids.every((id) => inRange(id, tenant.idBase))).toBe(true);
    }
    const upstream = stack.sandbox.requests;
    expect(upstream.length).toBeGreaterThanOrEqual(200);
    for (const request of upstream) {
      const tenant = TENANTS.find((t) => `Basic ${t.key}` === request.headers.authorization);
      expect(tenant).toBeDefined();
      expect(request.account).toBe(tenant!.account);
    }
    expect(upstream.filter((r) => r.account === 'demo').length).toBe(upstream.filter((r) => r.account === 'second').length);
  });
});

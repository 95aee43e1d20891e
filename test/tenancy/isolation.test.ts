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

/** Both tenants ask for the same ids, half of them their own: a cache keyed by id alone would leak. */
const SHARED_IDS = ['1001', '1002', '1003', '2001', '2002', '2003'];

const OPERATION = `query($r: [_Any!]!) {
  healthieCurrentUser { id organization { name } }
  healthieUsers(first: 5) { nodes { id lastName } }
  _entities(representations: $r) { ... on HealthieUser { id lastName } }
}`;

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

    const representations = SHARED_IDS.map((id) => ({ __typename: 'HealthieUser', id }));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const tenant = TENANTS[i % 2]!;
        return stack.query(OPERATION, { r: representations }, { 'x-healthie-api-key': tenant.key }).then((result) => ({ tenant, result }));
      }),
    );

    for (const { tenant, result } of results) {
      expect(result.body.errors).toBeUndefined();
      const data = result.body.data!;
      expect(data.healthieCurrentUser.organization.name).toBe(orgs.get(tenant.account));
      const ids = [data.healthieCurrentUser.id, ...data.healthieUsers.nodes.map((u: { id: string }) => u.id)];
      expect(ids.every((id) => inRange(id, tenant.idBase))).toBe(true);
      // Own ids resolve, the other tenant's ids are null: the same ids, different answers.
      const entities = data._entities as Array<{ id: string } | null>;
      expect(entities.map((e) => e?.id ?? null)).toEqual(SHARED_IDS.map((id) => (inRange(id, tenant.idBase) ? id : null)));
    }

    // One request for the root fields and one for the entity references, per operation.
    const upstream = stack.sandbox.requests;
    expect(upstream).toHaveLength(400);
    for (const request of upstream) {
      const tenant = TENANTS.find((t) => `Basic ${t.key}` === request.headers.authorization);
      expect(tenant).toBeDefined();
      expect(request.account).toBe(tenant!.account);
    }
    expect(upstream.filter((r) => r.account === 'demo')).toHaveLength(200);
    // 400 upstream requests on a shared two-core machine: a generous bound, not a speed check.
  }, 120_000);
  it('keeps tenants apart on the planned path too, where each document\'s plan and entity template are shared by every tenant', async () => {
    const roots = 'query Roots__healthie__0 { healthieCurrentUser { id } healthieUsers(first: 5) { nodes { id } } }';
    const entities = 'query Entities__healthie__1($r: [_Any!]!) { _entities(representations: $r) { ... on HealthieUser { id lastName } } }';
    const representations = SHARED_IDS.map((id) => ({ __typename: 'HealthieUser', id }));
    const before = stack.server.planStats().planned;
    stack.sandbox.clearRequests();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const tenant = TENANTS[i % 2]!;
        const [query, variables] = i % 4 < 2 ? [roots, {}] : [entities, { r: representations }];
        return stack.query(query, variables, { 'x-healthie-api-key': tenant.key }).then((result) => ({ tenant, result }));
      }),
    );
    expect(stack.server.planStats().planned - before).toBe(100);
    for (const { tenant, result } of results) {
      expect(result.body.errors).toBeUndefined();
      const data = result.body.data!;
      if (data._entities) {
        const found = data._entities as Array<{ id: string } | null>;
        expect(found.map((e) => e?.id ?? null)).toEqual(SHARED_IDS.map((id) => (inRange(id, tenant.idBase) ? id : null)));
      } else {
        const ids = [data.healthieCurrentUser.id, ...data.healthieUsers.nodes.map((u: { id: string }) => u.id)];
        expect(ids.every((id) => inRange(id, tenant.idBase))).toBe(true);
      }
    }
    for (const request of stack.sandbox.requests) {
      const tenant = TENANTS.find((t) => `Basic ${t.key}` === request.headers.authorization);
      expect(request.account).toBe(tenant!.account);
    }
    expect(stack.sandbox.requests).toHaveLength(100);
  }, 120_000);
});

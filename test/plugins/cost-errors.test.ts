/**
 * Hostile operations are refused with QUERY_TOO_COMPLEX before Healthie is called: fragment
 * chains, pages of size 0, negative or huge (literal or variable), aliases, the booking's
 * selection, and any failure of the estimate itself.
 */
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costLimitPlugin } from '../../src/plugins/cost.js';
import { MAX_EXPANDED_FIELDS } from '../../src/operation/expand.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { appointmentsPage, CONNECTIONS, doublingChain, PAGE_SIZE_ARGUMENT, usersPage } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

describe('hostile operations', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.sandbox.clearRequests());

  async function refused(query: string, variables: Record<string, unknown> = {}) {
    const result = await stack.query(query, variables, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.body.data ?? null).toBeNull();
    expect(stack.sandbox.requests).toHaveLength(0);
    return result.body.errors![0]!;
  }

  it('refuses 14 doubling fragments around a page of 100000 patients (the cost limit no longer fails open)', async () => {
    const page = usersPage('100000', '...F14');
    const query = doublingChain(14, 'healthieUsers', 'HealthieUser', 'id email dob').replace('{ healthieUsers { ...F14 } }', `{ ${page} }`);
    expect(query).toContain('100000');
    const error = await refused(query);
    expect(error.message).toContain(`more than ${MAX_EXPANDED_FIELDS} fields once its fragments are expanded`);
  });

  it('answers a 30-level doubling chain (1.5 KB, 2^30 fields) with a refusal, promptly', async () => {
    await refused(doublingChain(30));
  });

  it("refuses the same trick on the booking's selection, booking nothing", async () => {
    const chain = doublingChain(14, 'healthieCreateAppointment(input: { userId: "1001" }) { appointment', 'HealthieAppointment').replace(
      '{ ...F14 } }',
      '{ ...F14 } } }',
    );
    await refused(`mutation ${chain}`);
  });

  it('refuses 29 aliases of healthieAppointments with a page of 0: a page of 0 counts as 100', async () => {
    const aliases = Array.from({ length: 29 }, (_, i) => `a${i}: ${appointmentsPage('0', 'id')}`).join('\n');
    const error = await refused(`{ ${aliases} }`);
    expect(error.extensions?.cost).toBeGreaterThan(2000);
  });

  it('refuses negative page sizes the same way', async () => {
    const negative = Array.from({ length: 12 }, (_, i) => `a${i}: ${usersPage('-1', 'id firstName')}`).join('\n');
    await refused(`{ ${negative} }`);
  });

  it.skipIf(CONNECTIONS)('counts a pageSize Healthie ignores (no shouldPaginate: true) as 100', async () => {
    const ignored = Array.from({ length: 12 }, (_, i) => `a${i}: healthieAppointments(pageSize: 1, filter: "all") { id date }`).join('\n');
    await refused(`{ ${ignored} }`);
  });

  it('refuses a page over 100, from a literal or a variable, stating the maximum', async () => {
    const literal = await refused(`{ ${usersPage('101', 'id')} }`);
    expect(literal.message).toContain('more than 100 items');
    expect(literal.extensions?.maxPageSize).toBe(100);
    const variable = await refused(`query($n: Int) { ${usersPage('$n', 'id')} }`, { n: 100000 });
    expect(variable.message).toContain(`${PAGE_SIZE_ARGUMENT}: 100000`);
  });

  it('leaves variables of the wrong type to BAD_USER_INPUT, sending nothing', async () => {
    const result = await stack.query(`query($n: Int) { ${usersPage('$n', 'id')} }`, { n: 'lots' }, auth);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('still answers a reasonable paged operation', async () => {
    const result = await stack.query(`{ ${usersPage('5', 'id')} }`, {}, auth);
    expect(result.body.errors).toBeUndefined();
    const users = result.body.data!.healthieUsers;
    expect(CONNECTIONS ? users.nodes : users).toHaveLength(5);
  });
});

describe('a failing estimate', () => {
  it('refuses the operation with QUERY_TOO_COMPLEX instead of letting it through', async () => {
    let resolved = 0;
    const server = new ApolloServer({
      typeDefs: 'type Query { hello: String }',
      resolvers: { Query: { hello: () => ((resolved += 1), 'world') } },
      plugins: [
        costLimitPlugin({
          estimate: () => {
            throw new Error('the estimator broke');
          },
        }),
      ],
    });
    await server.start();
    try {
      const response = await server.executeOperation({ query: '{ hello }' });
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      expect(result?.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(result?.errors?.[0]?.message).not.toContain('estimator broke');
      expect(resolved).toBe(0);
    } finally {
      await server.stop();
    }
  });
});

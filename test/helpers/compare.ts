/**
 * The differential comparison of the planned path and the delegation path: one operation sent to
 * both subgraphs, their answers compared field by field, errors included. Shared by the test over
 * the sandbox (test/plan/differential.test.ts) and the one over faked Healthie errors
 * (test/plan/differential-errors.test.ts), so that both hold the paths to the same standard.
 */
import { expect } from 'vitest';
import { post, type GraphQLResponse } from './stack.js';

type Body = GraphQLResponse['body'];

/**
 * The body as compared. Stack traces say where each error was made, which differs by design.
 * Errors are compared in path order: GraphQL gives their order no meaning, and on the delegation
 * path it follows the order in which DataLoader promises happen to settle. Errors on one path
 * keep their order (the sort is stable).
 */
export function comparable(body: Body): Body {
  const copy = JSON.parse(JSON.stringify(body, (key, value) => (key === 'stacktrace' ? undefined : value))) as Body;
  copy.errors?.sort((a, b) => (JSON.stringify(a.path) < JSON.stringify(b.path) ? -1 : JSON.stringify(a.path) > JSON.stringify(b.path) ? 1 : 0));
  return copy;
}

/** Sends the operation to both paths and expects the same answer; returns it (as compared). */
export async function expectSameAnswers(
  urls: { readonly planned: string; readonly delegated: string },
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<Body> {
  const [viaPlan, viaDelegation] = await Promise.all([post(urls.planned, query, variables, headers), post(urls.delegated, query, variables, headers)]);
  const plannedBody = comparable(viaPlan.body);
  const delegatedBody = comparable(viaDelegation.body);
  const label = `${query} ${JSON.stringify(variables)} ${JSON.stringify(Object.keys(headers))}`;
  expect({ status: viaPlan.status, body: plannedBody }, label).toEqual({ status: viaDelegation.status, body: delegatedBody });
  // Deep equality ignores the order of keys, which a client may read: the texts must be equal too.
  expect(JSON.stringify(plannedBody.data), label).toBe(JSON.stringify(delegatedBody.data));
  // Equal answers can be equally wrong: neither path may mask an internal failure.
  expect(plannedBody.errors?.filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? [], label).toEqual([]);
  return plannedBody;
}

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
 * Errors are compared in a defined order (path, code, healthieCode, message): GraphQL
 * gives their order no meaning, and the two paths report them in different orders (the planned
 * path Healthie's errors first, in Healthie's order, then those of completion; delegation as
 * execution meets them, as DataLoader promises happen to settle, and the errors it could not
 * place in the answer last). Everything else of each error is compared.
 */
export function comparable(body: Body): Body {
  const copy = JSON.parse(JSON.stringify(body, (key, value) => (key === 'stacktrace' ? undefined : value))) as Body;
  const order = (error: NonNullable<Body['errors']>[number]) =>
    [JSON.stringify(error.path ?? null), error.extensions?.code, error.extensions?.healthieCode, error.message].map(String).join('\u0000');
  copy.errors?.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
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

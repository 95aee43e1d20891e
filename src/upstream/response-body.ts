/**
 * Healthie's answer body, read as a GraphQL response or not at all.
 *
 * Why a check of its own: GraphQL's response contract says an answer is an object whose `data` is
 * an object or null and whose `errors`, when present, is a list, with data or at least one error. A
 * body outside it (`{}`, `{"data": null}`, `data` that is text, a list) is Healthie failing, and
 * passed on it would reach a client as an empty answer, which reads as "no such patient"; on the
 * planned path it would not even complete. The client turns `undefined` into
 * UPSTREAM_BAD_RESPONSE, and nothing of the body is quoted.
 */

export interface GraphQLResponseBody {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly unknown[];
  readonly extensions?: unknown;
}

/** `text` as a GraphQL response, or undefined when it is not JSON or breaks the contract. */
export function graphQLResponse(text: string): GraphQLResponseBody | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const { data, errors } = payload as { data?: unknown; errors?: unknown };
  if (errors !== undefined && !Array.isArray(errors)) return undefined;
  if (data === undefined || data === null) return Array.isArray(errors) && errors.length > 0 ? (payload as GraphQLResponseBody) : undefined;
  return typeof data === 'object' && !Array.isArray(data) ? (payload as GraphQLResponseBody) : undefined;
}

/**
 * Guards `_entities`: checks every representation before @apollo/subgraph sees it, and caps how
 * many references one request may resolve.
 *
 * Why a guard around the resolver: @apollo/subgraph throws for an unknown `__typename`, which
 * fails the whole `_entities` list (every other reference is lost) with an unclassified error.
 * A caller's mistake should fail only its own item, with BAD_USER_INPUT.
 *
 * Why count at resolution time: each reference costs a root field in a Healthie request (50 per
 * request). Counting the representations actually resolved, across every `_entities` field of
 * the request (aliases included), is a bound no query shape can get around.
 */
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { ErrorCode, subgraphError } from '../errors.js';
import { ENTITIES } from '../schema/federation.js';

export const MAX_ENTITY_REFERENCES = 250;

const ENTITY_NAMES = Object.keys(ENTITIES).join(' or ');
const EXAMPLE = '{ "__typename": "HealthieUser", "id": "123" }';

/** References resolved so far, per request context; entries die with their request. */
const resolvedPerRequest = new WeakMap<object, number>();

export function representationProblem(representation: unknown): Error | undefined {
  const bad = (message: string) => subgraphError(ErrorCode.BAD_USER_INPUT, `${message} Send a representation such as ${EXAMPLE}.`);
  if (typeof representation !== 'object' || representation === null) return bad('A representation must be an object.');
  const { __typename: typename, id } = representation as { __typename?: unknown; id?: unknown };
  if (typeof typename !== 'string' || !Object.hasOwn(ENTITIES, typename)) {
    return bad(`"__typename" must be ${ENTITY_NAMES}; got ${JSON.stringify(typename)?.slice(0, 60) ?? 'nothing'}.`);
  }
  if (typeof id === 'number') return numericIdProblem(typename, id);
  const usable = typeof id === 'string' && id.trim() !== '';
  if (!usable) return bad(`A ${typename} representation needs "id" as a non-empty string or number.`);
  return undefined;
}

/**
 * An id sent as a JSON number is read by JSON.parse as a double: above 2^53 − 1 its last digits
 * are lost (12345678901234567890 is read as 12345678901234567000), and the reference would fetch
 * another record. Such a number, or one with a fraction (no id has one), is refused; only whole
 * numbers JSON reads exactly are taken, as graphql-js's ID takes them (so `1e3` is the id 1000, and
 * a negative number is an id no record has). The message says what kind of number was sent,
 * never the number: it is patient-identifying input, and it was already not the number sent.
 */
function numericIdProblem(typename: string, id: number): Error | undefined {
  if (Number.isSafeInteger(id)) return undefined;
  const kind = !Number.isFinite(id)
    ? 'too large to be read at all'
    : Number.isInteger(id)
      ? 'larger than 2^53 − 1 in size, which JSON reads with digits lost, so another id would be fetched'
      : 'with a fraction, which no id has';
  return subgraphError(
    ErrorCode.BAD_USER_INPUT,
    `A ${typename} representation's "id" must be a string, or a whole number of at most 2^53 − 1 (${Number.MAX_SAFE_INTEGER}) in size, so that it is read as sent; this one is a number ${kind}. Send the id as a string, such as { "__typename": "${typename}", "id": "123" }.`,
  );
}

/**
 * Positions of the representations handed on by the guard, each in its `_entities` list: the
 * reference's answer, and Healthie's errors about it, belong at that index. Each representation
 * handed on is a copy of the client's, so no two positions share one object.
 */
const positions = new WeakMap<object, number>();

/** The position of a representation the guard handed on in its `_entities` list. */
export function representationPosition(representation: object): number | undefined {
  return positions.get(representation);
}

/** The id of a representation that passed the guard. */
export function representationId(representation: { id?: unknown }): string {
  return String(representation.id);
}

export function guardEntities(schema: GraphQLSchema, max = MAX_ENTITY_REFERENCES): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) throw new Error('The subgraph schema has no _entities resolver to guard.');

  const guarded: GraphQLFieldResolver<unknown, object> = (source, args, context, info) => {
    const representations = (args as { representations: unknown[] }).representations;
    const total = (resolvedPerRequest.get(context) ?? 0) + representations.length;
    resolvedPerRequest.set(context, total);
    if (total > max) {
      throw subgraphError(
        ErrorCode.QUERY_TOO_COMPLEX,
        `This request asks for ${total} entity references; at most ${max} are resolved per request. Split the references over several requests.`,
      );
    }
    const problems = representations.map(representationProblem);
    const valid: object[] = [];
    representations.forEach((representation, index) => {
      if (problems[index] !== undefined) return;
      const copy = { ...(representation as object) };
      positions.set(copy, index);
      valid.push(copy);
    });
    const resolved = resolve(source, { ...args, representations: valid }, context, info) as unknown[];
    let next = 0;
    // An Error as a list item becomes that item's error (and null), leaving the others intact.
    return representations.map((_, index) => problems[index] ?? resolved[next++]);
  };
  field.resolve = guarded as typeof field.resolve;
}

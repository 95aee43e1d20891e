/**
 * Healthie's complexity scoring of one field, stated once. Two callers score with it and must
 * agree to the unit: the estimate over the whole document (src/plugins/cost.ts, the reference) and
 * the cost plan compiled once per document (cost-plan.ts), which only re-scores the fields whose
 * score depends on the request's variables.
 *
 * Following Healthie's documentation: a field costs 1 plus what it selects, and paged fields
 * multiply their selection by the page size.
 * - Paged fields are connections (`first` / `last`) and, on the unversioned API, lists with `pageSize`.
 *   The page size counted is the one sent when it is 1..HEALTHIE_MAX_PAGE_SIZE; a size not sent,
 *   null or zero, a negative `pageSize`, or one Healthie ignores (`pageSize` without
 *   `shouldPaginate: true`), counts as 100, as Healthie counts it. A size over
 *   HEALTHIE_MAX_PAGE_SIZE is refused, and so is a negative `first` or `last`: Healthie refuses
 *   those with the whole request, so every other field of it would fail too.
 * - `_entities` multiplies by the number of representations.
 * - Other lists (`attendees`, a connection's `nodes` and `edges`) count once per item of their
 *   parent, as graphql-ruby counts them.
 * - Delegation adds a `__typename` to each object selection, so objects count 1 extra;
 *   introspection costs nothing.
 */
import { getNamedType, isCompositeType, Kind, type FieldNode, type GraphQLField } from 'graphql';
import { HEALTHIE_DEFAULT_PAGE_SIZE, HEALTHIE_MAX_PAGE_SIZE } from '../healthie.js';

/** Healthie's documented page size for paged fields that do not state one. */
export const DEFAULT_LIST_SIZE = HEALTHIE_DEFAULT_PAGE_SIZE;

/** Arguments that set a page size: today's lists (`pageSize`) and connections (`first`, `last`). */
const PAGE_SIZE_ARGUMENTS = ['pageSize', 'first', 'last'] as const;

type AnyField = GraphQLField<unknown, unknown>;

interface Paging {
  /** The page-size arguments the field has. */
  readonly paging: readonly string[];
  /** Whether it has `shouldPaginate`, without which its `pageSize` is ignored. */
  readonly paginatesOnRequest: boolean;
}

/** A field's paging arguments, read once per field: scoring runs per request for variable sizes. */
const pagingByField = new WeakMap<AnyField, Paging>();
function pagingOf(field: AnyField): Paging {
  let paging = pagingByField.get(field);
  if (!paging) {
    paging = {
      paging: PAGE_SIZE_ARGUMENTS.filter((name) => field.args.some((a) => a.name === name)),
      paginatesOnRequest: field.args.some((a) => a.name === 'shouldPaginate'),
    };
    pagingByField.set(field, paging);
  }
  return paging;
}

/** Connection page sizes, which Healthie refuses below 0 (the unversioned `pageSize` it counts as 100). */
const CONNECTION_PAGE_SIZES: ReadonlySet<string> = new Set(['first', 'last']);

/**
 * A page Healthie would not serve, refused and never counted: one over Healthie's maximum (too
 * much asked: the cost check's refusal), or a negative `first`/`last` (`negative`: the client's
 * input, refused as such).
 */
export class PageSizeError extends Error {
  readonly negative: boolean;
  constructor(readonly field: string, readonly argument: string, readonly size: number) {
    super(
      size < 0
        ? `${argument} must be 0 or more (got ${size}) on ${field}; nothing was sent. ` +
            `Send ${argument} between 0 and ${HEALTHIE_MAX_PAGE_SIZE}, or leave it out for Healthie's default page of ${HEALTHIE_DEFAULT_PAGE_SIZE}.`
        : `${field}(${argument}: ${size}) asks for more than ${HEALTHIE_MAX_PAGE_SIZE} items, Healthie's largest page. ` +
            `Send ${argument} between 1 and ${HEALTHIE_MAX_PAGE_SIZE} and page through the rest.`,
    );
    this.name = 'PageSizeError';
    this.negative = size < 0;
  }
}

/**
 * Whether the caller actually sent `name` on this field: a literal, or a variable with a value.
 * An argument not sent is absent upstream too (delegation does not add schema defaults), so
 * Healthie applies its own default, which its score counts as 100.
 */
function sent(node: FieldNode, name: string, variables: Record<string, unknown>): boolean {
  const argument = node.arguments?.find((a) => a.name.value === name);
  if (!argument) return false;
  if (argument.value.kind === Kind.VARIABLE) return variables[argument.value.name.value] !== undefined;
  return true;
}

/** Arguments that can change a field's score: page sizes, `shouldPaginate`, representations. */
const SCORED_ARGUMENTS: ReadonlySet<string> = new Set([...PAGE_SIZE_ARGUMENTS, 'shouldPaginate', 'representations']);

/** Whether the score of `field` depends on its argument `argument` (a page size, or representations). */
export function scoredByArguments(field: AnyField, argument: string): boolean {
  if (!SCORED_ARGUMENTS.has(argument) || !isCompositeType(getNamedType(field.type))) return false;
  if (field.name.startsWith('__') && field.name !== '__typename') return false;
  return field.name === '_entities' || pagingOf(field).paging.length > 0;
}

/** How many items a paged field is counted for; undefined for a field that is not paged. */
export function pageSizeCounted(field: AnyField, node: FieldNode, args: Record<string, unknown>, variables: Record<string, unknown>): number | undefined {
  const { paging, paginatesOnRequest } = pagingOf(field);
  if (paging.length === 0) return undefined;
  let size: number | undefined;
  for (const name of paging) {
    const value = sent(node, name, variables) ? args[name] : undefined;
    if (typeof value !== 'number') continue;
    if (value > HEALTHIE_MAX_PAGE_SIZE || (value < 0 && CONNECTION_PAGE_SIZES.has(name))) throw new PageSizeError(field.name, name, value);
    if (value > 0) size = Math.max(size ?? 0, value);
  }
  // Healthie applies `page_size` only when `should_paginate` is true (where the field has it).
  const ignored = paginatesOnRequest && args.shouldPaginate !== true;
  return size === undefined || ignored ? DEFAULT_LIST_SIZE : size;
}

/**
 * The score of one field given its argument values, what its selection scores, and the
 * request's coerced variables (they say which page sizes were sent). Throws PageSizeError.
 */
export function fieldScore(field: AnyField, node: FieldNode, args: Record<string, unknown>, childComplexity: number, variables: Record<string, unknown>): number {
  if (field.name.startsWith('__') && field.name !== '__typename') return 0;
  if (!isCompositeType(getNamedType(field.type))) return 1;
  const own = 2; // the field, and the __typename that delegation adds to its selection
  const items =
    field.name === '_entities'
      ? Array.isArray(args.representations)
        ? args.representations.length
        : 1
      : pageSizeCounted(field, node, args, variables);
  return items === undefined ? own + childComplexity : 1 + items * (own - 1 + childComplexity);
}

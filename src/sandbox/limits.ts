/**
 * Healthie's limits: a per-account request rate, a query depth limit and a query complexity
 * score. The numbers are Healthie's reported maxima.
 *
 * Complexity score (computed on the operation that will run, fragments expanded; over 2000 the
 * request is refused with MAX_COMPLEXITY_EXCEEDED before anything executes):
 * - every field costs 1, and a field returning one object costs 1 + the cost of its selection;
 * - a connection field (one with `first`/`last` arguments) costs 1 + its selection, where its
 *   `nodes` and `edges` count N times and the rest (`page_info`, `total_count`) once, as
 *   graphql-ruby scores connections; N is the page asked for: `first`, else `last` (literal,
 *   variable or variable default; the larger when both are sent), else 100, Healthie's documented
 *   "complexity is multiplied by the requested page size, 100 when neither is given";
 * - other lists of objects (attendees, availableSlotsForRange) are not paged and count like a
 *   single object, as graphql-ruby counts plain lists;
 * - a list of scalars (`available_contact_types`, `daysAvailableForRange`) costs 1, like a scalar;
 * - introspection fields (`__schema`, `__type`, `__typename`) are free: they describe the schema,
 *   whose size is fixed, and tools must be able to introspect;
 * - a field selected twice (two aliases, or again inside a fragment) is counted twice.
 * Scores of the subgraph's own upstream requests (test/sandbox/limits.test.ts), in the shape it
 * sends them (aliased root fields; an entity's fields repeated inside `... on User`):
 * - an entity batch of 50 `user(id:)` with five fields: 50 × 7 = 350;
 * - an entity batch of 50 `appointment(id:)` with `provider { id }`: 50 × 5 = 250;
 * - the booking flow's setup (users and organizationMembers with page_size 1, appointmentTypes
 *   with the 1000 forwarded): 2 + 2 + 201 = 205;
 * - a default page of users with every User field: 1 + 10 × 15 = 151;
 * - an entity batch of 50 `appointment(id:)` with `attendees { id }`: 50 × 5 = 250.
 *
 * Depth counts fields from the root (a root field is depth 1); fragments add no depth.
 */
import {
  Kind,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { HEALTHIE_DEFAULT_PAGE_SIZE, HEALTHIE_MAX_COMPLEXITY, HEALTHIE_MAX_DEPTH, HEALTHIE_MAX_PAGE_SIZE } from '../healthie.js';

export const MAX_DEPTH = HEALTHIE_MAX_DEPTH;
export const MAX_COMPLEXITY = HEALTHIE_MAX_COMPLEXITY;
/** Healthie's documented page size for a list that states none (no argument, no declared default). */
export const DEFAULT_LIST_SIZE = HEALTHIE_DEFAULT_PAGE_SIZE;
/** Largest page size the score counts; larger pages are refused when they run. */
export const MAX_SCORED_LIST_SIZE = HEALTHIE_MAX_PAGE_SIZE;

export interface RateLimit {
  readonly requests: number;
  readonly windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { requests: 600, windowMs: 60_000 };

/**
 * Sliding-window log per account: at most `requests` accepted in any `windowMs`. Expired entries
 * are skipped with a moving head and compacted in bulk, so a very high limit (benchmarks) stays
 * O(1) per request.
 */
export class RateLimiter {
  private readonly logs = new Map<string, { times: number[]; head: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Counts the request and returns 0 when allowed; otherwise the milliseconds until a retry can succeed. */
  take(account: string): number {
    const now = this.clock();
    let log = this.logs.get(account);
    if (!log) {
      log = { times: [], head: 0 };
      this.logs.set(account, log);
    }
    while (log.head < log.times.length && (log.times[log.head] ?? 0) <= now - this.limit.windowMs) log.head++;
    if (log.head > 1024 && log.head * 2 > log.times.length) {
      log.times.splice(0, log.head);
      log.head = 0;
    }
    if (log.times.length - log.head >= this.limit.requests) {
      return Math.max(1, (log.times[log.head] ?? now) + this.limit.windowMs - now);
    }
    log.times.push(now);
    return 0;
  }
}

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Fragment results are memoised: a fragment used many times is measured once, so nested reuse cannot blow up the measurement itself. */
export function queryDepth(operation: OperationDefinitionNode, fragments: Fragments): number {
  const memo = new Map<string, number>();
  const measure = (selectionSet: SelectionSetNode, visiting: ReadonlySet<string>): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      let depth = 0;
      if (selection.kind === Kind.FIELD) depth = 1 + (selection.selectionSet ? measure(selection.selectionSet, visiting) : 0);
      else if (selection.kind === Kind.INLINE_FRAGMENT) depth = measure(selection.selectionSet, visiting);
      else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !visiting.has(name)) {
          if (!memo.has(name)) memo.set(name, measure(fragment.selectionSet, new Set([...visiting, name])));
          depth = memo.get(name) ?? 0;
        }
      }
      deepest = Math.max(deepest, depth);
    }
    return deepest;
  };
  return measure(operation.selectionSet, new Set());
}

function intValue(node: ValueNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>): number | undefined {
  if (node.kind === Kind.INT) return Number.parseInt(node.value, 10);
  if (node.kind !== Kind.VARIABLE) return undefined;
  const name = node.name.value;
  const given = variables[name];
  if (typeof given === 'number' && Number.isInteger(given)) return given;
  if (given !== undefined) return undefined;
  const fallback = operation.variableDefinitions?.find((definition) => definition.variable.name.value === name)?.defaultValue;
  return fallback?.kind === Kind.INT ? Number.parseInt(fallback.value, 10) : undefined;
}

/** Fields of a connection that hold its items. */
const PER_ITEM_FIELDS = new Set(['nodes', 'edges']);

const isConnection = (field: GraphQLField<unknown, unknown>): boolean => field.args.some((arg) => arg.name === 'first' || arg.name === 'last');

/** The N a connection's items count for (see the top of this file); 1 for any other field. */
function pageSize(
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: ValueNode }[] | undefined,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): number {
  // Only connections are multiplied; a plain nested list (attendees) counts once, as in graphql-ruby.
  if (!isConnection(field)) return 1;
  const sizes = ['first', 'last'].flatMap((name) => {
    const node = args?.find((arg) => arg.name.value === name);
    const value = node ? intValue(node.value, operation, variables) : undefined;
    return value === undefined ? [] : [value];
  });
  const requested = sizes.length > 0 ? Math.max(...sizes) : DEFAULT_LIST_SIZE;
  return Math.min(MAX_SCORED_LIST_SIZE, Math.max(0, requested));
}

export function queryComplexity(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Fragments,
  variables: Readonly<Record<string, unknown>> = {},
): number {
  const memo = new Map<string, number>();
  /** `page` is set inside a connection's selection: its `nodes` and `edges` count that many times. */
  const measure = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, visiting: ReadonlySet<string>, page?: number): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        const named = getNamedType(field.type);
        const times = page !== undefined && PER_ITEM_FIELDS.has(field.name) ? page : 1;
        if (!isCompositeType(named) || !selection.selectionSet) {
          total += times; // scalars and enums, lists of them included
          continue;
        }
        const size = pageSize(field, selection.arguments, operation, variables);
        const inner = measure(selection.selectionSet, named, visiting, isConnection(field) ? size : undefined);
        total += times * (1 + inner);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += measure(selection.selectionSet, type, visiting, page);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        const key = `${name}:${page ?? ''}`;
        if (!memo.has(key)) {
          memo.set(key, measure(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), new Set([...visiting, name]), page));
        }
        total += memo.get(key) ?? 0;
      }
    }
    return total;
  };
  const root = schema.getRootType(operation.operation);
  return root ? measure(operation.selectionSet, root, new Set()) : 0;
}

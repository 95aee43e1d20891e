/**
 * Healthie's limits: a per-account request rate, a query depth limit and a query complexity
 * score. The numbers are Healthie's reported maxima.
 *
 * Complexity score (computed on the operation that will run, fragments expanded; over 2000 the
 * request is refused with MAX_COMPLEXITY_EXCEEDED before anything executes):
 * - every field costs 1, and a field returning one object costs 1 + the cost of its selection;
 * - a paged field (one with a `page_size` argument) returning a list of objects costs
 *   1 + N × the cost of its selection, where N is the list's page size:
 *   1. the `page_size` argument the query passes (literal, variable or variable default);
 *   2. else the `page_size` default the field declares in the schema (users 10,
 *      organizationMembers 10, appointmentTypes 1000);
 *   3. else 100, Healthie's documented "if no page size is defined, the default page size is
 *      100" (appointments);
 * - other lists of objects (attendees, availableSlotsForRange) are not paged and count like a
 *   single object, as graphql-ruby counts plain lists;
 *   and N never exceeds 100 (MAX_SCORED_LIST_SIZE). Healthie documents that the cost is multiplied
 *   by the requested page size; the cap keeps large declared defaults usable: appointmentTypes
 *   pages at 1000, and clients (the subgraph included) forward that default explicitly, so without
 *   the cap `appointmentTypes { id name length available_contact_types }` alone would score 5001
 *   and the booking flow could never list what can be booked;
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
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
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
import { HEALTHIE_DEFAULT_PAGE_SIZE, HEALTHIE_MAX_COMPLEXITY, HEALTHIE_MAX_DEPTH } from '../healthie.js';

export const MAX_DEPTH = HEALTHIE_MAX_DEPTH;
export const MAX_COMPLEXITY = HEALTHIE_MAX_COMPLEXITY;
/** Healthie's documented page size for a list that states none (no argument, no declared default). */
export const DEFAULT_LIST_SIZE = HEALTHIE_DEFAULT_PAGE_SIZE;
/** Largest list size the score counts, whatever page_size asks for or declares. */
export const MAX_SCORED_LIST_SIZE = 100;

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

/** The N a list of objects is multiplied by (see the top of this file). */
function listSize(
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: ValueNode }[] | undefined,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): number {
  const declared = field.args.find((arg) => arg.name === 'page_size');
  // Only paged fields are multiplied; a plain nested list (attendees) counts once, as in graphql-ruby.
  if (!declared) return 1;
  const node = args?.find((arg) => arg.name.value === 'page_size');
  const requested = node ? intValue(node.value, operation, variables) : undefined;
  const fallback = typeof declared?.defaultValue === 'number' ? declared.defaultValue : DEFAULT_LIST_SIZE;
  return Math.min(MAX_SCORED_LIST_SIZE, Math.max(0, requested ?? fallback));
}

export function queryComplexity(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Fragments,
  variables: Readonly<Record<string, unknown>> = {},
): number {
  const memo = new Map<string, number>();
  const measure = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, visiting: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        const named = getNamedType(field.type);
        if (!isCompositeType(named) || !selection.selectionSet) {
          total += 1; // scalars and enums, lists of them included
          continue;
        }
        const inner = measure(selection.selectionSet, named, visiting);
        const times = isListType(getNullableType(field.type)) ? listSize(field, selection.arguments, operation, variables) : 1;
        total += 1 + times * inner;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += measure(selection.selectionSet, type, visiting);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        if (!memo.has(name)) {
          memo.set(name, measure(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), new Set([...visiting, name])));
        }
        total += memo.get(name) ?? 0;
      }
    }
    return total;
  };
  const root = schema.getRootType(operation.operation);
  return root ? measure(operation.selectionSet, root, new Set()) : 0;
}

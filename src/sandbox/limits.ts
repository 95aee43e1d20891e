/**
 * Healthie's limits: a per-account request rate, a query depth limit and a query complexity
 * score. The numbers are Healthie's reported maxima.
 *
 * Complexity score (computed on the operation that will run, fragments expanded):
 * - every field costs 1;
 * - an object field multiplies nothing: it costs 1 + the cost of its selection;
 * - a list field costs 1 + N × the cost of its selection, where N is the `page_size` argument the
 *   query passes (literal, variable or variable default), capped at 100, and 10 when none is passed
 *   (Healthie's default page). The cap exists because some of Healthie's own defaults are large
 *   (`appointmentTypes` pages at 1000) and clients forward them: a default must never be over budget;
 * - introspection fields (`__schema`, `__type`, `__typename`) are free: they describe the schema,
 *   whose size is fixed, and tools must be able to introspect.
 * Depth counts fields from the root (a root field is depth 1); fragments add no depth.
 */
import {
  Kind,
  getNamedType,
  getNullableType,
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

export const MAX_DEPTH = 25;
export const MAX_COMPLEXITY = 2000;
/** List size assumed when a list field is asked for without page_size. */
export const DEFAULT_LIST_SIZE = 10;
/** Largest list size the score counts, whatever page_size asks for. */
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

function listSize(
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: ValueNode }[] | undefined,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): number {
  if (!field.args.some((arg) => arg.name === 'page_size')) return DEFAULT_LIST_SIZE;
  const node = args?.find((arg) => arg.name.value === 'page_size');
  const size = node ? intValue(node.value, operation, variables) : undefined;
  return size === undefined ? DEFAULT_LIST_SIZE : Math.min(MAX_SCORED_LIST_SIZE, Math.max(0, size));
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
        const inner = selection.selectionSet ? measure(selection.selectionSet, getNamedType(field.type), visiting) : 0;
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

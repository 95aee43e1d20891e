/**
 * Healthie's answer body, read as a GraphQL response or not at all.
 *
 * Why a check of its own: GraphQL's response contract says an answer is an object whose `data` is
 * an object or null and whose `errors`, when present, is a list, with data or at least one error. A
 * body outside it (`{}`, `{"data": null}`, `data` that is text, a list) is Healthie failing, and
 * passed on it would reach a client as an empty answer, which reads as "no such patient"; on the
 * planned path it would not even complete. The client turns `undefined` into
 * UPSTREAM_BAD_RESPONSE, and nothing of the body is quoted. A response inside the contract whose
 * `data` leaves out a field it was asked, or adds one, is read by answeredFields.
 */
import { GraphQLError, Kind, type DirectiveNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode, MISSING_ANSWER_MESSAGE } from '../errors.js';
import { excludes, knownCondition } from '../operation/conditions.js';

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

/** What answeredFields made of `data`. */
export interface AnsweredFields {
  /** `data` with an entry for every root field asked and no other (the same object when nothing changed). */
  readonly data: Record<string, unknown>;
  /** Response keys asked that Healthie left out. */
  readonly missing: readonly string[];
  /** UPSTREAM_BAD_RESPONSE at each key left out without an error of Healthie's own at or below it. */
  readonly badAnswers: readonly GraphQLError[];
  /** Entries Healthie added that were not asked, dropped. */
  readonly unasked: number;
}

/**
 * Whether a root selection's @skip/@include leave it in: true, false, or undefined when its
 * condition is not a boolean known here (Healthie decides; no entry is then required).
 */
function included(directives: readonly DirectiveNode[] | undefined, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>): boolean | undefined {
  let known = true;
  for (const directive of directives ?? []) {
    if (directive.name.value !== 'skip' && directive.name.value !== 'include') continue;
    const value = knownCondition(directive, variables, operation);
    if (value === undefined) known = false;
    else if (excludes(directive.name.value, value)) return false;
  }
  return known ? true : undefined;
}

/**
 * The response keys of `operation`'s root fields that an answer must have: those of its fields,
 * inline fragments included (the document sent has no named ones), that its conditions leave in.
 * A key whose condition is not known here is neither required nor dropped.
 */
function rootKeys(set: SelectionSetNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>, required: Set<string>, allowed: Set<string>): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) continue; // never: see keysWithoutConditions
    const keep = included(selection.directives, operation, variables);
    if (keep === false) continue;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      // Left in for sure only if the fragment is; its fields may still be answered otherwise.
      const inner = new Set<string>();
      rootKeys(selection.selectionSet, operation, variables, keep ? required : inner, allowed);
      for (const key of inner) allowed.add(key);
      continue;
    }
    const key = selection.alias?.value ?? selection.name.value;
    allowed.add(key);
    if (keep) required.add(key);
  }
}

/**
 * The root keys of an operation none of whose root selections has a condition (every document
 * the planned path sends, most of delegation's), found once per document; `conditional` for the
 * others; `open` when a named fragment is spread at the root (documents are sent with fragments
 * inlined, so never; but its keys are not known here, and nothing is then checked).
 */
const rootKeysOf = new WeakMap<OperationDefinitionNode, ReadonlySet<string> | 'conditional' | 'open'>();
function keysWithoutConditions(operation: OperationDefinitionNode): ReadonlySet<string> | 'conditional' | 'open' {
  const keys = new Set<string>();
  let found: 'conditional' | 'open' | undefined;
  const collect = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) found = 'open';
      else if (selection.directives?.some((d) => d.name.value === 'skip' || d.name.value === 'include')) found ??= 'conditional';
      if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else if (selection.kind === Kind.FIELD) keys.add(selection.alias?.value ?? selection.name.value);
    }
  };
  collect(operation.selectionSet);
  return found ?? keys;
}

/**
 * `data` of an answer to `operation`, read against what was asked. GraphQL's response contract
 * gives `data` an entry for every root field executed (null at least), and none other. An entry
 * left out (`{"data":{}}`, or an `_entities` batch with some aliases missing, whether Healthie or
 * a proxy dropped them) would otherwise reach graphql-tools' batching as no result (a DataLoader
 * TypeError, every reference of the batch an internal error) and the planned path as an
 * error-free null, which reads as "no such patient": each is answered null here and reported by
 * the caller as Healthie's bad answer. An entry nobody asked for names no field of the request;
 * it is dropped (graphql-tools' batching cannot split it: "not correctly prefixed") rather than
 * failing the fields that were answered. `errors` are Healthie's field errors, as translated. The
 * first check is the common case: nothing is copied.
 */
export function answeredFields(
  data: Record<string, unknown>,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  errors: readonly GraphQLError[],
): AnsweredFields {
  let fixed = rootKeysOf.get(operation);
  if (fixed === undefined) rootKeysOf.set(operation, (fixed = keysWithoutConditions(operation)));
  if (fixed === 'open') return { data, missing: [], badAnswers: [], unasked: 0 };
  let required: ReadonlySet<string>;
  let allowed: ReadonlySet<string>;
  if (fixed !== 'conditional') required = allowed = fixed;
  else {
    const found = { required: new Set<string>(), allowed: new Set<string>() };
    rootKeys(operation.selectionSet, operation, variables ?? {}, found.required, found.allowed);
    ({ required, allowed } = found);
  }
  let present = 0;
  for (const key of required) if (Object.hasOwn(data, key)) present += 1;
  const keys = Object.keys(data);
  if (present === required.size && keys.length === present) return { data, missing: [], badAnswers: [], unasked: 0 };
  const answered: Record<string, unknown> = {};
  let unasked = 0;
  for (const key of keys) {
    if (allowed.has(key)) answered[key] = data[key];
    else unasked += 1;
  }
  const missing = [...required].filter((key) => !Object.hasOwn(data, key));
  for (const key of missing) answered[key] = null;
  // A key left out with an error of Healthie's own there: Healthie said why; that error stands.
  const badAnswers = missing
    .filter((key) => !errors.some((error) => error.path?.[0] === key))
    .map((key) => new GraphQLError(MISSING_ANSWER_MESSAGE, { path: [key], extensions: { code: ErrorCode.UPSTREAM_BAD_RESPONSE } }));
  return { data: answered, missing, badAnswers, unasked };
}

/**
 * Whether an answer to the readiness probe comes from a GraphQL server that is up: not a 5xx or a
 * 404, and a JSON object with `data` or `errors`. The probe sends no key, so a refusal of it
 * (Healthie's 401 with its errors) counts; an HTML error page, a proxy's 503 or a wrong path does not.
 */
export function isGraphQLAnswer(status: number, text: string): boolean {
  if (status >= 500 || status === 404) return false;
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && ('data' in body || Array.isArray((body as { errors?: unknown }).errors));
  } catch {
    return false;
  }
}

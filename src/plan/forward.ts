/**
 * The forwarder: one plan, one request's variables and credentials, one Healthie request (or one
 * per MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST entity references), and Healthie's answer returned
 * with only the changes the plan lists.
 *
 * Why: the answer of a planned request is already in the client's shape (the plan keeps every
 * response key as an alias), so instead of executing the operation a second time the forwarder
 * walks the answer once and does what graphql-js would have done on the delegation path:
 * `__typename` in subgraph names, enum values mapped back, leaves serialized, null propagated
 * for non-null fields, errors located at the client's fields. Requests go through the same
 * Healthie client (timeouts, error codes, the request's own credentials) as delegation.
 *
 * Returns undefined when the request is better served by the delegation path, before anything
 * is sent: variables that do not coerce, or representations the `_entities` guard would refuse.
 * Their answers (BAD_USER_INPUT, QUERY_TOO_COMPLEX) are then exactly the delegation path's.
 */
import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getDirectiveValues,
  getVariableValues,
  type DirectiveNode,
  isLeafType,
  isListType,
  isNonNullType,
  locatedError,
  parse,
  Kind,
  type FieldNode,
  type OperationDefinitionNode,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLOutputType,
} from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import type { SubgraphContext } from '../context.js';
import type { EntityTypeName } from '../schema/federation.js';
import { MAX_ENTITY_REFERENCES, representationId, representationProblem } from '../subgraph/representations.js';
import { MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST } from '../subgraph/schema.js';
import type { SchemaMapping } from './mapping.js';
import type { Plan, ShapeField, VariablesPlan } from './planner.js';

export interface Forwarded {
  readonly data: Record<string, unknown> | null;
  /** Unformatted, as execution would have produced them. */
  readonly errors: readonly GraphQLError[];
}

export interface ForwardRequest {
  readonly variables: Record<string, unknown> | undefined;
  readonly context: SubgraphContext;
  readonly operationName: string | undefined;
}

type Path = { readonly prev: Path | undefined; readonly key: string | number } | undefined;
/** A null that must propagate to the nearest nullable parent; its error is already recorded. */
const INVALID = Symbol('invalid');

function pathArray(path: Path): Array<string | number> {
  const keys: Array<string | number> = [];
  for (let p = path; p; p = p.prev) keys.unshift(p.key);
  return keys;
}

/** Whether an @include/@skip directive lets its selection through, with these variables. */
function passes(directive: DirectiveNode, variables: Record<string, unknown>): boolean {
  const definition = directive.name.value === 'skip' ? GraphQLSkipDirective : GraphQLIncludeDirective;
  const value = getDirectiveValues(definition, { directives: [directive] }, variables)?.if;
  return directive.name.value === 'skip' ? value !== true : value !== false;
}

/** Entity documents kept per plan, by their mix of types (most plans use one or two). */
const MAX_ENTITY_DOCUMENTS_PER_PLAN = 64;

export function createForwarder(mapping: SchemaMapping, executor: Executor<SubgraphContext>) {
  const entityDocuments = new WeakMap<Plan, Map<string, DocumentNode>>();

  /** Completes `value` as graphql-js completes a field of `type`; mutates only what changes. */
  function complete(shape: ShapeField, type: GraphQLOutputType, value: unknown, path: Path, errors: GraphQLError[]): unknown {
    if (isNonNullType(type)) {
      const completed = completeNullable(shape, type.ofType, value, path, errors);
      if (completed === null) {
        // Healthie nulled this field because of its own error here or below: that error stands.
        const at = pathArray(path);
        const reported = errors.some((e) => e.path !== undefined && at.every((key, i) => e.path![i] === key));
        if (!reported) errors.push(locatedError(new Error(`Cannot return null for non-nullable field ${shape.parentType}.${shape.fieldName}.`), shape.nodes, at));
        return INVALID;
      }
      return completed;
    }
    const completed = completeNullable(shape, type, value, path, errors);
    return completed === INVALID ? null : completed;
  }

  function completeNullable(shape: ShapeField, type: GraphQLOutputType, value: unknown, path: Path, errors: GraphQLError[]): unknown {
    if (value === null || value === undefined) return null;
    const fail = (message: string) => {
      errors.push(locatedError(new Error(message), shape.nodes, pathArray(path)));
      return INVALID;
    };
    if (isListType(type)) {
      if (!Array.isArray(value)) return fail(`Expected Iterable, but did not find one for field "${shape.parentType}.${shape.fieldName}".`);
      for (let i = 0; i < value.length; i += 1) {
        const item = complete(shape, type.ofType, value[i], { prev: path, key: i }, errors);
        if (item === INVALID) return INVALID;
        if (item !== value[i]) value[i] = item;
      }
      return value;
    }
    if (shape.fieldName === '__typename') return typeof value === 'string' ? (mapping.typeToSubgraph.get(value) ?? value) : value;
    if (isLeafType(type)) {
      try {
        const named = 'getValues' in type ? (mapping.enumToSubgraph(type.name, String(value)) ?? value) : value;
        const serialized = type.serialize(named);
        if (serialized === undefined) throw new Error(`Expected \`${type.name}.serialize(${String(value)})\` to return non-nullable value, returned: undefined`);
        return serialized;
      } catch (error) {
        errors.push(locatedError(error, shape.nodes, pathArray(path)));
        return INVALID;
      }
    }
    return completeObject(shape.children ?? [], value, path, errors);
  }

  function completeObject(children: readonly ShapeField[], value: unknown, path: Path, errors: GraphQLError[]): unknown {
    if (typeof value !== 'object' || value === null) return null;
    const object = value as Record<string, unknown>;
    let kept = 0;
    for (const child of children) {
      const present = Object.hasOwn(object, child.key);
      if (!present && child.optional) continue;
      const completed = complete(child, child.type, present ? object[child.key] : null, { prev: path, key: child.key }, errors);
      if (completed === INVALID) return INVALID;
      if (completed !== object[child.key]) object[child.key] = completed;
      kept += 1;
    }
    // Only what the client asked for reaches it, whatever else an answer carries.
    let keys = 0;
    for (const key in object) if (Object.hasOwn(object, key)) keys += 1;
    if (keys === kept) return object;
    const asked: Record<string, unknown> = {};
    for (const child of children) if (Object.hasOwn(object, child.key)) asked[child.key] = object[child.key];
    return asked;
  }

  /** Coerced and renamed variables, or undefined when they do not coerce (delegation reports it). */
  function variablesFor(plan: VariablesPlan, raw: Record<string, unknown> | undefined) {
    const coerced = getVariableValues(mapping.subgraph, plan.client, raw ?? {}, { maxErrors: 1 });
    if (coerced.errors) return undefined;
    const sent: Record<string, unknown> = {};
    for (const definition of plan.definitions) {
      const name = definition.variable.name.value;
      if (!Object.hasOwn(coerced.coerced, name)) continue;
      const value = coerced.coerced[name];
      const mapper = plan.mappers.get(name);
      sent[name] = mapper && value != null ? mapper(value) : value;
    }
    return { coerced: coerced.coerced, sent };
  }

  async function send(document: DocumentNode, variables: Record<string, unknown>, request: ForwardRequest): Promise<ExecutionResult> {
    return (await executor({ document, variables, context: request.context, operationType: 'query' as never, operationName: request.operationName })) as ExecutionResult;
  }

  async function forwardRoot(plan: Extract<Plan, { kind: 'root' }>, request: ForwardRequest): Promise<Forwarded | undefined> {
    const variables = variablesFor(plan.variables, request.variables);
    if (!variables) return undefined;
    let result: ExecutionResult;
    try {
      result = await send(plan.document, variables.sent, request);
    } catch (error) {
      // The whole request failed: every root field the operation includes carries the error, as
      // each did on delegation.
      const included = plan.shape.filter((field) => field.conditions.some((all) => all.every((d) => passes(d, variables.coerced))));
      const errors = included.map((field) => locatedError(error, field.nodes, [field.key]));
      // A non-null root field cannot be null: the whole answer is.
      const nulled = included.some((field) => isNonNullType(field.type));
      return { data: nulled ? null : Object.fromEntries(included.map((field) => [field.key, null])), errors };
    }
    const errors = [...(result.errors ?? [])];
    const data = completeObject(plan.shape, result.data ?? {}, undefined, errors);
    return { data: data === INVALID ? null : (data as Record<string, unknown>), errors };
  }

  /**
   * The Healthie request for one chunk: the template for its mix of types (parsed once per plan)
   * with each reference's id as a string literal, so Healthie receives what a client fetching
   * those users by id would send; only the id values are new per request, and print escapes them.
   */
  function entityDocument(plan: Extract<Plan, { kind: 'entities' }>, chunk: ReadonlyArray<{ type: EntityTypeName; id: string }>): DocumentNode {
    let documents = entityDocuments.get(plan);
    if (!documents) entityDocuments.set(plan, (documents = new Map()));
    const types = chunk.map((entry) => entry.type);
    const key = types.join(',');
    let template = documents.get(key);
    if (!template) {
      const used = [...new Set(types.flatMap((t) => plan.types.get(t)!.variables))].map((v) => plan.variableDefinitions.get(v)!);
      const fields = types.map((t, i) => `e${i}: ${plan.types.get(t)!.rootField}(id: "") ${plan.types.get(t)!.selection}`).join(' ');
      template = parse(`query${used.length > 0 ? `(${used.join(' ')})` : ''} { ${fields} }`, { noLocation: true });
      if (documents.size < MAX_ENTITY_DOCUMENTS_PER_PLAN) documents.set(key, template);
    }
    const operation = template.definitions[0] as OperationDefinitionNode;
    const selections = (operation.selectionSet.selections as FieldNode[]).map((field, i) => ({
      ...field,
      arguments: [{ ...field.arguments![0]!, value: { kind: Kind.STRING, value: chunk[i]!.id } as const }],
    }));
    return { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections } }] };
  }

  async function forwardEntities(plan: Extract<Plan, { kind: 'entities' }>, request: ForwardRequest): Promise<Forwarded | undefined> {
    const variables = variablesFor(plan.variables, request.variables);
    if (!variables) return undefined;
    const representations = variables.coerced[plan.representations] as unknown[];
    if (representations.length > MAX_ENTITY_REFERENCES || representations.some((r) => representationProblem(r) !== undefined)) return undefined;

    // One fetch per distinct reference, grouped by type so that documents repeat across requests.
    const distinct = new Map<string, { type: EntityTypeName; id: string; positions: number[] }>();
    representations.forEach((representation, position) => {
      const type = (representation as { __typename: EntityTypeName }).__typename;
      const id = representationId(representation as { id: unknown });
      const key = `${type}\u0000${id}`;
      const entry = distinct.get(key);
      if (entry) entry.positions.push(position);
      else distinct.set(key, { type, id, positions: [position] });
    });
    const ordered = [...distinct.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
    const items: unknown[] = new Array(representations.length).fill(null);
    const errors: GraphQLError[] = [];
    const chunks: (typeof ordered)[] = [];
    for (let i = 0; i < ordered.length; i += MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST) chunks.push(ordered.slice(i, i + MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST));

    await Promise.all(
      chunks.map(async (chunk) => {
        const sent: Record<string, unknown> = {};
        for (const type of new Set(chunk.map((e) => e.type))) {
          for (const name of plan.types.get(type)!.variables) if (Object.hasOwn(variables.sent, name)) sent[name] = variables.sent[name];
        }
        let result: ExecutionResult;
        try {
          result = await send(entityDocument(plan, chunk), sent, request);
        } catch (error) {
          for (const entry of chunk) for (const position of entry.positions) errors.push(locatedError(error, plan.nodes, [plan.key, position]));
          return;
        }
        const data = (result.data ?? {}) as Record<string, unknown>;
        for (const error of result.errors ?? []) {
          const [alias, ...rest] = error.path ?? [];
          const entry = typeof alias === 'string' ? chunk[Number(alias.slice(1))] : undefined;
          for (const position of entry?.positions ?? [undefined]) {
            errors.push(new GraphQLError(error.message, { path: position === undefined ? error.path ?? [plan.key] : [plan.key, position, ...rest], extensions: error.extensions, originalError: error.originalError ?? error }));
          }
        }
        chunk.forEach((entry, i) => {
          const typePlan = plan.types.get(entry.type)!;
          const raw = typePlan.empty && data[`e${i}`] != null ? {} : data[`e${i}`];
          const shape = typePlan.shape;
          // A reference repeated in the request gets its own copy, completed at its own path.
          const copies = entry.positions.map((_, n) => (n === 0 ? raw : structuredClone(raw)));
          entry.positions.forEach((position, n) => {
            const value = copies[n];
            const completed = completeObject(shape, value, { prev: { prev: undefined, key: plan.key }, key: position }, errors);
            items[position] = completed === INVALID ? null : completed;
          });
        });
      }),
    );
    // In reference order (GraphQL gives the order of errors no meaning; this one is stable).
    const position = (error: GraphQLError) => (typeof error.path?.[1] === 'number' ? error.path[1] : -1);
    return { data: { [plan.key]: items }, errors: errors.sort((a, b) => position(a) - position(b)) };
  }

  return function forward(plan: Plan, request: ForwardRequest): Promise<Forwarded | undefined> {
    return plan.kind === 'root' ? forwardRoot(plan, request) : forwardEntities(plan, request);
  };
}

export type Forwarder = ReturnType<typeof createForwarder>;

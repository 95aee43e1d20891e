/**
 * Sends the subgraph's own input-field defaults to Healthie.
 *
 * Delegation forwards the client's arguments as written. A default the subgraph SDL declares on
 * an input field (`HealthieCreateAppointmentInput.enforceAvailability = true`) is therefore never
 * seen by Healthie when the client omits the field, and Healthie applies its own
 * (`enforce_availability: false`, which books over a taken slot). This wraps the executor: before
 * a request leaves, every input object of a type with such defaults, written inline or passed in
 * a variable, gets the omitted fields set to the subgraph's value. An explicit value, `false`
 * included, is never touched; an explicit null is treated as omitted (Healthie would read it as
 * its own default, which is what the subgraph's default exists to prevent). (Root-field argument defaults need no help: delegation already
 * sends those.)
 */
import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type ObjectValueNode,
  type ValueNode,
} from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { subgraphMemberName, subgraphTypeName } from '../schema/naming.js';

/** Healthie input type → Healthie field name → the subgraph's default (an internal value). */
export type InputDefaults = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

/** Whether a value of `type` can hold an input object type that passes `test` (at any depth). */
export function reachesInputObject(type: GraphQLInputType, test: (type: GraphQLInputObjectType) => boolean, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return test(named) || Object.values(named.getFields()).some((field) => reachesInputObject(field.type, test, seen));
}

/** Root fields (Healthie names) with an argument that can hold an input type with defaults. */
function rootFieldsWithDefaults(schema: GraphQLSchema, defaults: InputDefaults): Set<string> {
  const hasDefaults = (type: GraphQLInputObjectType) => defaults.has(type.name);
  const names = new Set<string>();
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) if (field.args.some((arg) => reachesInputObject(arg.type, hasDefaults))) names.add(field.name);
  }
  return names;
}

const rootsCache = new WeakMap<InputDefaults, Set<string>>();

/** False when no root field of the request can carry a defaulted input: most requests skip the walk. */
function mayNeedDefaults(request: ExecutionRequest, schema: GraphQLSchema, defaults: InputDefaults): boolean {
  let roots = rootsCache.get(defaults);
  if (!roots) rootsCache.set(defaults, (roots = rootFieldsWithDefaults(schema, defaults)));
  return request.document.definitions.some(
    (definition) =>
      definition.kind !== Kind.OPERATION_DEFINITION ||
      definition.selectionSet.selections.some((selection) => selection.kind !== Kind.FIELD || roots.has(selection.name.value)),
  );
}

/**
 * The input-field defaults the subgraph declares differently from Healthie: compares every input
 * type of the approved subset (Healthie's names) with its counterpart in the served schema.
 */
export function inputDefaults(approved: GraphQLSchema, served: GraphQLSchema): InputDefaults {
  const defaults = new Map<string, Map<string, unknown>>();
  for (const type of Object.values(approved.getTypeMap())) {
    if (!isInputObjectType(type) || type.name.startsWith('__')) continue;
    const ours = served.getType(subgraphTypeName(type.name));
    if (!isInputObjectType(ours)) continue;
    for (const field of Object.values(type.getFields())) {
      const value = ours.getFields()[subgraphMemberName(field.name)]?.defaultValue;
      if (value === undefined || value === field.defaultValue) continue;
      if (!defaults.has(type.name)) defaults.set(type.name, new Map());
      defaults.get(type.name)!.set(field.name, value);
    }
  }
  return defaults;
}

function literal(value: unknown): ValueNode {
  if (typeof value === 'boolean') return { kind: Kind.BOOLEAN, value };
  if (typeof value === 'number') return Number.isInteger(value) ? { kind: Kind.INT, value: String(value) } : { kind: Kind.FLOAT, value: String(value) };
  if (typeof value === 'string') return { kind: Kind.STRING, value };
  return { kind: Kind.NULL };
}

/** A variable's value with the defaults filled in, following its type through lists and nesting. */
function fillValue(value: unknown, type: GraphQLInputType, defaults: InputDefaults): unknown {
  const nullable = getNullableType(type);
  if (value === null || value === undefined) return value;
  if (isListType(nullable)) return Array.isArray(value) ? value.map((item) => fillValue(item, nullable.ofType, defaults)) : fillValue(value, nullable.ofType, defaults);
  if (!isInputObjectType(nullable) || typeof value !== 'object') return value;
  const filled: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, field] of Object.entries(nullable.getFields())) {
    if (filled[name] !== undefined) filled[name] = fillValue(filled[name], field.type, defaults);
  }
  for (const [name, fallback] of defaults.get(nullable.name) ?? []) if (filled[name] === undefined || filled[name] === null) filled[name] = fallback;
  return filled;
}

/** The request with the subgraph's input defaults written into its document and variables. */
export function applyInputDefaults(request: ExecutionRequest, schema: GraphQLSchema, defaults: InputDefaults): ExecutionRequest {
  if (defaults.size === 0 || !mayNeedDefaults(request, schema, defaults)) return request;
  const variables: Record<string, unknown> = { ...(request.variables ?? {}) };
  const typeInfo = new TypeInfo(schema);
  const document = visit(
    request.document,
    visitWithTypeInfo(typeInfo, {
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type as never) as GraphQLInputType | undefined;
        const name = node.variable.name.value;
        if (type && variables[name] !== undefined) variables[name] = fillValue(variables[name], type, defaults);
      },
      ObjectValue(node: ObjectValueNode) {
        const type = getNamedType(typeInfo.getInputType() ?? undefined);
        const missing = type ? [...(defaults.get(type.name) ?? [])] : [];
        const given = (name: string) => {
          const field = node.fields.find((f) => f.name.value === name);
          // A variable the request does not define counts as omitted, as GraphQL treats it; null
          // counts as omitted too, since Healthie reads it as false: only an explicit value opts out.
          if (field === undefined || field.value.kind === Kind.NULL) return false;
          return !(field.value.kind === Kind.VARIABLE && (variables[field.value.name.value] === undefined || variables[field.value.name.value] === null));
        };
        const added = missing.filter(([name]) => !given(name));
        if (added.length === 0) return undefined;
        return {
          ...node,
          fields: [
            ...node.fields.filter((f) => !added.some(([name]) => name === f.name.value)),
            ...added.map(([name, value]) => ({ kind: Kind.OBJECT_FIELD, name: { kind: Kind.NAME, value: name }, value: literal(value) })),
          ],
        } as ObjectValueNode;
      },
    }),
  );
  return { ...request, document: withoutUnusedVariables(document), variables };
}

/** Drops variable definitions a replaced field no longer uses: GraphQL refuses unused variables. */
function withoutUnusedVariables(document: DocumentNode): DocumentNode {
  const used = new Set<string>();
  visit(document, { VariableDefinition: () => false, Variable: (node) => void used.add(node.name.value) });
  return visit(document, { VariableDefinition: (node) => (used.has(node.variable.name.value) ? undefined : null) });
}

/** `defaults` is read per request: the served schema it comes from is built after the executor. */
export function withInputDefaults<T>(executor: Executor<T>, schema: GraphQLSchema, defaults: () => InputDefaults): Executor<T> {
  return (request) => executor(applyInputDefaults(request as ExecutionRequest, schema, defaults()) as never);
}

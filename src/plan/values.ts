/**
 * Values in Healthie's names: argument literals (once per document, by the planner), variable
 * values (per request, by the forwarder) and argument defaults the subgraph states differently
 * from Healthie.
 *
 * Why a module: input-object field names and enum values must be renamed inside values too, and
 * a default that the subgraph declares but Healthie does not share (Healthie would apply its own)
 * has to be sent explicitly, or the planned path would ask Healthie for something else than the
 * delegation path does.
 */
import {
  Kind,
  astFromValue,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  print,
  type GraphQLArgument,
  type GraphQLInputType,
  type ValueNode,
} from 'graphql';
import type { SchemaMapping } from './mapping.js';

/** A literal typed `type` in the subgraph's names → the same literal in Healthie's names. */
export function translateValue(mapping: SchemaMapping, node: ValueNode, type: GraphQLInputType): ValueNode {
  const nullable = getNullableType(type);
  if (node.kind === Kind.VARIABLE || node.kind === Kind.NULL) return node;
  if (isListType(nullable)) {
    const item = nullable.ofType as GraphQLInputType;
    // A single value where a list is expected is coerced to a list of one: same item type.
    return node.kind === Kind.LIST ? { ...node, values: node.values.map((v) => translateValue(mapping, v, item)) } : translateValue(mapping, node, item);
  }
  if (isEnumType(nullable) && node.kind === Kind.ENUM) {
    return { ...node, value: mapping.enumToHealthie(nullable.name, node.value) ?? node.value };
  }
  if (isInputObjectType(nullable) && node.kind === Kind.OBJECT) {
    const fields = nullable.getFields();
    const healthieType = mapping.healthie.getType(mapping.typeToHealthie.get(nullable.name) ?? '');
    const healthieFields = isInputObjectType(healthieType) ? healthieType.getFields() : {};
    const given = node.fields.map((f) => {
      const name = mapping.inputField(nullable.name, f.name.value) ?? f.name.value;
      return { ...f, name: { ...f.name, value: name }, value: translateValue(mapping, f.value, fields[f.name.value]!.type) };
    });
    // Input fields the client left out whose subgraph default Healthie does not share.
    for (const field of Object.values(fields)) {
      if (node.fields.some((f) => f.name.value === field.name)) continue;
      const name = mapping.inputField(nullable.name, field.name);
      const healthieField = name ? healthieFields[name] : undefined;
      const value = healthieField ? defaultToSend(mapping, field, healthieField) : undefined;
      if (value && name) given.push({ kind: Kind.OBJECT_FIELD, name: { kind: Kind.NAME, value: name }, value });
    }
    return { ...node, fields: given };
  }
  return node;
}

/**
 * The subgraph default of `subgraphArg` in Healthie's names, when it differs from Healthie's own
 * default for `healthieArg` (so it must be sent); undefined when Healthie would apply the same.
 */
export function defaultToSend(
  mapping: SchemaMapping,
  subgraphArg: Pick<GraphQLArgument, 'type' | 'defaultValue'>,
  healthieArg: Pick<GraphQLArgument, 'type' | 'defaultValue'>,
): ValueNode | undefined {
  const sent = argumentDefault(mapping, subgraphArg);
  if (!sent) return undefined;
  const theirs = healthieArg.defaultValue === undefined ? undefined : astFromValue(healthieArg.defaultValue, healthieArg.type);
  return theirs && print(theirs) === print(sent) ? undefined : sent;
}

/**
 * The subgraph's default of an argument, in Healthie's names, to send when the client omits the
 * argument: delegation sends every argument default, so Healthie never applies one of its own,
 * even one it does not publish (root-field argument defaults are not published for 2026-01-01).
 */
export function argumentDefault(mapping: SchemaMapping, subgraphArg: Pick<GraphQLArgument, 'type' | 'defaultValue'>): ValueNode | undefined {
  if (subgraphArg.defaultValue === undefined) return undefined;
  const ours = astFromValue(subgraphArg.defaultValue, subgraphArg.type);
  return ours ? translateValue(mapping, ours, subgraphArg.type) : undefined;
}

export type ValueMapper = (value: unknown) => unknown;

/**
 * A function renaming input-object fields and enum values inside a coerced variable value of
 * `type`, or undefined when the value needs no change (scalars, same names): most variables are
 * forwarded as they came.
 */
export function valueMapper(mapping: SchemaMapping, type: GraphQLInputType, seen = new Map<string, ValueMapper | undefined>()): ValueMapper | undefined {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const item = valueMapper(mapping, nullable.ofType as GraphQLInputType, seen);
    return item && ((value) => (Array.isArray(value) ? value.map(item) : value == null ? value : item(value)));
  }
  if (isEnumType(nullable)) {
    const renamed = nullable.getValues().some((v) => mapping.enumToHealthie(nullable.name, v.name) !== v.name);
    return renamed ? (value) => (typeof value === 'string' ? mapping.enumToHealthie(nullable.name, value) ?? value : value) : undefined;
  }
  if (!isInputObjectType(nullable)) return undefined;
  if (seen.has(nullable.name)) return (value) => seen.get(nullable.name)?.(value) ?? value;
  seen.set(nullable.name, undefined);
  const fields = Object.values(nullable.getFields()).map((field) => ({
    name: field.name,
    to: mapping.inputField(nullable.name, field.name) ?? field.name,
    map: valueMapper(mapping, field.type, seen),
  }));
  const mapper: ValueMapper = (value) => {
    if (value == null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      if (Object.hasOwn(value, field.name)) {
        const v = (value as Record<string, unknown>)[field.name];
        out[field.to] = field.map && v != null ? field.map(v) : v;
      }
    }
    return out;
  };
  seen.set(nullable.name, mapper);
  return mapper;
}

/**
 * Turns the approved subset (Healthie's names) into the subgraph SDL: the naming rules, a
 * Federation 2 `@link`, `@key(fields: "id")` on the entity types and `@tag(name: "phi")` on
 * every field marked as protected health information, so a GraphOS contract can leave them out.
 */
import {
  Kind,
  lexicographicSortSchema,
  parse,
  print,
  visit,
  type ConstDirectiveNode,
  type ConstValueNode,
  type InputValueDefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { getDocumentNodeFromSchema } from '@graphql-tools/utils';
import { wrapSchema } from '@graphql-tools/wrap';
import type { Allowlist, ApprovedField, StatedDefault } from './allowlist.js';
import { createNamingTransforms, subgraphMemberName, subgraphRootFieldName, subgraphTypeName } from './naming.js';

export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.9';

/** Entity types of the subgraph and the Healthie root field that fetches one by id. */
export const ENTITIES = {
  HealthieUser: { healthieType: 'User', rootField: 'user' },
  HealthieAppointment: { healthieType: 'Appointment', rootField: 'appointment' },
} as const;

export type EntityTypeName = keyof typeof ENTITIES;

/** The approved subset renamed by the naming rules, without any federation additions. */
export function renameSchema(approved: GraphQLSchema): GraphQLSchema {
  return wrapSchema({ schema: approved, transforms: createNamingTransforms() });
}

function directive(name: string, args: Record<string, string>): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: name },
    arguments: Object.entries(args).map(([argName, value]) => ({
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: argName },
      value: { kind: Kind.STRING, value },
    })),
  };
}

/** Subgraph coordinates (`HealthieUser.dob`) of the fields marked `phi: true`. */
function phiCoordinates(allowlist: Allowlist): Set<string> {
  const coordinates = new Set<string>();
  for (const [name, field] of allowlist.query) if (field.phi) coordinates.add(`Query.${subgraphRootFieldName(name)}`);
  for (const [name, field] of allowlist.mutation) if (field.phi) coordinates.add(`Mutation.${subgraphRootFieldName(name)}`);
  for (const type of allowlist.types.values()) {
    for (const field of type.fields.values()) {
      if (field.phi) coordinates.add(`${subgraphTypeName(type.name)}.${subgraphMemberName(field.name)}`);
    }
  }
  return coordinates;
}

/**
 * Subgraph coordinates (`HealthieCreateAppointmentInput.enforceAvailability`,
 * `Query.healthieAppointments(filter:)`) of the subgraph's own defaults (`default:` in the allowlist).
 */
function subgraphDefaults(allowlist: Allowlist): Map<string, StatedDefault> {
  const defaults = new Map<string, StatedDefault>();
  const addArgs = (owner: string, field: ApprovedField) => {
    for (const arg of field.args.values()) if (arg.default !== undefined) defaults.set(`${owner}(${subgraphMemberName(arg.name)}:)`, arg.default);
  };
  for (const [name, field] of allowlist.query) addArgs(`Query.${subgraphRootFieldName(name)}`, field);
  for (const [name, field] of allowlist.mutation) addArgs(`Mutation.${subgraphRootFieldName(name)}`, field);
  for (const type of allowlist.types.values()) {
    for (const field of type.fields.values()) {
      const coordinate = `${subgraphTypeName(type.name)}.${subgraphMemberName(field.name)}`;
      if (field.default !== undefined) defaults.set(coordinate, field.default);
      addArgs(coordinate, field);
    }
  }
  return defaults;
}

function valueNode(value: StatedDefault): ConstValueNode {
  if (typeof value === 'boolean') return { kind: Kind.BOOLEAN, value };
  if (typeof value === 'string') return { kind: Kind.STRING, value };
  return Number.isInteger(value) ? { kind: Kind.INT, value: String(value) } : { kind: Kind.FLOAT, value: String(value) };
}

/** The subgraph SDL as a document: renamed, sorted, with federation directives. */
export function buildSubgraphDocument(approved: GraphQLSchema, allowlist: Allowlist): DocumentNode {
  const renamed = lexicographicSortSchema(renameSchema(approved));
  const phi = phiCoordinates(allowlist);
  const tagged = (typeName: string, fieldName: string, directives: readonly ConstDirectiveNode[] = []) =>
    phi.has(`${typeName}.${fieldName}`) ? [...directives, directive('tag', { name: 'phi' })] : directives;
  const defaults = subgraphDefaults(allowlist);
  const withDefault = <T extends InputValueDefinitionNode>(coordinate: string, node: T): T => {
    const value = defaults.get(coordinate);
    return value === undefined ? node : { ...node, defaultValue: valueNode(value) };
  };

  const withDirectives = visit(getDocumentNodeFromSchema(renamed), {
    SchemaDefinition: () => null,
    ObjectTypeDefinition(node) {
      const isEntity = node.name.value in ENTITIES;
      return {
        ...node,
        directives: isEntity ? [...(node.directives ?? []), directive('key', { fields: 'id' })] : node.directives,
        fields: node.fields?.map((field) => ({
          ...field,
          arguments: field.arguments?.map((arg) => withDefault(`${node.name.value}.${field.name.value}(${arg.name.value}:)`, arg)),
          directives: tagged(node.name.value, field.name.value, field.directives),
        })),
      };
    },
    InputObjectTypeDefinition(node) {
      return {
        ...node,
        fields: node.fields?.map((field) =>
          withDefault(`${node.name.value}.${field.name.value}`, { ...field, directives: tagged(node.name.value, field.name.value, field.directives) }),
        ),
      };
    },
  });
  const link = parse(`extend schema @link(url: "${FEDERATION_LINK}", import: ["@key", "@tag"])`);
  return { kind: Kind.DOCUMENT, definitions: [...link.definitions, ...withDirectives.definitions] };
}

export function printSubgraphSdl(approved: GraphQLSchema, allowlist: Allowlist): string {
  return print(buildSubgraphDocument(approved, allowlist));
}

/**
 * Name mapping between the subgraph schema and Healthie's approved schema, for the planner.
 *
 * Why a table and not the wrap transforms: the planner translates a client's document into
 * Healthie's names once per document, outside graphql-tools' delegation. Every name here is
 * derived from the two schemas and the naming rules of src/schema/naming.ts (the same rules that
 * build the SDL), so a new approved field, type or scalar needs no change in this module; a
 * subgraph member the rules cannot map is left out, and the planner then keeps such operations
 * on the delegation path.
 */
import {
  isEnumType,
  isInputObjectType,
  isObjectType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { subgraphMemberName, subgraphRootFieldName, subgraphTypeName } from '../schema/naming.js';

export interface FieldMapping {
  /** Healthie's name of the field. */
  readonly name: string;
  /** Subgraph argument name → Healthie argument name. */
  readonly args: ReadonlyMap<string, string>;
}

export interface SchemaMapping {
  readonly subgraph: GraphQLSchema;
  readonly healthie: GraphQLSchema;
  /** Subgraph type name → Healthie type name (objects, inputs, enums, scalars). */
  readonly typeToHealthie: ReadonlyMap<string, string>;
  /** `SubgraphType.field` → Healthie field and arguments. */
  field(subgraphType: string, subgraphField: string): FieldMapping | undefined;
  /** Input field of a subgraph input type → Healthie input field name. */
  inputField(subgraphType: string, subgraphField: string): string | undefined;
  /** Enum value of a subgraph enum → Healthie's value, and back. */
  enumToHealthie(subgraphType: string, value: string): string | undefined;
  enumToSubgraph(subgraphType: string, value: string): string | undefined;
}

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

function userTypes(schema: GraphQLSchema): GraphQLNamedType[] {
  return Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));
}

export function createSchemaMapping(subgraph: GraphQLSchema, healthie: GraphQLSchema): SchemaMapping {
  const typeToHealthie = new Map<string, string>();
  const fields = new Map<string, FieldMapping>();
  const inputFields = new Map<string, string>();
  const enumsToHealthie = new Map<string, string>();
  const enumsToSubgraph = new Map<string, string>();

  for (const type of userTypes(healthie)) {
    const subgraphName = subgraphTypeName(type.name);
    const target = subgraph.getType(subgraphName);
    // Types pruned from the subgraph, or of another kind there, are not mapped: fail closed.
    if (!target || target.constructor !== type.constructor) continue;
    typeToHealthie.set(subgraphName, type.name);

    if (isObjectType(type) && isObjectType(target)) {
      const targetFields = target.getFields();
      for (const field of Object.values(type.getFields())) {
        const name = ROOT_TYPES.has(type.name) ? subgraphRootFieldName(field.name) : subgraphMemberName(field.name);
        const targetField = targetFields[name];
        if (!targetField) continue;
        const args = new Map<string, string>();
        for (const arg of field.args) {
          const argName = subgraphMemberName(arg.name);
          if (targetField.args.some((a) => a.name === argName)) args.set(argName, arg.name);
        }
        fields.set(`${subgraphName}.${name}`, { name: field.name, args });
      }
    } else if (isInputObjectType(type) && isInputObjectType(target)) {
      const targetFields = target.getFields();
      for (const field of Object.values(type.getFields())) {
        const name = subgraphMemberName(field.name);
        if (targetFields[name]) inputFields.set(`${subgraphName}.${name}`, field.name);
      }
    } else if (isEnumType(type) && isEnumType(target)) {
      // Enum values keep their names under the naming rules; checked against both schemas.
      for (const value of type.getValues()) {
        if (!target.getValue(value.name)) continue;
        enumsToHealthie.set(`${subgraphName}.${value.name}`, value.name);
        enumsToSubgraph.set(`${subgraphName}.${value.name}`, value.name);
      }
    }
  }

  return {
    subgraph,
    healthie,
    typeToHealthie,
    field: (typeName, fieldName) => fields.get(`${typeName}.${fieldName}`),
    inputField: (typeName, fieldName) => inputFields.get(`${typeName}.${fieldName}`),
    enumToHealthie: (typeName, value) => enumsToHealthie.get(`${typeName}.${value}`),
    enumToSubgraph: (typeName, value) => enumsToSubgraph.get(`${typeName}.${value}`),
  };
}

/**
 * Applies the allowlist to Healthie's full schema, producing the approved subset in Healthie's
 * own names. Filtering uses @graphql-tools/wrap transforms, then prunes: a filter transform alone
 * leaves unreachable types behind (they would still show up in introspection), so the result is
 * checked to hold exactly the approved types.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLArgumentConfig,
  type GraphQLFieldConfig,
  type GraphQLInputFieldConfig,
  type GraphQLNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  specifiedDirectives,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  FilterInputObjectFields,
  FilterObjectFields,
  FilterRootFields,
  FilterTypes,
  PruneSchema,
  TransformInputObjectFields,
  TransformObjectFields,
  wrapSchema,
} from '@graphql-tools/wrap';
import type { Allowlist, ApprovedField, StatedDefaults } from './allowlist.js';

/** Entries of the allowlist that do not match the source schema, by schema coordinate. */
export class AllowlistMismatchError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The allowlist does not match the source schema:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AllowlistMismatchError';
  }
}

const ROOT_KIND = { Query: 'query', Mutation: 'mutation' } as const;

/** The approved fields of a type (root or not), or undefined when the type is not approved. */
function approvedFields(allowlist: Allowlist, typeName: string): ReadonlyMap<string, ApprovedField> | undefined {
  if (typeName === 'Query') return allowlist.query;
  if (typeName === 'Mutation') return allowlist.mutation;
  return allowlist.types.get(typeName)?.fields;
}

/** Healthie's documented default, when the allowlist states one the source schema lacks. */
function healthieDefault(stated: StatedDefaults): { defaultValue?: unknown } {
  return stated.healthieDefault === undefined ? {} : { defaultValue: stated.healthieDefault };
}

function isRequired(config: GraphQLArgumentConfig | GraphQLInputFieldConfig): boolean {
  return isNonNullType(config.type) && config.defaultValue === undefined;
}

/**
 * Every entry must exist in the source; every type an approved member refers to must itself be
 * approved; every argument or input field Healthie requires must be approved (otherwise clients
 * could not send it and every call would fail).
 */
export function checkAllowlist(source: GraphQLSchema, allowlist: Allowlist): string[] {
  const problems: string[] = [];
  const needsApproval = (coordinate: string, type: GraphQLNamedType): void => {
    if (isSpecifiedScalarType(type) || allowlist.types.has(type.name)) return;
    problems.push(`${coordinate}: refers to ${type.name}, which is not approved; approve the type or remove ${coordinate}`);
  };

  const owners: Array<[string, ReadonlyMap<string, ApprovedField>]> = [
    ['Query', allowlist.query],
    ['Mutation', allowlist.mutation],
    ...[...allowlist.types.values()].map((t): [string, ReadonlyMap<string, ApprovedField>] => [t.name, t.fields]),
  ];
  for (const [typeName, fields] of owners) {
    const type = source.getType(typeName);
    if (!type) {
      // A root type with nothing approved on it may be absent (a source without mutations).
      if (!(typeName in ROOT_KIND) || fields.size > 0) problems.push(`${typeName}: not in source schema`);
      continue;
    }
    if (isScalarType(type) || isEnumType(type)) {
      if (fields.size > 0) problems.push(`${typeName}: is a ${isEnumType(type) ? 'enum' : 'scalar'} and has no fields to approve`);
      continue;
    }
    if (!isObjectType(type) && !isInputObjectType(type)) {
      problems.push(`${typeName}: only object, input, enum and scalar types can be approved`);
      continue;
    }
    const sourceFields = type.getFields();
    for (const [fieldName, approved] of fields) {
      const sourceField = sourceFields[fieldName];
      const coordinate = `${typeName}.${fieldName}`;
      if (!sourceField) {
        problems.push(`${coordinate}: not in source schema`);
        continue;
      }
      needsApproval(coordinate, getNamedType(sourceField.type));
      const sourceArgs = 'args' in sourceField ? sourceField.args : [];
      for (const argName of approved.args.keys()) {
        const arg = sourceArgs.find((a) => a.name === argName);
        if (!arg) problems.push(`${coordinate}(${argName}:): not in source schema`);
        else needsApproval(`${coordinate}(${argName}:)`, getNamedType(arg.type));
      }
      if (!isInputObjectType(type) && (approved.default !== undefined || approved.healthieDefault !== undefined)) {
        problems.push(`${coordinate}: only arguments and input fields take a default`);
      }
      for (const arg of sourceArgs) {
        if (isRequired(arg) && !approved.args.has(arg.name)) {
          problems.push(`${coordinate}(${arg.name}:): required by Healthie but not approved; approve it or remove ${coordinate}`);
        }
      }
    }
    if (isInputObjectType(type)) {
      for (const inputField of Object.values(type.getFields())) {
        if (isRequired(inputField) && !fields.has(inputField.name)) {
          problems.push(`${typeName}.${inputField.name}: required by Healthie but not approved; approve it or remove ${typeName}`);
        }
      }
    }
  }
  return problems;
}

/**
 * The approved subset of `source`, in Healthie's names, with the allowlist's reasons as
 * descriptions (Healthie's own descriptions are not carried over).
 * Throws AllowlistMismatchError listing every entry that does not fit the source.
 */
export function filterSchema(source: GraphQLSchema, allowlist: Allowlist): GraphQLSchema {
  const problems = checkAllowlist(source, allowlist);
  if (problems.length > 0) throw new AllowlistMismatchError(problems);
  return applyAllowlist(source, allowlist);
}

/**
 * The allowlist applied without checking that it fits: entries the source lacks are simply
 * absent. Only for comparing versions (upstream drift), where the allowlist belongs to one side.
 */
export function applyAllowlist(source: GraphQLSchema, allowlist: Allowlist): GraphQLSchema {
  const keepField = (typeName: string | undefined, fieldName: string | undefined): boolean =>
    typeName !== undefined && fieldName !== undefined && (approvedFields(allowlist, typeName)?.has(fieldName) ?? false);

  const describeField = (typeName: string, fieldName: string, config: GraphQLFieldConfig<unknown, Record<string, unknown>>) => {
    const approved = approvedFields(allowlist, typeName)?.get(fieldName);
    if (!approved) return null;
    const args: Record<string, GraphQLArgumentConfig> = {};
    for (const [argName, argConfig] of Object.entries(config.args ?? {})) {
      const approvedArg = approved.args.get(argName);
      if (approvedArg) {
        args[argName] = { ...argConfig, description: approvedArg.reason, deprecationReason: undefined, astNode: undefined, ...healthieDefault(approvedArg) };
      }
    }
    return { ...config, args, description: approved.reason, deprecationReason: undefined, astNode: undefined };
  };

  const filtered = wrapSchema({
    schema: source,
    transforms: [
      new FilterRootFields((operation, fieldName) =>
        operation in ROOT_KIND ? keepField(operation, fieldName) : false,
      ),
      new FilterObjectFields(keepField),
      new FilterInputObjectFields(keepField),
      new TransformObjectFields(describeField),
      new TransformInputObjectFields((typeName, fieldName, config) => {
        const approved = allowlist.types.get(typeName)?.fields.get(fieldName);
        return approved ? { ...config, description: approved.reason, deprecationReason: undefined, astNode: undefined, ...healthieDefault(approved) } : null;
      }),
      new FilterTypes((type) => isSpecifiedScalarType(type) || allowlist.types.has(type.name) || type.name in ROOT_KIND),
      new PruneSchema(),
    ],
  });
  // Healthie's own directives (2026-01-01 declares @feature) are not part of the approved subset.
  return new GraphQLSchema({ ...describeTypes(filtered, allowlist).toConfig(), directives: specifiedDirectives });
}

/** Replaces type and enum value descriptions with the allowlist's own wording. */
function describeTypes(schema: GraphQLSchema, allowlist: Allowlist): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.TYPE]: (type) => {
      const description = allowlist.types.get(type.name)?.reason;
      if (isObjectType(type)) return new GraphQLObjectType({ ...type.toConfig(), description, astNode: undefined });
      if (isInputObjectType(type)) return new GraphQLInputObjectType({ ...type.toConfig(), description, astNode: undefined });
      if (isScalarType(type) && !isSpecifiedScalarType(type)) return new GraphQLScalarType({ ...type.toConfig(), description, astNode: undefined });
      if (isEnumType(type)) {
        const config = type.toConfig();
        const values = Object.fromEntries(
          Object.entries(config.values).map(([name, value]) => [name, { ...value, description: undefined, astNode: undefined }]),
        );
        return new GraphQLEnumType({ ...config, values, description, astNode: undefined });
      }
      return type;
    },
  });
}

/** Type names in `schema` other than built-ins and root types; used to assert the pruning. */
export function exposedTypeNames(schema: GraphQLSchema): string[] {
  const roots = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name, schema.getSubscriptionType()?.name]);
  return Object.keys(schema.getTypeMap())
    .filter((name) => !name.startsWith('__') && !roots.has(name) && !isSpecifiedScalarType(schema.getType(name)!))
    .sort();
}

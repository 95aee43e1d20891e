/**
 * The naming rules of the subgraph. Other teams' operations depend on these names, so they are
 * fixed: types `Healthie` + PascalCase, root fields `healthie` + PascalCase, fields, arguments and
 * input fields camelCase, enum values unchanged.
 *
 * The same rules drive the committed SDL (at build time) and the runtime renaming transforms
 * (at request time), which is what keeps the two in step.
 */
import {
  RenameInputObjectFields,
  RenameObjectFieldArguments,
  RenameObjectFields,
  RenameRootFields,
  RenameTypes,
} from '@graphql-tools/wrap';
import type { Transform } from '@graphql-tools/delegate';

const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);
const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

function upperFirst(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `first_name` → `firstName`; names already in camelCase (`startDate`) are unchanged. */
export function camelCase(name: string): string {
  const [head = '', ...rest] = name.split('_').filter((part) => part.length > 0);
  return head.charAt(0).toLowerCase() + head.slice(1) + rest.map(upperFirst).join('');
}

/** `createAppointmentInput` → `CreateAppointmentInput`, `user_group` → `UserGroup`. */
export function pascalCase(name: string): string {
  return upperFirst(camelCase(name));
}

/** Healthie type name → subgraph type name. Root types and built-in scalars keep their names. */
export function subgraphTypeName(healthieName: string): string {
  if (BUILT_IN_SCALARS.has(healthieName) || ROOT_TYPES.has(healthieName)) return healthieName;
  return `Healthie${pascalCase(healthieName)}`;
}

/** Healthie root field name → subgraph root field name (`user` → `healthieUser`). */
export function subgraphRootFieldName(healthieName: string): string {
  return `healthie${pascalCase(healthieName)}`;
}

/** Healthie field, argument or input field name → subgraph name (`appt_type_id` → `apptTypeId`). */
export function subgraphMemberName(healthieName: string): string {
  return camelCase(healthieName);
}

/**
 * The @graphql-tools/wrap transforms that turn the approved subset (Healthie's names) into the
 * subgraph's names. Requests are translated back by the same transforms, so Healthie always
 * receives its own names, variables included.
 */
export function createNamingTransforms(): Transform[] {
  return [
    new RenameTypes(subgraphTypeName),
    new RenameRootFields((_operation, fieldName) => subgraphRootFieldName(fieldName)),
    new RenameObjectFields((typeName, fieldName) =>
      ROOT_TYPES.has(typeName) ? fieldName : subgraphMemberName(fieldName),
    ),
    new RenameObjectFieldArguments((_typeName, _fieldName, argName) => subgraphMemberName(argName)),
    new RenameInputObjectFields((_typeName, fieldName) => subgraphMemberName(fieldName)),
  ];
}

/**
 * The only Healthie error texts a client may read: graphql-ruby's validation messages about the
 * caller's own input, recognised by template, checked against the request that was sent, and
 * rebuilt from their names alone in the subgraph's names.
 *
 * Why templates and not a heuristic: any free text from Healthie can quote a patient, in any
 * case or spelling ("email jane at example dot com is taken"). A template's parts are names
 * (arguments, fields, variables, types); each is kept only when the request sent to Healthie
 * holds it (so Healthie cannot put anything else there), and the value quoted after it, if any,
 * is dropped. Healthie's names are then mapped to the names the client used (`start_date` →
 * `startDate`, `user` → `healthieUser`, `createAppointmentInput` → `HealthieCreateAppointmentInput`).
 */
import { Kind, print, type FieldNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { subgraphMemberName, subgraphRootFieldName, subgraphTypeName } from '../schema/naming.js';

const NAME = '[_A-Za-z][_0-9A-Za-z]*';
const TYPE = '[\\[\\]!_0-9A-Za-z]+';
/** graphql-ruby's ArgumentLiteralsAreCompatible (older versions quote the value in parentheses). */
const ARGUMENT_INVALID = new RegExp(`^Argument '(${NAME})' on Field '(${NAME})' has an invalid value(?: \\(.*\\))?\\.(?: Expected type '(${TYPE})'\\.)?$`, 's');
/** graphql-ruby's ArgumentsAreDefined. */
const ARGUMENT_NOT_ACCEPTED = new RegExp(`^Field '(${NAME})' doesn't accept argument '(${NAME})'$`);
/** graphql-ruby's VariableValidationError (the problem quoted after it may hold the value). */
const VARIABLE_INVALID = new RegExp(`^Variable \\$(${NAME}) of type (${TYPE}) was provided invalid value`);

/** Scalars whose name is the same for Healthie and the subgraph, and says nothing of anyone. */
const KNOWN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID', 'ISO8601DateTime', 'ISO8601Date']);
/** graphql-tools names the variables it creates for arguments `_v<n>_<argument>`. */
const DELEGATION_PREFIX = /^_v\d+_/;

interface FoundField {
  readonly node: FieldNode;
  readonly root: boolean;
}

/** The field selected as `name` (its name or its alias) anywhere in the sent request. */
function findField(selectionSet: SelectionSetNode | undefined, name: string, root: boolean): FoundField | undefined {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name || selection.alias?.value === name) return { node: selection, root };
      const below = findField(selection.selectionSet, name, false);
      if (below) return below;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inside = findField(selection.selectionSet, name, root);
      if (inside) return inside;
    }
  }
  return undefined;
}

const fieldName = ({ node, root }: FoundField) => (root ? subgraphRootFieldName(node.name.value) : subgraphMemberName(node.name.value));

/** `[createAppointmentInput!]!` → `[HealthieCreateAppointmentInput!]!`. */
function mapType(type: string): string {
  return type.replace(new RegExp(NAME, 'g'), (name) => subgraphTypeName(name));
}

/** The named types of the sent request's variables: the only type names known to come from it. */
function declaredTypes(operation: OperationDefinitionNode): Set<string> {
  const names = new Set<string>();
  for (const definition of operation.variableDefinitions ?? []) {
    for (const name of print(definition.type).match(new RegExp(NAME, 'g')) ?? []) names.add(name);
  }
  return names;
}

function knownType(type: string, operation: OperationDefinitionNode): boolean {
  const declared = declaredTypes(operation);
  return (type.match(new RegExp(NAME, 'g')) ?? []).every((name) => KNOWN_SCALARS.has(name) || declared.has(name));
}

/**
 * The client's version of a Healthie validation message about the request, or undefined when
 * `message` is not one of the templates or names anything the sent request does not hold.
 */
export function clientValidationMessage(message: string, operation: OperationDefinitionNode | undefined): string | undefined {
  if (!operation) return undefined;
  let match = ARGUMENT_INVALID.exec(message);
  if (match) {
    const [, argument = '', name = '', type] = match;
    const field = findField(operation.selectionSet, name, true);
    if (!field?.node.arguments?.some((a) => a.name.value === argument)) return undefined;
    const expected = type && knownType(type, operation) ? ` Expected type '${mapType(type)}'.` : '';
    return `Argument '${subgraphMemberName(argument)}' on Field '${fieldName(field)}' has an invalid value.${expected}`;
  }
  match = ARGUMENT_NOT_ACCEPTED.exec(message);
  if (match) {
    const [, name = '', argument = ''] = match;
    const field = findField(operation.selectionSet, name, true);
    if (!field?.node.arguments?.some((a) => a.name.value === argument)) return undefined;
    return `Field '${fieldName(field)}' doesn't accept argument '${subgraphMemberName(argument)}'.`;
  }
  match = VARIABLE_INVALID.exec(message);
  if (match) {
    const [, variable = '', type = ''] = match;
    const definition = operation.variableDefinitions?.find((d) => d.variable.name.value === variable);
    if (!definition || print(definition.type) !== type) return undefined;
    // Variables keep the client's own names; only graphql-tools' own prefix is removed.
    return `Variable $${variable.replace(DELEGATION_PREFIX, '')} of type ${mapType(type)} was provided invalid value.`;
  }
  return undefined;
}

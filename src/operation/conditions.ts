/**
 * `@skip` and `@include`, stated once: the cost plan, the booking guard, the planned path's
 * completion and the client's reading of Healthie's answers all decide with it whether a
 * selection is left out, and must decide alike. Neither directive is repeatable, so validation
 * leaves at most one of each on a selection.
 */
import { Kind, type DirectiveNode, type OperationDefinitionNode } from 'graphql';

/**
 * Whether a directive named `name` whose `if` argument is `condition` leaves its selection out:
 * `@skip(if: true)` and `@include(if: false)` do. Any other directive, or a condition that is not
 * a boolean (not known yet, or not sent), leaves it in.
 */
export function excludes(name: string, condition: unknown): boolean {
  return name === 'skip' ? condition === true : name === 'include' ? condition === false : false;
}

/**
 * The boolean `directive`'s `if` certainly has for these variables (as sent, before coercion):
 * a literal, a variable sent as a boolean, or a variable not sent whose definition has a boolean
 * default; undefined when it cannot be known here (a variable sent as something else, or a
 * default of another kind).
 */
export function knownCondition(
  directive: DirectiveNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  operation: OperationDefinitionNode,
): boolean | undefined {
  const value = directive.arguments?.find((a) => a.name.value === 'if')?.value;
  if (value?.kind === Kind.BOOLEAN) return value.value;
  if (value?.kind !== Kind.VARIABLE) return undefined;
  const name = value.name.value;
  const sent = variables?.[name];
  if (typeof sent === 'boolean') return sent;
  if (variables && name in variables) return undefined;
  const declared = operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue;
  return declared?.kind === Kind.BOOLEAN ? declared.value : undefined;
}

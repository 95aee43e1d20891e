/**
 * Entity references an operation asks for, counted from what the caller sent (the
 * `representations` of every `_entities` field, aliases included) before any is fetched.
 *
 * Why here and not only in the resolver: the resolver sees one `_entities` field at a time, after
 * earlier fields have already gone to Healthie. Counting on the expanded operation with its
 * coerced variables refuses an over-budget request before its first Healthie request.
 *
 * An `_entities` field that `@include`/`@skip` certainly leave out (on it, or on an inline
 * fragment around it: a literal, or a variable whose coerced value or boolean default decides,
 * conditions.ts) is never executed, so its representations are not counted. Any condition not
 * certain (a variable sent as null, or not decided here) counts them: the limit fails closed.
 *
 * Routers send the same `_entities` document with new representations on every request, so the
 * count is compiled once per document (`compileReferenceCount`): the literal lists' lengths, and
 * the variables whose lengths are added per request, each with the conditions on the way to it.
 * `entityReferenceCount` walks the document and stays as the definition the compiled count is
 * tested against.
 */
import { Kind, type DirectiveNode, type DocumentNode, type FieldNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { excludes, knownCondition } from './conditions.js';

type Variables = Readonly<Record<string, unknown>>;

function boundLength(bound: unknown): number {
  return Array.isArray(bound) ? bound.length : bound === undefined || bound === null ? 0 : 1;
}

function listLength(value: ValueNode, variables: Variables): number {
  if (value.kind === Kind.VARIABLE) return boundLength(variables[value.name.value]);
  if (value.kind === Kind.LIST) return value.values.length;
  // A single value where a list is expected is coerced to a list of one.
  return value.kind === Kind.NULL ? 0 : 1;
}

const CONDITIONS = new Set(['include', 'skip']);

/** The `if` of a condition when it is a literal; undefined for a variable. */
function literalCondition(directive: DirectiveNode): boolean | undefined {
  const value = directive.arguments?.find((a) => a.name.value === 'if')?.value;
  return value?.kind === Kind.BOOLEAN ? value.value : undefined;
}

/**
 * Whether any of these directives certainly leaves its selection out: for these variables, or,
 * with `variables` undefined (compiling), by its literal alone.
 */
function leftOut(directives: readonly DirectiveNode[], variables: Variables | undefined, operation: OperationDefinitionNode): boolean {
  return directives.some((directive) =>
    excludes(directive.name.value, variables === undefined ? literalCondition(directive) : knownCondition(directive, variables, operation)),
  );
}

/**
 * Every `_entities` field of `operation` (fragments already inlined) with its `representations`
 * and the `@include`/`@skip` directives on it and on the inline fragments around it. With
 * `variables` undefined, only what literals decide is left out.
 */
function entityFields(operation: OperationDefinitionNode, variables: Variables | undefined): Array<{ value: ValueNode; directives: DirectiveNode[] }> {
  const found: Array<{ value: ValueNode; directives: DirectiveNode[] }> = [];
  const walk = (set: SelectionSetNode | undefined, outer: readonly DirectiveNode[]) => {
    for (const selection of set?.selections ?? []) {
      const own = selection.directives ?? [];
      if (leftOut(own, variables, operation)) continue;
      // Literal conditions that keep the selection decide nothing more; the others are kept.
      const directives = [...outer, ...own.filter((d) => CONDITIONS.has(d.name.value) && (variables !== undefined || literalCondition(d) === undefined))];
      if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet, directives);
      else if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '_entities') {
          const argument = (selection as FieldNode).arguments?.find((a) => a.name.value === 'representations');
          if (argument) found.push({ value: argument.value, directives });
        }
        walk(selection.selectionSet, directives);
      }
      // A fragment spread cannot be here: expandOperation inlines them all.
    }
  };
  walk(operation.selectionSet, []);
  return found;
}

function operationOf(expanded: DocumentNode): OperationDefinitionNode {
  const operation = expanded.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('An expanded document holds one operation.');
  return operation;
}

/** Representations sent to every `_entities` field of `expanded` that may be executed. */
export function entityReferenceCount(expanded: DocumentNode, coercedVariables: Record<string, unknown>): number {
  let total = 0;
  for (const { value } of entityFields(operationOf(expanded), coercedVariables)) total += listLength(value, coercedVariables);
  return total;
}

/** The same count as a function of the coerced variables, the document walked once. */
export function compileReferenceCount(expanded: DocumentNode): (coercedVariables: Record<string, unknown>) => number {
  const operation = operationOf(expanded);
  let fixed = 0;
  const perRequest: Array<{ value: ValueNode; directives: DirectiveNode[] }> = [];
  for (const field of entityFields(operation, undefined)) {
    if (field.value.kind === Kind.VARIABLE || field.directives.length > 0) perRequest.push(field);
    else fixed += listLength(field.value, {});
  }
  if (perRequest.length === 0) return () => fixed;
  return (coerced) => {
    let total = fixed;
    for (const { value, directives } of perRequest) if (!leftOut(directives, coerced, operation)) total += listLength(value, coerced);
    return total;
  };
}

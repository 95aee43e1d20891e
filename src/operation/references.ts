/**
 * Entity references an operation asks for, counted from what the caller sent (the
 * `representations` of every `_entities` field, aliases included) before any is fetched.
 *
 * Why here and not only in the resolver: the resolver sees one `_entities` field at a time, after
 * earlier fields have already gone to Healthie. Counting on the expanded operation with its
 * coerced variables refuses an over-budget request before its first Healthie request.
 */
import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';

function listLength(value: ValueNode, variables: Record<string, unknown>): number {
  if (value.kind === Kind.VARIABLE) {
    const bound = variables[value.name.value];
    return Array.isArray(bound) ? bound.length : bound === undefined || bound === null ? 0 : 1;
  }
  if (value.kind === Kind.LIST) return value.values.length;
  // A single value where a list is expected is coerced to a list of one.
  return value.kind === Kind.NULL ? 0 : 1;
}

/** Representations sent to every `_entities` field of `expanded` (fragments already inlined). */
export function entityReferenceCount(expanded: DocumentNode, coercedVariables: Record<string, unknown>): number {
  let total = 0;
  visit(expanded, {
    Field(node) {
      if (node.name.value !== '_entities') return;
      const argument = node.arguments?.find((a) => a.name.value === 'representations');
      if (argument) total += listLength(argument.value, coercedVariables);
    },
  });
  return total;
}

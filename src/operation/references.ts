/**
 * Entity references an operation asks for, counted from what the caller sent (the
 * `representations` of every `_entities` field, aliases included) before any is fetched.
 *
 * Why here and not only in the resolver: the resolver sees one `_entities` field at a time, after
 * earlier fields have already gone to Healthie. Counting on the expanded operation with its
 * coerced variables refuses an over-budget request before its first Healthie request.
 *
 * Routers send the same `_entities` document with new representations on every request, so the
 * count is compiled once per document (`compileReferenceCount`): the literal lists' lengths, and
 * the variables whose lengths are added per request. `entityReferenceCount` walks the document
 * and stays as the definition the compiled count is tested against.
 */
import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';

function boundLength(bound: unknown): number {
  return Array.isArray(bound) ? bound.length : bound === undefined || bound === null ? 0 : 1;
}

function listLength(value: ValueNode, variables: Record<string, unknown>): number {
  if (value.kind === Kind.VARIABLE) return boundLength(variables[value.name.value]);
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

/** The same count as a function of the coerced variables, the document walked once. */
export function compileReferenceCount(expanded: DocumentNode): (coercedVariables: Record<string, unknown>) => number {
  let fixed = 0;
  const variables: string[] = [];
  visit(expanded, {
    Field(node) {
      if (node.name.value !== '_entities') return;
      const argument = node.arguments?.find((a) => a.name.value === 'representations');
      if (!argument) return;
      if (argument.value.kind === Kind.VARIABLE) variables.push(argument.value.name.value);
      else fixed += listLength(argument.value, {});
    },
  });
  if (variables.length === 0) return () => fixed;
  return (coerced) => {
    let total = fixed;
    for (const name of variables) total += boundLength(coerced[name]);
    return total;
  };
}

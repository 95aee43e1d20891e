/**
 * Fragment expansion: the operation as Healthie should receive it, with every named fragment
 * inlined, and the size of that expansion bounded before it is built.
 *
 * Why: a few hundred bytes of fragments that each spread the previous one twice describe an
 * operation of millions of fields. Every measure taken on the document as written (cost, size,
 * depth) undercounts it, and forwarding it as written hands that amplification to Healthie.
 * Counting is done first on the fragment graph (each fragment's expanded size once, memoized),
 * so a fragment bomb is refused in time proportional to the document, not to its expansion.
 * Fields are not the only thing that multiplies: a fragment made of hundreds of nested inline
 * fragments around one field, spread a thousand times, is a few kilobytes and 2000 fields but
 * hundreds of thousands of nodes once inlined. So selections of every kind are bounded too
 * (MAX_SELECTIONS_PER_FIELD per allowed field), counted the same way before anything is built.
 */
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** Most fields an operation may have once its fragments are expanded. */
export const MAX_EXPANDED_FIELDS = 2000;

/** Selections (fields, inline fragments, spreads) allowed per allowed field once expanded. */
export const MAX_SELECTIONS_PER_FIELD = 4;

/** What an expansion bound counts: fields, selections of every kind, or bytes of its printed text (normalize.ts). */
export type ExpansionLimit = 'fields' | 'selections' | 'bytes';

const LIMIT_MESSAGES: Record<ExpansionLimit, (max: number) => string> = {
  fields: (max) =>
    `Operation has more than ${max} fields once its fragments are expanded, the limit per operation. Select fewer fields, or spread each fragment fewer times.`,
  selections: (max) =>
    `Operation has more than ${max} selections (fields and fragments) once its fragments are expanded, the limit per operation. ` +
    'Nest fewer inline fragments, or spread each fragment fewer times.',
  bytes: (max) =>
    `Operation has more than ${max} bytes of text once its fragments are expanded, the limit per Healthie request. Select fewer fields, or use shorter aliases.`,
};

export class ExpansionLimitError extends Error {
  /** `message` replaces the standard one when the caller knows more (the size found). */
  constructor(readonly max: number, readonly what: ExpansionLimit = 'fields', message = LIMIT_MESSAGES[what](max)) {
    super(message);
    this.name = 'ExpansionLimitError';
  }
}

/** The operation a request executes: the named one, or the only one. */
export function selectOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/**
 * Why a request selects no operation of its document (see selectOperation): the problem and the
 * fix, naming the document's operations (at most ten) so the client can pick one.
 */
export function unresolvedOperationMessage(document: DocumentNode, operationName?: string | null): string {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const names = operations.slice(0, 10).map((o) => (o.name ? `"${o.name.value}"` : 'one without a name'));
  const more = operations.length > names.length ? ` and ${operations.length - names.length} more` : '';
  const held = `${operations.length} operation${operations.length === 1 ? '' : 's'}${names.length > 0 ? ` (${names.join(', ')}${more})` : ''}`;
  if (operationName != null) {
    // The request's own text, echoed only in part: a body may carry a name of any length.
    const named = operationName.length > 100 ? `${operationName.slice(0, 100)}…` : operationName;
    return `operationName "${named}" names no operation of this document, which holds ${held}. Send the name of the operation to run, or no operationName for a document of one operation.`;
  }
  return `This document holds ${held} and the request names none of them: send operationName with the name of the operation to run.`;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return fragments;
}

/**
 * Fields in a selection once expanded (with `fragments`, every selection: inline fragments and
 * spreads too). Saturates at `cap` so that the arithmetic of a deep doubling chain stays finite;
 * an unknown or cyclic fragment counts as over the cap (validation refuses both before this runs,
 * so reaching them means something is wrong: fail closed).
 */
function countFields(
  selectionSet: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  memo: Map<string, number>,
  visiting: Set<string>,
  cap: number,
  everySelection = false,
): number {
  let total = 0;
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      total += 1 + countFields(selection.selectionSet, fragments, memo, visiting, cap, everySelection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += (everySelection ? 1 : 0) + countFields(selection.selectionSet, fragments, memo, visiting, cap, everySelection);
    } else {
      const name = selection.name.value;
      let size = memo.get(name);
      if (size === undefined) {
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) return cap + 1;
        visiting.add(name);
        size = countFields(fragment.selectionSet, fragments, memo, visiting, cap, everySelection);
        visiting.delete(name);
        memo.set(name, size);
      }
      total += (everySelection ? 1 : 0) + size;
    }
    if (total > cap) return cap + 1;
  }
  return total;
}

/** Number of fields `operation` has once expanded, or `max + 1` when over `max`. */
export function expandedFieldCount(document: DocumentNode, operation: OperationDefinitionNode, max = MAX_EXPANDED_FIELDS): number {
  return countFields(operation.selectionSet, fragmentsOf(document), new Map(), new Set(), max);
}

/** Number of selections of every kind `operation` has once expanded, or `max + 1` when over `max`. */
export function expandedSelectionCount(document: DocumentNode, operation: OperationDefinitionNode, max: number): number {
  return countFields(operation.selectionSet, fragmentsOf(document), new Map(), new Set(), max, true);
}

function inlineSelectionSet(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): SelectionSetNode {
  const selections: SelectionNode[] = selectionSet.selections.map((selection) => {
    if (selection.kind === Kind.FIELD) {
      return selection.selectionSet ? { ...selection, selectionSet: inlineSelectionSet(selection.selectionSet, fragments) } : selection;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      return { ...selection, selectionSet: inlineSelectionSet(selection.selectionSet, fragments) };
    }
    const fragment = fragments.get(selection.name.value)!;
    // The spread's own directives (@include, @skip) move onto the inline fragment that replaces it.
    const inline: InlineFragmentNode = {
      kind: Kind.INLINE_FRAGMENT,
      typeCondition: fragment.typeCondition,
      directives: selection.directives ?? [],
      selectionSet: inlineSelectionSet(fragment.selectionSet, fragments),
    };
    return inline;
  });
  return { kind: Kind.SELECTION_SET, selections };
}

/**
 * `operation` with every fragment spread replaced by an inline fragment, as one self-contained
 * document. Throws ExpansionLimitError when the expansion would exceed `max` fields or
 * `max` × MAX_SELECTIONS_PER_FIELD selections; both counts are taken before anything is built.
 */
export function expandOperation(document: DocumentNode, operation: OperationDefinitionNode, max = MAX_EXPANDED_FIELDS): DocumentNode {
  const fragments = fragmentsOf(document);
  const fields = countFields(operation.selectionSet, fragments, new Map(), new Set(), max);
  if (fields > max) throw new ExpansionLimitError(max);
  const maxSelections = max * MAX_SELECTIONS_PER_FIELD;
  if (countFields(operation.selectionSet, fragments, new Map(), new Set(), maxSelections, true) > maxSelections) {
    throw new ExpansionLimitError(maxSelections, 'selections');
  }
  const expanded: OperationDefinitionNode = { ...operation, selectionSet: inlineSelectionSet(operation.selectionSet, fragments) };
  return { kind: Kind.DOCUMENT, definitions: [expanded] };
}

/**
 * Selections merged as a federation router merges them when it builds a subgraph operation:
 * inline fragments that add nothing are flattened into their parent, and fields asked twice
 * under one response key are asked once.
 *
 * Why: expansion (expand.ts) replaces every fragment spread with an inline fragment, and the
 * delegation path (graphql-tools) adds a `__typename` to each of their selection sets. A chain
 * of fragments that each spread the next nests that many inline fragments, and a fragment spread
 * twice is inlined twice, so the text grows with depth × fields while what Healthie resolves is
 * the distinct fields. GraphQL execution merges the fields of one response key anyway
 * (CollectFields), so the merged operation asks for the same answer, keys in the same order.
 * Healthie's validation also compares every pair of same-key fields of a selection
 * (OverlappingFieldsCanBeMerged): a thousand copies of one field are a million comparisons, and
 * graphql-js aborts such a validation outright.
 *
 * The upstream document comes without Healthie's schema, so the type a field returns is not
 * known here. An inline fragment is therefore flattened only where it provably matches: no type
 * condition, or the type condition of the fragment it sits in. Directives that change nothing
 * (`@include(if: true)`, `@skip(if: false)`) are dropped; other selections with directives stay,
 * their contents merged within them. Inline fragments with the same condition and directives are
 * merged only when adjacent, and a field merges into an earlier one of its key only when nothing
 * that could hold that key lies between them: execution orders response keys, and the keys
 * inside a merged field, by first occurrence, and merging across other selections could reorder
 * them. Fields merge only when name and arguments are the same; anything else stays as written
 * (valid documents have no such conflicts, and leaving one alone never changes the answer).
 *
 * Counts and limits are not taken here: they are taken on the expansion, before this runs, so
 * merging never lets more through (fail closed); it only shortens what is sent.
 */
import { Kind, print, type DirectiveNode, type FieldNode, type InlineFragmentNode, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode } from 'graphql';

interface FieldEntry {
  readonly kind: 'field';
  readonly node: FieldNode;
  readonly signature: string;
  readonly parts: SelectionSetNode[];
}
interface FragmentEntry {
  readonly kind: 'fragment';
  readonly node: InlineFragmentNode;
  /** Type condition and directives as text: adjacent fragments alike in both are merged. */
  readonly signature: string;
  readonly enclosing: string | undefined;
  readonly parts: SelectionSetNode[];
}
/** One selection of the merged output; merged fields and fragments gather their selections first. */
type Entry = FieldEntry | FragmentEntry | { readonly kind: 'kept'; readonly node: SelectionNode };

/** What makes two fields of one response key the same request: name, arguments, leaf or not. */
function signatureOf(field: FieldNode): string {
  const args = field.arguments?.length ? field.arguments.map((a) => `${a.name.value}:${print(a.value)}`).join(',') : '';
  return `${field.name.value}(${args})${field.selectionSet ? '{' : ''}`;
}

/** A directive that always leaves its selection in: `@include(if: true)` or `@skip(if: false)`. */
function noOp(directive: DirectiveNode): boolean {
  const name = directive.name.value;
  if (name !== 'include' && name !== 'skip') return false;
  const value = directive.arguments?.length === 1 && directive.arguments[0]!.name.value === 'if' ? directive.arguments[0]!.value : undefined;
  return value?.kind === Kind.BOOLEAN && value.value === (name === 'include');
}

/** The directives that matter, or undefined when none does. */
function effectiveDirectives(directives: readonly DirectiveNode[] | undefined): readonly DirectiveNode[] | undefined {
  if (!directives?.length) return undefined;
  const kept = directives.some(noOp) ? directives.filter((d) => !noOp(d)) : directives;
  return kept.length > 0 ? kept : undefined;
}

/**
 * Adds `selections` to `entries`, flattening inline fragments on `enclosing` (the type known to
 * hold here: that of the inline fragment this selection set belongs to, undefined under a field).
 * `open` holds the field entries a later field of their key may still merge into.
 */
function collect(selections: readonly SelectionNode[], enclosing: string | undefined, entries: Entry[], open: Map<string, FieldEntry>): void {
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const directives = effectiveDirectives(selection.directives);
      if (directives) {
        const selectionSet = selection.selectionSet && mergeSelectionSet(selection.selectionSet, undefined);
        entries.push({ kind: 'kept', node: { ...selection, directives, ...(selectionSet ? { selectionSet } : {}) } });
        open.delete(key); // a later field of this key comes after this one in the answer
        continue;
      }
      const signature = signatureOf(selection);
      const known = open.get(key);
      if (known && known.signature === signature) {
        if (selection.selectionSet) known.parts.push(selection.selectionSet);
        continue;
      }
      const entry: FieldEntry = { kind: 'field', node: selection.directives?.length ? { ...selection, directives: [] } : selection, signature, parts: selection.selectionSet ? [selection.selectionSet] : [] };
      open.set(key, entry);
      entries.push(entry);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value;
      const directives = effectiveDirectives(selection.directives);
      if (!directives && (condition === undefined || condition === enclosing)) {
        collect(selection.selectionSet.selections, enclosing, entries, open);
        continue;
      }
      const signature = `${condition ?? ''}${directives ? directives.map((d) => print(d)).join(' ') : ''}`;
      const last = entries[entries.length - 1];
      if (last?.kind === 'fragment' && last.signature === signature) last.parts.push(selection.selectionSet);
      else entries.push({ kind: 'fragment', node: { ...selection, directives: directives ?? [] }, signature, enclosing: condition ?? enclosing, parts: [selection.selectionSet] });
      // The fragment may hold any key: no field before it merges with one after it.
      open.clear();
    } else {
      entries.push({ kind: 'kept', node: selection }); // a spread: none remain after expansion
      open.clear();
    }
  }
}

/** The selections of `parts` together, in order, as one selection set. */
function joined(parts: readonly SelectionSetNode[]): SelectionSetNode {
  return parts.length === 1 ? parts[0]! : { kind: Kind.SELECTION_SET, selections: parts.flatMap((part) => part.selections) };
}

/** `set` merged, on `enclosing` when its type is known (see collect). */
export function mergeSelectionSet(set: SelectionSetNode, enclosing: string | undefined): SelectionSetNode {
  const entries: Entry[] = [];
  collect(set.selections, enclosing, entries, new Map());
  const selections = entries.map((entry): SelectionNode => {
    if (entry.kind === 'kept') return entry.node;
    if (entry.kind === 'fragment') return { ...entry.node, selectionSet: mergeSelectionSet(joined(entry.parts), entry.enclosing) };
    return entry.parts.length === 0 ? entry.node : { ...entry.node, selectionSet: mergeSelectionSet(joined(entry.parts), undefined) };
  });
  return { kind: Kind.SELECTION_SET, selections };
}

/** `operation` (fragments already inlined) with its selections merged. */
export function mergeOperation(operation: OperationDefinitionNode): OperationDefinitionNode {
  return { ...operation, selectionSet: mergeSelectionSet(operation.selectionSet, undefined) };
}

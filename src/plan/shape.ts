/**
 * The shape of a client's selection, as the forwarder completes Healthie's answer: response keys
 * merged the way graphql-js collects fields (fragments and repeated keys together, in order of
 * first appearance), each with its subgraph type, its client nodes (error locations) and the
 * @skip/@include conditions that may leave it out.
 *
 * Why apart from the translation: the translation follows the document as written (Healthie
 * collects fields itself), while completing the answer needs fields as execution sees them.
 */
import { Kind, getNamedType, isObjectType, type DirectiveNode, type FieldNode, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema, type SelectionSetNode } from 'graphql';

/** One response key of a selection, with what the forwarder needs to complete its value. */
export interface ShapeField {
  readonly key: string;
  readonly type: GraphQLOutputType;
  /** Subgraph coordinate, for graphql-js's own error messages. */
  readonly parentType: string;
  readonly fieldName: string;
  /** The client's nodes for this key: error locations. */
  readonly nodes: readonly FieldNode[];
  /** Under @skip/@include: Healthie may leave the key out. */
  readonly optional: boolean;
  /** Per occurrence of the key, the @skip/@include directives on the way to it. */
  readonly conditions: ReadonlyArray<readonly DirectiveNode[]>;
  readonly children?: readonly ShapeField[];
}

export function createShaper(subgraph: GraphQLSchema) {
  /** Response keys of `sets` merged as graphql-js collects fields, in order of first appearance. */
  function shapeOf(sets: ReadonlyArray<{ set: SelectionSetNode; conditions: readonly DirectiveNode[] }>, type: GraphQLObjectType): ShapeField[] {
    const byKey = new Map<string, { nodes: FieldNode[]; optional: boolean; conditions: DirectiveNode[][] }>();
    const collect = (set: SelectionSetNode, outer: readonly DirectiveNode[]) => {
      for (const selection of set.selections) {
        const conditions = [...outer, ...(selection.directives ?? [])];
        if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet, conditions);
        else if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const entry = byKey.get(key) ?? { nodes: [], optional: true, conditions: [] };
          entry.nodes.push(selection);
          entry.optional &&= conditions.length > 0;
          entry.conditions.push(conditions);
          byKey.set(key, entry);
        }
      }
    };
    for (const { set, conditions } of sets) collect(set, conditions);
    return [...byKey].map(([key, { nodes, optional, conditions }]) => {
      const fieldName = nodes[0]!.name.value;
      const def = fieldName === '__typename' ? undefined : type.getFields()[fieldName]!;
      const named = def ? getNamedType(def.type) : undefined;
      // A nested field is optional when the occurrence it came from is.
      const childSets = nodes.flatMap((n, i) => (n.selectionSet ? [{ set: n.selectionSet, conditions: conditions[i]! }] : []));
      return {
        key,
        type: def ? def.type : (subgraph.getType('String') as GraphQLOutputType),
        parentType: type.name,
        fieldName,
        nodes,
        optional,
        conditions,
        ...(named && isObjectType(named) ? { children: shapeOf(childSets, named) } : {}),
      };
    });
  }

  return shapeOf;
}

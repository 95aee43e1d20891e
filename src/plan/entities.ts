/**
 * The plan of an `_entities` call: for each entity type, the client's selection as it applies to
 * that type, in Healthie's names and printed once, ready to be repeated under one aliased
 * `user(id:)` / `appointment(id:)` root field per reference (forward-entities.ts).
 *
 * Why apart from the planner: an `_entities` selection is one selection over a union, resolved
 * per type, and becomes Healthie root fields whose number depends on the request's
 * representations; a query's root fields map one to one. Everything that does not depend on the
 * representations is decided here, once per document.
 */
import { Kind, print, type FieldNode, type GraphQLObjectType, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode, type VariableDefinitionNode } from 'graphql';
import { mergeSelectionSet } from '../operation/merge.js';
import { ENTITIES, type EntityTypeName } from '../schema/federation.js';
import type { Retained } from './retained.js';
import type { ShapeField } from './shape.js';
import { Fallback } from './fallback.js';
import type { VariablesPlan } from './planner.js';
import { variablesIn } from './variables.js';

export interface EntityTypePlan {
  readonly rootField: string;
  /** The client's selection for this type, in Healthie's names, printed once. */
  readonly selection: string;
  readonly shape: readonly ShapeField[];
  /** The client selects none of this type's fields. */
  readonly empty: boolean;
  /** Client variables the selection uses. */
  readonly variables: readonly string[];
}

export interface EntitiesPlan {
  readonly kind: 'entities';
  readonly key: string;
  readonly nodes: readonly FieldNode[];
  readonly representations: string;
  readonly types: ReadonlyMap<EntityTypeName, EntityTypePlan>;
  /** Client variable definitions (printed, Healthie's names) by name; each type lists those it uses. */
  readonly variableDefinitions: ReadonlyMap<string, string>;
  readonly variables: VariablesPlan;
  /** Bytes the plan keeps, its cached entity documents included (retained.ts). */
  readonly retained: Retained;
}

/** What the planner lends: translation, variables and shapes, all in its naming rules. */
export interface PlannerTools {
  readonly type: (name: string) => GraphQLObjectType;
  readonly translate: (set: SelectionSetNode, type: GraphQLObjectType) => SelectionSetNode;
  readonly variablesPlan: (all: readonly VariableDefinitionNode[]) => VariablesPlan;
  readonly shapeOf: (set: SelectionSetNode, type: GraphQLObjectType) => ShapeField[];
}

export function planEntities(field: FieldNode, operation: OperationDefinitionNode, tools: PlannerTools): EntitiesPlan {
  const representations = field.arguments?.find((a) => a.name.value === 'representations')?.value;
  if (representations?.kind !== Kind.VARIABLE || field.directives?.length) throw new Fallback('_entities without a representations variable');
  const types = new Map<EntityTypeName, EntityTypePlan>();
  for (const typeName of Object.keys(ENTITIES) as EntityTypeName[]) {
    const type = tools.type(typeName);
    // The union's selection as it applies to this type, type conditions resolved. A fragment
    // left with nothing for this type is dropped: Healthie refuses an empty selection set, and
    // a type selected nowhere is asked for `__typename` only (below).
    const applicable = (set: SelectionSetNode): SelectionNode[] =>
      set.selections.flatMap((s): SelectionNode[] => {
        if (s.kind !== Kind.INLINE_FRAGMENT) return [s];
        const condition = s.typeCondition?.name.value;
        if (condition && condition !== typeName && condition !== '_Entity') return [];
        const selections = applicable(s.selectionSet);
        return selections.length === 0 ? [] : [{ kind: Kind.INLINE_FRAGMENT, directives: s.directives ?? [], selectionSet: { kind: Kind.SELECTION_SET, selections } }];
      });
    const set: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: applicable(field.selectionSet!) };
    const translated = tools.translate(set, type);
    // A type the client selects nothing of still answers {} for a known id and null for an
    // unknown one: Healthie is asked for `__typename`, which the answer then leaves out.
    const empty = set.selections.length === 0;
    // Fields asked twice are asked once, as on every other path (src/operation/merge.ts).
    const text = empty ? '{ __typename }' : print(mergeSelectionSet(translated, undefined));
    // Read from the syntax tree, not the text, where `$x` may be the content of a string.
    const used = empty ? [] : variablesIn(translated);
    const rootField = ENTITIES[typeName].rootField;
    types.set(typeName, { rootField, selection: text, shape: tools.shapeOf(set, type), empty, variables: used });
  }
  const plan = tools.variablesPlan((operation.variableDefinitions ?? []).filter((d) => d.variable.name.value !== representations.name.value));
  return {
    kind: 'entities',
    key: field.alias?.value ?? field.name.value,
    nodes: [field],
    representations: representations.name.value,
    types,
    variableDefinitions: new Map(plan.definitions.map((d) => [d.variable.name.value, print(d)])),
    // Coercion covers every variable (representations included); only the others are sent.
    variables: { ...plan, client: operation.variableDefinitions ?? [] },
    retained: { bytes: 0 },
  };
}

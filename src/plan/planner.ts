/**
 * The planner: a client operation, already parsed, validated and checked against every limit,
 * translated once into the request Healthie receives, plus the shape of the answer.
 *
 * Why: translating through graphql-tools' delegation on every request (execute the client's
 * document, rebuild a Healthie document, run the naming transforms both ways) costs more CPU
 * than everything else the subgraph does, and none of it depends on the request's variables or
 * credentials. A plan depends only on the document and operation name, so it is built once and
 * cached (plugin.ts); at request time only variables and headers change (forward.ts).
 *
 * What a plan keeps of graphql-js's work: response keys stay as aliases (Healthie answers in the
 * client's shape); names of fields, arguments, input fields, types (variable definitions, type
 * conditions) and enum values are mapped by SchemaMapping; argument defaults are sent explicitly, as
 * delegation sends them; the `shape` lets the forwarder check non-null
 * fields, serialize leaves and answer `__typename` with subgraph names. Fragments are inlined by
 * expandOperation (src/operation/expand.ts), within its size bound. Each root field is kept
 * apart, with its conditions, so that Healthie receives only those execution includes
 * (roots.ts); `_entities` is planned in entities.ts.
 *
 * Anything the planner does not cover returns a Fallback (a reason), and the operation keeps the
 * delegation path, which gives the same answers: mutations (every booking guard stays on one
 * path), introspection, `_service`, mixed roots, abstract types, other
 * directives, variables of input types with defaults.
 */
import {
  Kind,
  getNamedType,
  isCompositeType,
  isObjectType,
  print,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import { expandOperation, selectOperation } from '../operation/expand.js';
import { MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST } from '../subgraph/schema.js';
import { planEntities, type EntitiesPlan } from './entities.js';
import { Fallback } from './fallback.js';
import type { SchemaMapping } from './mapping.js';
import { classify, MAX_DYNAMIC_ROOT_CONDITIONS, type RootOccurrence, type RootsPlan } from './roots.js';
import { structureBytes } from './retained.js';
import { createShaper, type ShapeField } from './shape.js';
import { argumentDefault, translateValue } from './values.js';
import { createVariablesPlanner, useCount, variablesIn, type Scope, type VariablesPlan } from './variables.js';

export { Fallback };
export type { ShapeField, VariablesPlan };

export interface RootPlan extends RootsPlan {
  readonly kind: 'root';
  readonly variables: VariablesPlan;
}

export type Plan = RootPlan | EntitiesPlan;

const CONDITIONAL = new Set(['include', 'skip']);

function directivesOf(nodes: readonly DirectiveNode[] | undefined): DirectiveNode[] {
  for (const directive of nodes ?? []) if (!CONDITIONAL.has(directive.name.value)) throw new Fallback(`directive @${directive.name.value}`);
  return [...(nodes ?? [])];
}

export function createPlanner(mapping: SchemaMapping) {
  const subgraph = mapping.subgraph;
  const shapeOf = createShaper(subgraph);
  const variablesPlan = createVariablesPlanner(mapping);

  function translateArguments(field: FieldNode, def: GraphQLField<unknown, unknown>, parent: string, variables: Scope): ArgumentNode[] {
    const fieldMap = mapping.field(parent, def.name)!;
    const out: ArgumentNode[] = [];
    for (const arg of def.args) {
      const name = fieldMap.args.get(arg.name);
      if (!name) throw new Fallback(`argument ${parent}.${def.name}(${arg.name})`);
      const given = field.arguments?.find((a) => a.name.value === arg.name);
      const materialised = argumentDefault(mapping, arg);
      if (given) {
        // A variable left unset takes the argument's default, which delegation sends: Healthie's
        // definition of the variable gets that default (checked below to fit its every use).
        const variable = given.value.kind === Kind.VARIABLE ? variables.definitions.get(given.value.name.value) : undefined;
        if (materialised && variable && !variable.defaultValue && variable.type.kind !== Kind.NON_NULL_TYPE) {
          const name = variable.variable.name.value;
          const known = variables.defaulted.get(name);
          if (known && print(known.value) !== print(materialised)) throw new Fallback('variable over different argument defaults');
          variables.defaulted.set(name, { value: materialised, uses: (known?.uses ?? 0) + 1 });
        }
        out.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value: translateValue(mapping, given.value, arg.type) });
      } else if (materialised) {
        out.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value: materialised });
      }
    }
    return out;
  }

  /** `set` (selections on subgraph object `type`) in Healthie's names. */
  function translate(set: SelectionSetNode, type: GraphQLObjectType, variables: Scope): SelectionSetNode {
    const selections = set.selections.flatMap((selection): SelectionNode | readonly SelectionNode[] => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) throw new Fallback('fragment spread after expansion');
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        if (condition && condition !== type.name) throw new Fallback(`fragment on ${condition}`);
        const inner = translate(selection.selectionSet, type, variables);
        // On the parent's own type and without a condition, a fragment only groups fields: they
        // are sent in its place, in the same order, leaving Healthie less to parse and check.
        if (!selection.directives?.length) return inner.selections;
        return { kind: Kind.INLINE_FRAGMENT, directives: directivesOf(selection.directives), selectionSet: inner };
      }
      const key = selection.alias?.value ?? selection.name.value;
      if (selection.name.value === '__typename') return { ...selection, directives: directivesOf(selection.directives) };
      const def = type.getFields()[selection.name.value];
      const target = mapping.field(type.name, selection.name.value);
      if (!def || !target || selection.name.value.startsWith('_')) throw new Fallback(`field ${type.name}.${selection.name.value}`);
      const named = getNamedType(def.type);
      if (isCompositeType(named) && !isObjectType(named)) throw new Fallback(`abstract type ${named.name}`);
      return {
        kind: Kind.FIELD,
        ...(key !== target.name ? { alias: { kind: Kind.NAME, value: key } } : {}),
        name: { kind: Kind.NAME, value: target.name },
        arguments: translateArguments(selection, def, type.name, variables),
        directives: directivesOf(selection.directives),
        ...(selection.selectionSet && isObjectType(named) ? { selectionSet: translate(selection.selectionSet, named, variables) } : {}),
      };
    });
    return { kind: Kind.SELECTION_SET, selections };
  }

  /** The plan for one operation of a validated document, or why it keeps the delegation path. */
  return function plan(document: DocumentNode, operationName: string | null | undefined): Plan | Fallback {
    try {
      const selected = selectOperation(document, operationName);
      if (!selected || selected.operation !== 'query') return new Fallback('not a query');
      const operation = expandOperation(document, selected).definitions[0] as OperationDefinitionNode;
      const variables: Scope = { definitions: new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d])), defaulted: new Map() };
      const variablesOf = (all: readonly VariableDefinitionNode[]) => {
        // A variable given a default for Healthie must have no use where that default is wrong.
        for (const [name, { uses }] of variables.defaulted) if (uses !== useCount(operation, name)) throw new Fallback('variable over an argument default, used elsewhere');
        return variablesPlan(all, variables.defaulted);
      };
      const query = subgraph.getQueryType()!;
      // Root fields with the conditions on the way to them (fragments at the root flattened).
      const fields: Array<{ field: FieldNode; conditions: DirectiveNode[] }> = [];
      const flatten = (set: SelectionSetNode, outer: DirectiveNode[]) => {
        for (const selection of set.selections) {
          const conditions = [...outer, ...directivesOf(selection.directives)];
          if (selection.kind === Kind.FIELD) fields.push({ field: selection, conditions });
          else if (selection.kind === Kind.INLINE_FRAGMENT && (selection.typeCondition?.name.value ?? query.name) === query.name) flatten(selection.selectionSet, conditions);
          else throw new Fallback('fragment at the root');
        }
      };
      flatten(operation.selectionSet, []);
      if (fields.some(({ field }) => field.name.value === '_entities')) {
        if (fields.length !== 1 || fields[0]!.conditions.length > 0 || operation.selectionSet.selections[0]!.kind !== Kind.FIELD) return new Fallback('mixed roots');
        const entities = planEntities(fields[0]!.field, operation, {
          type: (name) => subgraph.getType(name) as GraphQLObjectType,
          translate: (set, type) => translate(set, type, variables),
          variablesPlan: variablesOf,
          shapeOf: (set, type) => shapeOf([{ set, conditions: [] }], type),
        });
        entities.retained.bytes = structureBytes(operation);
        return entities;
      }
      if (fields.length > MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST) return new Fallback('more root fields than one Healthie request takes');
      const occurrences = fields.map(({ field, conditions }): RootOccurrence => {
        const key = field.alias?.value ?? field.name.value;
        if (field.name.value === '__typename') return { key, field: undefined, conditions, variables: [] };
        const set = translate({ kind: Kind.SELECTION_SET, selections: [{ ...field, directives: [] }] }, query, variables);
        const translated = set.selections[0] as FieldNode;
        return { key, field: translated, conditions, variables: variablesIn(translated) };
      });
      const { always, dynamic } = classify(occurrences);
      if (dynamic.length > MAX_DYNAMIC_ROOT_CONDITIONS) return new Fallback('too many conditional root fields');
      const variablesOut = variablesOf(operation.variableDefinitions ?? []);
      return {
        kind: 'root',
        operation: { ...operation, variableDefinitions: [], directives: [], selectionSet: { kind: Kind.SELECTION_SET, selections: [] } },
        occurrences,
        always,
        dynamic,
        shape: shapeOf([{ set: operation.selectionSet, conditions: [] }], query),
        definitions: variablesOut.definitions,
        variants: new Map(),
        retained: { bytes: structureBytes(operation) },
        variables: variablesOut,
      };
    } catch (error) {
      if (error instanceof Fallback) return error;
      // An expansion over its bound, or anything unexpected: the delegation path decides.
      return new Fallback(error instanceof Error ? error.name : 'planning failed');
    }
  };
}

export type Planner = ReturnType<typeof createPlanner>;

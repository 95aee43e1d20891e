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
 * path), introspection, `_service`, mixed roots, fragments at the root, abstract types, other
 * directives, variables of input types with defaults.
 */
import {
  Kind,
  getNamedType,
  isCompositeType,
  isInputObjectType,
  isObjectType,
  typeFromAST,
  visit,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type TypeNode,
  type VariableDefinitionNode,
} from 'graphql';
import { expandOperation, selectOperation } from '../operation/expand.js';
import { MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST } from '../subgraph/schema.js';
import { planEntities, type EntitiesPlan } from './entities.js';
import { Fallback } from './fallback.js';
import type { SchemaMapping } from './mapping.js';
import { classify, MAX_DYNAMIC_ROOT_CONDITIONS, type RootOccurrence, type RootsPlan } from './roots.js';
import { createShaper, type ShapeField } from './shape.js';
import { argumentDefault, translateValue, valueMapper, type ValueMapper } from './values.js';

export { Fallback };
export type { ShapeField };

export interface VariablesPlan {
  /** The client's definitions (subgraph names): request variables are coerced against them. */
  readonly client: readonly VariableDefinitionNode[];
  readonly definitions: readonly VariableDefinitionNode[];
  /** Renames inside the values of input-object and enum variables; absent when nothing changes. */
  readonly mappers: ReadonlyMap<string, ValueMapper>;
}

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

/** Whether a value of `type` may hold input fields with defaults (the planned path does not fill them in variables). */
function reachesInputDefault(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => field.defaultValue !== undefined || reachesInputDefault(field.type, seen));
}

function variablesIn(node: FieldNode): string[] {
  const names = new Set<string>();
  visit(node, { Variable: (v) => void names.add(v.name.value) });
  return [...names];
}
export function createPlanner(mapping: SchemaMapping) {
  const subgraph = mapping.subgraph;
  const shapeOf = createShaper(subgraph);

  function translateArguments(field: FieldNode, def: GraphQLField<unknown, unknown>, parent: string, variables: Map<string, VariableDefinitionNode>): ArgumentNode[] {
    const fieldMap = mapping.field(parent, def.name)!;
    const out: ArgumentNode[] = [];
    for (const arg of def.args) {
      const name = fieldMap.args.get(arg.name);
      if (!name) throw new Fallback(`argument ${parent}.${def.name}(${arg.name})`);
      const given = field.arguments?.find((a) => a.name.value === arg.name);
      const materialised = argumentDefault(mapping, arg);
      if (given) {
        // A variable left unset takes the argument's default, which delegation sends.
        const variable = given.value.kind === Kind.VARIABLE ? variables.get(given.value.name.value) : undefined;
        if (materialised && variable && !variable.defaultValue && variable.type.kind !== Kind.NON_NULL_TYPE) throw new Fallback('variable over an argument default');
        out.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value: translateValue(mapping, given.value, arg.type) });
      } else if (materialised) {
        out.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value: materialised });
      }
    }
    return out;
  }

  /** `set` (selections on subgraph object `type`) in Healthie's names. */
  function translate(set: SelectionSetNode, type: GraphQLObjectType, variables: Map<string, VariableDefinitionNode>): SelectionSetNode {
    const selections = set.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) throw new Fallback('fragment spread after expansion');
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        if (condition && condition !== type.name) throw new Fallback(`fragment on ${condition}`);
        return {
          kind: Kind.INLINE_FRAGMENT,
          directives: directivesOf(selection.directives),
          selectionSet: translate(selection.selectionSet, type, variables),
        };
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

  function variablesPlan(all: readonly VariableDefinitionNode[]): VariablesPlan {
    const mappers = new Map<string, ValueMapper>();
    const definitions = all.map((definition) => {
      const type = typeFromAST(subgraph, definition.type as never) as GraphQLInputType | undefined;
      if (!type) throw new Fallback('unknown variable type');
      if (reachesInputDefault(type)) throw new Fallback('variable of an input type with defaults');
      const mapper = valueMapper(mapping, type);
      if (mapper) mappers.set(definition.variable.name.value, mapper);
      return {
        ...definition,
        type: renameType(definition.type),
        directives: [],
        ...(definition.defaultValue ? { defaultValue: translateValue(mapping, definition.defaultValue, type) as never } : {}),
      };
    });
    return { client: all, definitions, mappers };
  }

  function renameType(node: TypeNode): TypeNode {
    if (node.kind !== Kind.NAMED_TYPE) return { ...node, type: renameType(node.type) as never };
    const name = mapping.typeToHealthie.get(node.name.value);
    if (!name) throw new Fallback(`type ${node.name.value}`);
    return { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: name } };
  }

  /** The plan for one operation of a validated document, or why it keeps the delegation path. */
  return function plan(document: DocumentNode, operationName: string | null | undefined): Plan | Fallback {
    try {
      const selected = selectOperation(document, operationName);
      if (!selected || selected.operation !== 'query') return new Fallback('not a query');
      const operation = expandOperation(document, selected).definitions[0] as OperationDefinitionNode;
      const variables = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
      const roots = operation.selectionSet.selections;
      if (roots.some((s) => s.kind !== Kind.FIELD)) return new Fallback('fragment at the root');
      const fields = roots as readonly FieldNode[];
      if (fields.some((f) => f.name.value === '_entities')) {
        if (fields.length !== 1) return new Fallback('mixed roots');
        return planEntities(fields[0]!, operation, {
          type: (name) => subgraph.getType(name) as GraphQLObjectType,
          translate: (set, type) => translate(set, type, variables),
          variablesPlan,
          shapeOf: (set, type) => shapeOf([{ set, conditions: [] }], type),
        });
      }
      if (fields.length > MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST) return new Fallback('more root fields than one Healthie request takes');
      const query = subgraph.getQueryType()!;
      const occurrences = fields.map((field): RootOccurrence => {
        const key = field.alias?.value ?? field.name.value;
        const conditions = directivesOf(field.directives);
        if (field.name.value === '__typename') return { key, field: undefined, conditions, variables: [] };
        const set = translate({ kind: Kind.SELECTION_SET, selections: [{ ...field, directives: [] }] }, query, variables);
        const translated = set.selections[0] as FieldNode;
        return { key, field: translated, conditions, variables: variablesIn(translated) };
      });
      const { always, dynamic } = classify(occurrences);
      if (dynamic.length > MAX_DYNAMIC_ROOT_CONDITIONS) return new Fallback('too many conditional root fields');
      const variablesOut = variablesPlan(operation.variableDefinitions ?? []);
      return {
        kind: 'root',
        operation: { ...operation, variableDefinitions: [], directives: [], selectionSet: { kind: Kind.SELECTION_SET, selections: [] } },
        occurrences,
        always,
        dynamic,
        shape: shapeOf([{ set: operation.selectionSet, conditions: [] }], query),
        definitions: variablesOut.definitions,
        variants: new Map(),
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

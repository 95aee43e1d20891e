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
 * conditions) and enum values are mapped by SchemaMapping; argument defaults of the subgraph that
 * differ from Healthie's are sent explicitly; the `shape` lets the forwarder check non-null
 * fields, serialize leaves and answer `__typename` with subgraph names. Fragments are inlined by
 * expandOperation (src/operation/expand.ts), within its size bound.
 *
 * Anything the planner does not cover returns a Fallback (a reason), and the operation keeps the
 * delegation path, which gives the same answers: mutations (every booking guard stays on one
 * path), introspection, `_service`, mixed roots, abstract types, other directives.
 */
import {
  Kind,
  getNamedType,
  isCompositeType,
  isNonNullType,
  isObjectType,
  print,
  typeFromAST,
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
import { ENTITIES, type EntityTypeName } from '../schema/federation.js';
import { MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST } from '../subgraph/schema.js';
import type { SchemaMapping } from './mapping.js';
import { createShaper, type ShapeField } from './shape.js';
import { defaultToSend, translateValue, valueMapper, type ValueMapper } from './values.js';

export interface VariablesPlan {
  /** The client's definitions (subgraph names): request variables are coerced against them. */
  readonly client: readonly VariableDefinitionNode[];
  readonly definitions: readonly VariableDefinitionNode[];
  /** Renames inside the values of input-object and enum variables; absent when nothing changes. */
  readonly mappers: ReadonlyMap<string, ValueMapper>;
}

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

export type { ShapeField };

export type Plan =
  | { readonly kind: 'root'; readonly document: DocumentNode; readonly shape: readonly ShapeField[]; readonly variables: VariablesPlan }
  | {
      readonly kind: 'entities';
      readonly key: string;
      readonly nodes: readonly FieldNode[];
      readonly representations: string;
      readonly types: ReadonlyMap<EntityTypeName, EntityTypePlan>;
      /** Client variable definitions (printed, Healthie's names) by name; each type lists those it uses. */
      readonly variableDefinitions: ReadonlyMap<string, string>;
      readonly variables: VariablesPlan;
    };

export class Fallback {
  constructor(readonly reason: string) {}
}

const CONDITIONAL = new Set(['include', 'skip']);

function directivesOf(nodes: readonly DirectiveNode[] | undefined): DirectiveNode[] {
  for (const directive of nodes ?? []) if (!CONDITIONAL.has(directive.name.value)) throw new Fallback(`directive @${directive.name.value}`);
  return [...(nodes ?? [])];
}

export function createPlanner(mapping: SchemaMapping) {
  const subgraph = mapping.subgraph;
  const shapeOf = createShaper(subgraph);

  function translateArguments(field: FieldNode, def: GraphQLField<unknown, unknown>, parent: string, variables: Map<string, VariableDefinitionNode>): ArgumentNode[] {
    const fieldMap = mapping.field(parent, def.name)!;
    const healthieField = (mapping.healthie.getType(mapping.typeToHealthie.get(parent)!) as GraphQLObjectType).getFields()[fieldMap.name]!;
    const out: ArgumentNode[] = [];
    for (const arg of def.args) {
      const name = fieldMap.args.get(arg.name);
      if (!name) throw new Fallback(`argument ${parent}.${def.name}(${arg.name})`);
      const given = field.arguments?.find((a) => a.name.value === arg.name);
      const healthieArg = healthieField.args.find((a) => a.name === name)!;
      const materialised = defaultToSend(mapping, arg, healthieArg);
      if (given) {
        // A variable left unset would take the subgraph's default, which Healthie does not know.
        const variable = given.value.kind === Kind.VARIABLE ? variables.get(given.value.name.value) : undefined;
        if (materialised && variable && !variable.defaultValue && variable.type.kind !== Kind.NON_NULL_TYPE) throw new Fallback('variable over a differing default');
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

  function entitiesPlan(field: FieldNode, operation: OperationDefinitionNode, variables: Map<string, VariableDefinitionNode>): Plan {
    const representations = field.arguments?.find((a) => a.name.value === 'representations')?.value;
    if (representations?.kind !== Kind.VARIABLE || field.directives?.length) throw new Fallback('_entities without a representations variable');
    const types = new Map<EntityTypeName, EntityTypePlan>();
    for (const typeName of Object.keys(ENTITIES) as EntityTypeName[]) {
      const type = subgraph.getType(typeName) as GraphQLObjectType;
      // The union's selection as it applies to this type, type conditions resolved.
      const applicable = (set: SelectionSetNode): SelectionNode[] =>
        set.selections.flatMap((s): SelectionNode[] => {
          if (s.kind !== Kind.INLINE_FRAGMENT) return [s];
          const condition = s.typeCondition?.name.value;
          if (condition && condition !== typeName && condition !== '_Entity') return [];
          return [{ kind: Kind.INLINE_FRAGMENT, directives: s.directives ?? [], selectionSet: { kind: Kind.SELECTION_SET, selections: applicable(s.selectionSet) } }];
        });
      const set: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: applicable(field.selectionSet!) };
      const translated = translate(set, type, variables);
      // A type the client selects nothing of still answers {} for a known id and null for an
      // unknown one: Healthie is asked for `__typename`, which the answer then leaves out.
      const empty = set.selections.length === 0;
      const text = empty ? '{ __typename }' : print(translated);
      const used = [...new Set([...text.matchAll(/\$(\w+)/g)].map((m) => m[1]!))];
      const rootField = ENTITIES[typeName].rootField;
      types.set(typeName, { rootField, selection: text, shape: shapeOf([{ set, conditions: [] }], type), empty, variables: used });
    }
    const plan = variablesPlan((operation.variableDefinitions ?? []).filter((d) => d.variable.name.value !== representations.name.value));
    return {
      kind: 'entities',
      key: field.alias?.value ?? field.name.value,
      nodes: [field],
      representations: representations.name.value,
      types,
      variableDefinitions: new Map(plan.definitions.map((d) => [d.variable.name.value, print(d)])),
      // Coercion covers every variable (representations included); only the others are sent.
      variables: { ...plan, client: operation.variableDefinitions ?? [] },
    };
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
      const names = new Set((roots as FieldNode[]).map((f) => f.name.value));
      if (names.has('_entities')) {
        if (roots.length !== 1) return new Fallback('mixed roots');
        return entitiesPlan(roots[0] as FieldNode, operation, variables);
      }
      const query = subgraph.getQueryType()!;
      // Scope: root fields that return one entity (HealthieUser, HealthieAppointment), the
      // lookups routers send most. Lists, connections and availability keep delegation: Healthie's
      // errors on them (a bad cursor, a bad date) reach the client differently on the two paths
      // today, and the planned path must answer exactly as delegation does.
      const entityRoot = (f: FieldNode) => {
        const type = query.getFields()[f.name.value]?.type;
        return f.name.value === '__typename' || (type !== undefined && !isNonNullType(type) && Object.hasOwn(ENTITIES, String(type)));
      };
      if (!(roots as FieldNode[]).every(entityRoot)) return new Fallback('root field outside the planned scope');
      const selectionSet = translate(operation.selectionSet, query, variables);
      if (roots.length > MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST) return new Fallback('more root fields than one Healthie request takes');
      const variablesOut = variablesPlan(operation.variableDefinitions ?? []);
      const healthieOperation: OperationDefinitionNode = {
        ...operation,
        variableDefinitions: variablesOut.definitions,
        directives: [],
        selectionSet,
      };
      return {
        kind: 'root',
        document: { kind: Kind.DOCUMENT, definitions: [healthieOperation] },
        shape: shapeOf([{ set: operation.selectionSet, conditions: [] }], query),
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

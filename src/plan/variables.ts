/**
 * The variables of a planned operation in Healthie's names: definitions with Healthie's type
 * names and defaults, and the renames needed inside their values at request time.
 *
 * Why a module: what a variable means must not change on the way to Healthie. Types are renamed
 * (`HealthieISO8601DateTime` → `ISO8601DateTime`); input-object fields and enum values are renamed
 * inside values (values.ts); a variable that stands for an argument with a default gets that
 * default in Healthie's definition, since delegation sends the argument's default when the
 * variable is unset (and only where every use of the variable is such an argument); and a
 * variable whose input type has field defaults keeps delegation, which fills them in.
 */
import {
  Kind,
  typeFromAST,
  visit,
  type ASTNode,
  type GraphQLInputType,
  type OperationDefinitionNode,
  type TypeNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import { Fallback } from './fallback.js';
import type { SchemaMapping } from './mapping.js';
import { reachesInputObject } from '../subgraph/defaults.js';
import { translateValue, valueMapper, type ValueMapper } from './values.js';

export interface VariablesPlan {
  /** The client's definitions (subgraph names): request variables are coerced against them. */
  readonly client: readonly VariableDefinitionNode[];
  readonly definitions: readonly VariableDefinitionNode[];
  /** Renames inside the values of input-object and enum variables; absent when nothing changes. */
  readonly mappers: ReadonlyMap<string, ValueMapper>;
}

/** The variables of an operation being planned, and those Healthie gets an argument's default for. */
export interface Scope {
  readonly definitions: ReadonlyMap<string, VariableDefinitionNode>;
  readonly defaulted: Map<string, { value: ValueNode; uses: number }>;
}

/** The names of the variables `node` uses, each once, in order of first use. */
export function variablesIn(node: ASTNode): string[] {
  const names = new Set<string>();
  visit(node, { Variable: (v) => void names.add(v.name.value) });
  return [...names];
}

/** Uses of variable `name` in the operation's selections (arguments, values, directives). */
export function useCount(operation: OperationDefinitionNode, name: string): number {
  let uses = 0;
  visit(operation.selectionSet, { Variable: (v) => void (v.name.value === name && (uses += 1)) });
  return uses;
}

/** Whether a value of `type` may hold input fields with defaults (the planned path does not fill them in variables). */
const reachesInputDefault = (type: GraphQLInputType) =>
  reachesInputObject(type, (input) => Object.values(input.getFields()).some((field) => field.defaultValue !== undefined));

export function createVariablesPlanner(mapping: SchemaMapping) {
  function renameType(node: TypeNode): TypeNode {
    if (node.kind !== Kind.NAMED_TYPE) return { ...node, type: renameType(node.type) as never };
    const name = mapping.typeToHealthie.get(node.name.value);
    if (!name) throw new Fallback(`type ${node.name.value}`);
    return { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: name } };
  }

  return function variablesPlan(all: readonly VariableDefinitionNode[], defaulted: Scope['defaulted']): VariablesPlan {
    const mappers = new Map<string, ValueMapper>();
    const definitions = all.map((definition) => {
      const type = typeFromAST(mapping.subgraph, definition.type as never) as GraphQLInputType | undefined;
      if (!type) throw new Fallback('unknown variable type');
      if (reachesInputDefault(type)) throw new Fallback('variable of an input type with defaults');
      const mapper = valueMapper(mapping, type);
      if (mapper) mappers.set(definition.variable.name.value, mapper);
      const argumentDefault = defaulted.get(definition.variable.name.value)?.value;
      return {
        ...definition,
        type: renameType(definition.type),
        directives: [],
        ...(definition.defaultValue ? { defaultValue: translateValue(mapping, definition.defaultValue, type) as never } : {}),
        ...(argumentDefault ? { defaultValue: argumentDefault as never } : {}),
      };
    });
    return { client: all, definitions, mappers };
  };
}

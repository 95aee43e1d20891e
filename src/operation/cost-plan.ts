/**
 * The cost of an operation compiled once per document, as a function of the request's variables.
 *
 * Why: routers send the same few documents again and again with new variables (an `_entities`
 * call with new representations, a page size from a variable). The estimate (src/plugins/cost.ts,
 * graphql-query-complexity) walks every field with TypeInfo on every request, although only a few
 * numbers can change: page sizes and representation counts sent as variables, and
 * `@include`/`@skip` conditions. This module walks the expanded operation once and folds all that
 * does not depend on variables into constants. What is left is a small tree of steps, in document
 * order: fields whose arguments read variables (paged fields, `_entities`, arguments that may fail
 * to coerce), selections with conditions, and constants. At request time only those steps run.
 *
 * The result must be the estimate's, to the unit, for every operation and variables, refusals
 * included; it is built to mirror graphql-query-complexity's recursion rather than to restate it:
 * - each selection scores per possible type of its parent and counts the largest (unions,
 *   `_entities`), adding in document order so that the arithmetic is the same;
 * - arguments and directives are read with graphql-js's own `getArgumentValues` and
 *   `getDirectiveValues`, and fields are scored by `fieldScore` (scoring.ts), as the estimate does;
 * - the first error thrown in the estimate's order is thrown here (a PageSizeError names the same
 *   field); an argument that cannot be read fails at the end, with graphql-js's (last) error.
 * Anything this module does not expect (a fragment spread, a document larger than the estimate
 * walks, an argument that fails on literals alone) throws CostPlanError at compile time, and the
 * caller must refuse the operation or estimate it the old way.
 */
import { getArgumentValues, getDirectiveValues, getNamedType, isAbstractType, isCompositeType, isInterfaceType, isNonNullType, isObjectType } from 'graphql';
import { Kind, SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef, visit } from 'graphql';
import type { ArgumentNode, DirectiveNode, DocumentNode, FieldNode, GraphQLCompositeType, GraphQLDirective, GraphQLField } from 'graphql';
import type { GraphQLSchema, SelectionNode, SelectionSetNode, ValueNode, VariableDefinitionNode } from 'graphql';
import { excludes } from './conditions.js';
import { expandedSelectionCount, selectOperation } from './expand.js';
import { fieldScore, scoredByArguments } from './scoring.js';

type Variables = Record<string, unknown>;
type AnyField = GraphQLField<unknown, unknown>;

/** graphql-query-complexity's default `maxQueryNodes`: at this many selections the estimate throws. */
const ESTIMATE_MAX_NODES = 10_000;

/** The operation cannot be compiled: refuse it, or estimate it the old way. */
export class CostPlanError extends Error {
  constructor(reason: string) {
    super(`The cost of this operation cannot be compiled: ${reason}.`);
    this.name = 'CostPlanError';
  }
}

/** A field scored per request: its arguments read variables, or its selection does. */
interface FieldStep {
  readonly kind: 'field';
  readonly field: AnyField;
  readonly node: FieldNode;
  /** Argument values known at compile time; undefined when they are read per request. */
  readonly args: Variables | undefined;
  readonly child: Step;
}

/** A selection set with at least one step that depends on variables. */
interface SelectionStep {
  readonly kind: 'selection';
  /** How many possible types the selection is scored for (its largest score counts). */
  readonly types: number;
  readonly items: readonly Item[];
}

/** One selection of a selection set: what it scores, for which types, and when it counts. */
interface Item {
  readonly node: SelectionNode;
  /** `@include`/`@skip` directives whose `if` reads variables (evaluated per request, in order). */
  readonly conditions: readonly GraphQLDirective[];
  /** Whether the directives known at compile time already exclude it (when conditions exist). */
  readonly excluded: boolean;
  readonly value: Step;
  /** Indexes of the possible types its score is added to. */
  readonly types: readonly number[];
}

type Step = number | FieldStep | SelectionStep;

export interface CostPlan {
  /** The cost for these coerced variables. Throws PageSizeError, graphql-js's error for an unreadable argument, or an Error. */
  cost(variables: Variables): number;
  /** The variables the cost reads: page sizes, representations, conditions, fallible arguments. */
  readonly reads: readonly string[];
}

function hasVariables(value: ValueNode): boolean {
  if (value.kind === Kind.LIST) return value.values.some(hasVariables);
  if (value.kind === Kind.OBJECT) return value.fields.some((f) => hasVariables(f.value));
  return value.kind === Kind.VARIABLE;
}

/**
 * Whether reading this argument may fail once its variables are coerced. A bare variable fails
 * only where the argument is non-null and the variable may be null or missing; a variable inside
 * a list or object literal is read per request whatever it is.
 */
function mayFail(argument: ArgumentNode, field: AnyField, definitions: ReadonlyMap<string, VariableDefinitionNode>): boolean {
  if (!hasVariables(argument.value)) return false;
  if (argument.value.kind !== Kind.VARIABLE) return true;
  const type = field.args.find((a) => a.name === argument.name.value)?.type;
  if (!type || !isNonNullType(type)) return false;
  return !isNonNullType(definitions.get(argument.value.name.value)?.type ?? { kind: Kind.NAMED_TYPE });
}

function possibleTypeNames(schema: GraphQLSchema, type: GraphQLCompositeType): string[] {
  return isAbstractType(type) ? schema.getPossibleTypes(type).map((t) => t.name) : [type.name];
}

interface Context {
  readonly variables: Variables;
  /** Why the last unreadable argument failed: the estimate throws it, unless something throws first. */
  failure?: { readonly error: unknown };
}

function evaluate(step: Step, context: Context): number | undefined {
  if (typeof step === 'number') return step;
  if (step.kind === 'field') {
    let args = step.args;
    if (args === undefined) {
      try {
        args = getArgumentValues(step.field, step.node, context.variables);
      } catch (error) {
        context.failure = { error };
        return undefined; // the estimate skips the field, and fails at the end
      }
    }
    const child = evaluate(step.child, context) ?? 0;
    return fieldScore(step.field, step.node, args, child, context.variables);
  }
  const scores = new Array<number>(step.types).fill(0);
  for (const item of step.items) {
    let excluded = item.excluded;
    for (const directive of item.conditions) {
      const condition = getDirectiveValues(directive, item.node, context.variables)?.if;
      excluded ||= excludes(directive.name, condition);
    }
    if (excluded) continue;
    const value = evaluate(item.value, context);
    if (value === undefined) continue;
    for (const type of item.types) scores[type]! += value;
  }
  return Math.max(...scores, 0);
}

const isConstant = (step: SelectionStep) => step.items.every((item) => typeof item.value === 'number' && item.conditions.length === 0);

/** Compiles the cost of `expanded` (one operation, fragments inlined). Throws CostPlanError. */
export function compileCostPlan(schema: GraphQLSchema, expanded: DocumentNode): CostPlan {
  const operation = selectOperation(expanded);
  if (!operation || expanded.definitions.length !== 1) throw new CostPlanError('the document must hold exactly one operation');
  // Every selection, skipped or not: the estimate counts fewer when some are skipped.
  if (expandedSelectionCount(expanded, operation, ESTIMATE_MAX_NODES) >= ESTIMATE_MAX_NODES) {
    throw new CostPlanError(`it has ${ESTIMATE_MAX_NODES} selections or more, or a fragment left to inline`);
  }
  const definitions = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
  const [include, skip] = [schema.getDirective('include'), schema.getDirective('skip')];
  const reads = new Set<string>();
  const read = (node: ArgumentNode | DirectiveNode) =>
    visit(node, { Variable: (variable) => void reads.add(variable.name.value) });

  function compileField(node: FieldNode, parent: GraphQLCompositeType): Step | undefined {
    const name = node.name.value;
    const own = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
    const field =
      name === SchemaMetaFieldDef.name ? SchemaMetaFieldDef : name === TypeMetaFieldDef.name ? TypeMetaFieldDef : name === TypeNameMetaFieldDef.name ? TypeNameMetaFieldDef : own;
    if (!field) return undefined; // the estimate ignores fields it does not know (validation refuses them)
    // Per request: arguments that may fail, and variables that set a page size or representations.
    const argumentNodes = node.arguments ?? [];
    const perRequest = argumentNodes.some((a) => mayFail(a, field, definitions) || (scoredByArguments(field, a.name.value) && hasVariables(a.value)));
    let args: Variables | undefined;
    try {
      // The others are read once; a variable elsewhere can neither fail nor change the score.
      args = perRequest ? undefined : getArgumentValues(field, { ...node, arguments: argumentNodes.filter((a) => !hasVariables(a.value)) }, undefined);
    } catch {
      if (!argumentNodes.some((a) => hasVariables(a.value))) throw new CostPlanError(`the arguments of ${name} cannot be read`);
      args = undefined; // a required argument from a variable: read per request
    }
    if (args === undefined) for (const argument of argumentNodes) read(argument);
    const type = getNamedType(field.type);
    const child = isCompositeType(type) ? compileSelection(node.selectionSet, type) : 0;
    const step: FieldStep = { kind: 'field', field, node, args, child };
    if (args === undefined || typeof child !== 'number') return step;
    try {
      return fieldScore(field, node, args, child, {});
    } catch {
      return step; // a refusal (a page too large): thrown per request, in the estimate's order
    }
  }

  function compileSelection(selectionSet: SelectionSetNode | undefined, type: GraphQLCompositeType): Step {
    if (!selectionSet) return 0;
    const types = new Map<string, number>();
    const indexes = (names: string[]) => names.map((n) => types.get(n) ?? (types.set(n, types.size), types.size - 1));
    const own = possibleTypeNames(schema, type);
    const items: Item[] = [];
    for (const node of selectionSet.selections) {
      const conditions: GraphQLDirective[] = [];
      let excluded = false;
      for (const directive of node.directives ?? []) {
        const definition = directive.name.value === 'include' ? include : directive.name.value === 'skip' ? skip : undefined;
        if (!definition) continue;
        // graphql-js reads the first directive of that name, as the estimate does.
        const first = node.directives!.find((d) => d.name.value === definition.name)!;
        if (first.arguments?.some((a) => hasVariables(a.value))) {
          conditions.push(definition);
          read(first);
          continue;
        }
        let condition: unknown;
        try {
          condition = getDirectiveValues(definition, node, undefined)?.if;
        } catch {
          throw new CostPlanError(`@${definition.name} cannot be read`);
        }
        excluded ||= excludes(definition.name, condition);
      }
      if (excluded && conditions.length === 0) continue;
      let value: Step | undefined;
      let scored: string[] = own;
      if (node.kind === Kind.FIELD) value = compileField(node, type);
      else if (node.kind === Kind.INLINE_FRAGMENT) {
        const condition = node.typeCondition ? schema.getType(node.typeCondition.name.value) : type;
        if (isCompositeType(condition)) {
          value = compileSelection(node.selectionSet, condition);
          scored = possibleTypeNames(schema, condition);
        }
      } else throw new CostPlanError('fragments must be inlined first');
      if (value === undefined && conditions.length === 0) continue;
      items.push({ node, conditions, excluded, value: value ?? 0, types: value === undefined ? [] : indexes(scored) });
    }
    const step: SelectionStep = { kind: 'selection', types: types.size, items };
    return isConstant(step) ? evaluate(step, { variables: {} })! : step;
  }

  const root = schema.getRootType(operation.operation);
  const tree: Step = root ? compileSelection(operation.selectionSet, root) : 0;
  return {
    reads: [...reads],
    cost(variables) {
      if (typeof tree === 'number') return tree;
      const context: Context = { variables };
      const cost = evaluate(tree, context) ?? 0;
      if (context.failure) throw context.failure.error;
      return cost;
    },
  };
}

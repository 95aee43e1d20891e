/**
 * The root fields of a planned query, and the Healthie document for one combination of their
 * @skip/@include conditions.
 *
 * Why: the delegation path sends Healthie only the root fields execution includes (a skipped
 * root field is never resolved), with their nested selections as written, nested directives
 * included. Sending skipped root fields too would let Healthie refuse the whole request for
 * them (an argument its own scalars reject, a variable of a skipped field that does not parse),
 * and the client would get a different answer. So a plan keeps each root field apart, and the
 * document of each combination of conditions is built once and cached on the plan: at request
 * time only the conditions that depend on variables are evaluated, one bit each.
 * `__typename` at the root is answered here, as execution answers it, and never sent.
 */
import { Kind, type DirectiveNode, type DocumentNode, type FieldNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import { allPass } from './complete.js';
import { retainDocument, type Retained } from './retained.js';
import type { ShapeField } from './shape.js';

/** One root field as the client wrote it, translated. */
export interface RootOccurrence {
  readonly key: string;
  /** The Healthie field, without the client's root directives; undefined for `__typename`. */
  readonly field: FieldNode | undefined;
  /** The client's @skip/@include on it (client variable names). */
  readonly conditions: readonly DirectiveNode[];
  /** Client variables its selection uses. */
  readonly variables: readonly string[];
}

export interface RootVariant {
  /** What Healthie receives; undefined when no included root field needs Healthie. */
  readonly document: DocumentNode | undefined;
  /** Variables that document uses; undefined when it uses every variable of the plan. */
  readonly variables: readonly string[] | undefined;
  /** Root keys execution includes, in execution's order: that of each key's first included occurrence. */
  readonly fields: readonly ShapeField[];
  /** Included root keys answered here (`__typename`). */
  readonly typenames: readonly string[];
}

export interface RootsPlan {
  readonly operation: OperationDefinitionNode;
  readonly occurrences: readonly RootOccurrence[];
  /** Occurrences whose conditions depend on variables, in bit order. */
  readonly dynamic: readonly number[];
  /** Occurrences included whatever the variables (no condition, or literal ones that pass). */
  readonly always: readonly number[];
  readonly shape: readonly ShapeField[];
  readonly definitions: readonly VariableDefinitionNode[];
  readonly variants: Map<number, RootVariant>;
  /** Bytes the plan keeps, its cached variants included (retained.ts). */
  readonly retained: Retained;
}

/** Most conditions on root fields a plan evaluates; more keep the delegation path. */
export const MAX_DYNAMIC_ROOT_CONDITIONS = 24;
/** Documents kept per plan, one per combination of conditions met (most plans have one). */
const MAX_VARIANTS_PER_PLAN = 64;

const usesVariables = (directives: readonly DirectiveNode[]) => directives.some((d) => d.arguments?.some((a) => a.value.kind === Kind.VARIABLE));

/** Splits occurrences into those always included, never included and depending on variables. */
export function classify(occurrences: readonly RootOccurrence[]): { always: number[]; dynamic: number[] } {
  const always: number[] = [];
  const dynamic: number[] = [];
  occurrences.forEach((occurrence, i) => {
    if (usesVariables(occurrence.conditions)) dynamic.push(i);
    else if (allPass(occurrence.conditions, {})) always.push(i);
  });
  return { always, dynamic };
}

function buildVariant(plan: RootsPlan, included: readonly number[]): RootVariant {
  const keys = new Set<string>();
  const typenames: string[] = [];
  const fields: FieldNode[] = [];
  const used = new Set<string>();
  for (const i of included) {
    const occurrence = plan.occurrences[i]!;
    keys.add(occurrence.key);
    if (!occurrence.field) {
      if (!typenames.includes(occurrence.key)) typenames.push(occurrence.key);
      continue;
    }
    fields.push(occurrence.field);
    for (const name of occurrence.variables) used.add(name);
  }
  const variableDefinitions = plan.definitions.filter((d) => used.has(d.variable.name.value));
  // graphql-js orders response keys by their first included occurrence: a key whose first
  // occurrence is skipped comes after the keys included before its next one.
  const byKey = new Map(plan.shape.map((field) => [field.key, field]));
  const operation: OperationDefinitionNode = { ...plan.operation, variableDefinitions, directives: [], selectionSet: { kind: Kind.SELECTION_SET, selections: fields } };
  return {
    document: fields.length > 0 ? { kind: Kind.DOCUMENT, definitions: [operation] } : undefined,
    variables: used.size === plan.definitions.length ? undefined : [...used],
    fields: [...keys].map((key) => byKey.get(key)!),
    typenames,
  };
}

/** The variant of `plan` for one request's coerced variables. */
export function variantFor(plan: RootsPlan, variables: Record<string, unknown>): RootVariant {
  let mask = 0;
  for (let bit = 0; bit < plan.dynamic.length; bit += 1) if (allPass(plan.occurrences[plan.dynamic[bit]!]!.conditions, variables)) mask |= 1 << bit;
  let variant = plan.variants.get(mask);
  if (variant) return variant;
  const included = [...plan.always, ...plan.dynamic.filter((_, bit) => mask & (1 << bit))].sort((a, b) => a - b);
  variant = buildVariant(plan, included);
  if (plan.variants.size < MAX_VARIANTS_PER_PLAN) {
    plan.variants.set(mask, variant);
    if (variant.document) retainDocument(plan.retained, variant.document);
  }
  return variant;
}

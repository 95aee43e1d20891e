/**
 * Random operations aimed at the cost estimate, for the compiled plan's differential test: page
 * sizes that are missing, null, zero, negative, at and over the maximum, literal or from
 * variables (with and without defaults, sent, unsent, null, of the wrong type), `@include`/`@skip`
 * from literals and variables, aliases, named fragments spread several times (and spreading each
 * other), inline fragments on objects, interfaces and unions, `__typename` and introspection, and
 * representations of any length. Each document comes with several sets of variables, since the
 * plan is compiled once per document and evaluated per request. Seeded: a failure names its seed.
 *
 * Many generated documents are invalid (a nullable variable where a non-null one is needed); the
 * caller validates them, as Apollo Server does before the cost check.
 */
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLCompositeType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { random } from '../plan/generate.js';

export interface CostCase {
  query: string;
  /** Several requests' variables for the same document. */
  variables: Record<string, unknown>[];
}

const SIZES = [null, 0, -1, 1, 2, 7, 50, 99, 100, 101, 5000];

export function createCostGenerator(schema: GraphQLSchema, seed: number) {
  const r = random(seed);

  return function generate(requests = 6): CostCase {
    const definitions: string[] = [];
    const samplers: Array<[string, () => unknown]> = [];
    const fragments: string[] = [];
    let counter = 0;

    /** A variable of `type` (sometimes loosened, or with a default), sampled per request. */
    function variable(type: GraphQLInputType, sample: () => unknown): string {
      const name = `v${counter++}`;
      const nullable = String(getNullableType(type));
      const declared = r.chance(0.95) ? String(type) : r.pick([nullable, `${nullable}!`]);
      return declare(name, declared, sample);
    }

    function declare(name: string, declared: string, sample: () => unknown): string {
      const fallback = r.chance(0.3) ? sample() : undefined;
      const literal = fallback === undefined || fallback === null || typeof fallback === 'object' ? '' : ` = ${JSON.stringify(fallback)}`;
      definitions.push(`$${name}: ${declared}${literal}`);
      // A required variable is rarely left out or null: that only tests coercion.
      const rare = declared.endsWith('!') && !literal ? 0.2 : 1;
      samplers.push([name, () => (r.chance(0.15 * rare) ? undefined : r.chance(0.02) ? 'ten' : r.chance(0.05 * rare) ? null : sample())]);
      return `$${name}`;
    }

    function value(argName: string, type: GraphQLInputType): string {
      const named = getNamedType(type);
      if (isListType(getNullableType(type))) {
        const item = () => (named.name === '_Any' ? { __typename: 'X', id: String(r.int(1, 9)) } : String(r.int(1, 9)));
        const list = () => Array.from({ length: r.pick([0, 1, 3, 20, 120, 300]) }, item);
        if (r.chance(0.6)) return variable(type, list);
        const items = Array.from({ length: r.int(0, 3) }, () =>
          r.chance(0.3) ? declare(`v${counter++}`, r.chance(0.95) ? `${named.name}!` : named.name, item) : named.name === '_Any' ? '{ id: "1" }' : '"1"',
        );
        return `[${items.join(', ')}]`;
      }
      const sample = (): unknown =>
        named.name === 'Int' ? r.pick(SIZES) : named.name === 'Boolean' ? r.pick([true, false, null]) : named.name === 'ID' || named.name === 'String' ? String(r.int(1, 9)) : 'x';
      const builtIn = ['Int', 'Boolean', 'ID', 'String'].includes(named.name);
      if (!builtIn || r.chance(0.45)) return variable(type, sample);
      const literal = sample();
      return literal === null && isNonNullType(type) ? '1' : JSON.stringify(literal);
    }

    function directives(): string {
      let text = '';
      for (const which of ['include', 'skip']) {
        if (!r.chance(0.12)) continue;
        text += ` @${which}(if: ${r.chance(0.4) ? r.pick(['true', 'false']) : declare(`v${counter++}`, r.chance(0.95) ? 'Boolean!' : 'Boolean', () => r.chance(0.5))})`;
      }
      return text;
    }

    function selection(type: GraphQLCompositeType, depth: number): string {
      const parts: string[] = [];
      const used = new Set<string>();
      const fields = isObjectType(type) || isInterfaceType(type) ? Object.values(type.getFields()).filter((f) => !f.name.startsWith('_')) : [];
      for (let i = fields.length > 0 ? r.int(1, 4) : 0; i > 0; i -= 1) {
        const field = r.pick(fields);
        const named = getNamedType(field.type);
        if (isCompositeType(named) && depth >= 4) continue;
        const args = field.args.filter((a) => isNonNullType(a.type) || r.chance(0.5));
        const argumentText = args.length > 0 ? `(${args.map((a) => `${a.name}: ${value(a.name, a.type)}`).join(', ')})` : '';
        const alias = r.chance(0.25) || used.has(field.name) ? `a${counter++}: ` : '';
        if (!alias) used.add(field.name);
        const sub = isCompositeType(named) ? ` { ${selection(named, depth + 1)} }` : '';
        const times = r.chance(0.1) ? r.int(2, 12) : 1; // the same field under many aliases
        for (let t = 0; t < times; t += 1) parts.push(`${times > 1 ? `x${counter++}: ` : alias}${field.name}${argumentText}${directives()}${sub}`);
      }
      if (r.chance(0.2) || parts.length === 0) parts.push(`__typename${directives()}`);
      if (depth === 0 && r.chance(0.05)) parts.push('__type(name: "Query") { name fields { name } }');
      if (isAbstractType(type)) {
        for (const possible of schema.getPossibleTypes(type)) if (r.chance(0.6)) parts.push(`... on ${possible.name}${directives()} { ${selection(possible, depth + 1)} }`);
      } else if (r.chance(0.1)) {
        const iface = isObjectType(type) ? type.getInterfaces()[0] : undefined;
        parts.push(`...${iface && r.chance(0.5) ? ` on ${iface.name}` : ''}${directives()} { ${selection(iface ?? type, depth + 1)} }`);
      }
      const body = parts.join(' ');
      if (r.chance(0.15)) {
        const name = `F${counter++}`;
        fragments.push(`fragment ${name} on ${type.name} { ${body} }`);
        return Array.from({ length: r.int(1, 3) }, () => `...${name}${directives()}`).join(' ');
      }
      return body;
    }

    const root = r.chance(0.1) && schema.getMutationType() ? schema.getMutationType()! : schema.getQueryType()!;
    const body = selection(root, 0);
    const kind = root === schema.getMutationType() ? 'mutation' : 'query';
    const query = [`${kind} Cost${definitions.length > 0 ? `(${definitions.join(', ')})` : ''} { ${body} }`, ...fragments].join('\n');
    const variables = Array.from({ length: requests }, () => {
      const values: Record<string, unknown> = {};
      for (const [name, sample] of samplers) {
        const v = sample();
        if (v !== undefined) values[name] = v;
      }
      return values;
    });
    return { query, variables };
  };
}

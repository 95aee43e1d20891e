/**
 * Random operations over the served schema, for the differential test: selections, aliases,
 * fragments (named and inline, at the root too), variables, `__typename` (at the root too), root
 * keys repeated under other conditions, non-null root fields beside others,
 * @include/@skip (literal and variable, on root fields too), arguments both valid and invalid (so
 * that Healthie answers with errors too), and `_entities` calls. Connections get cursors issued
 * by the sandbox and broken ones, page sizes in range, zero, negative and over the maximum, as
 * literals and variables; dates well formed and not. Seeded, so a failure names the seed that
 * reproduces it.
 *
 * Only the schema is read: names, arguments and types come from it, so the generator follows the
 * schema as it changes.
 */
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

export interface GeneratedOperation {
  query: string;
  variables: Record<string, unknown>;
}

export interface Known {
  userIds: string[];
  appointmentIds: string[];
  /** Cursors the sandbox issued (users, appointments, appointment types), if known. */
  cursors?: string[];
}

export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
  };
}
type Random = ReturnType<typeof random>;

/** Argument values worth trying, by argument name; others are made up from the type. */
function candidates(known: Known): Record<string, unknown[]> {
  const ids = [...known.userIds.slice(0, 3), ...known.appointmentIds.slice(0, 3), '999999'];
  // Page sizes: in range, zero, negative and over Healthie's maximum of 100.
  const sizes = [1, 3, 10, 0, -1, 100, 101];
  // Cursors: issued ones, one past the end, and ones that are not cursors at all.
  const issued = known.cursors ?? [];
  const cursors = [...issued, ...issued, Buffer.from('sandbox:9999').toString('base64'), 'x', '', 'bm90LWEtY3Vyc29y'];
  // Dates: Healthie's usual forms, odd ones it reads too, and ones it refuses (refused here first).
  const days = ['2026-01-05', '2026-01-09', '2026-01-05T09:00:00-05:00', '2026-01-05t09:00:00z', ' 2026-01-05T09:00:00+05 ', '20260105', '2026-01', '2025-02-30T10:00:00Z', 'not-a-date', '2026-13-45', '2026-01-05T09:00'];
  return {
    id: ids,
    userId: ids,
    providerId: ids,
    pageSize: [1, 3, 10],
    first: sizes,
    last: sizes,
    after: cursors,
    before: cursors,
    offset: [0, 2],
    keywords: ['Maple', 'a', ''],
    filter: ['future', 'past', 'all', 'bogus'],
    shouldPaginate: [true, false],
    startDate: days,
    endDate: [...days, '2026-01-06', '2027-06-01'],
    timezone: ['America/New_York', 'Mars/Base'],
    clientsCanBook: [true, false],
    isUpcoming: [true, false],
  };
}

export function createGenerator(schema: GraphQLSchema, known: Known, seed: number) {
  const r: Random = random(seed);
  const pool = candidates(known);

  function valueFor(argName: string, type: GraphQLInputType, depth = 0): unknown {
    const nullable = getNullableType(type) as GraphQLInputType;
    if (!isNonNullType(type) && r.chance(0.05)) return null;
    if (pool[argName] && r.chance(0.85)) return r.pick(pool[argName]!);
    if (isListType(nullable)) return [valueFor(argName, nullable.ofType as GraphQLInputType, depth + 1)];
    if (isEnumType(nullable)) return r.pick(nullable.getValues()).name;
    if (isInputObjectType(nullable) && depth < 3) {
      return Object.fromEntries(Object.values(nullable.getFields()).filter((f) => isNonNullType(f.type) || r.chance(0.5)).map((f) => [f.name, valueFor(f.name, f.type, depth + 1)]));
    }
    if (isScalarType(nullable)) return nullable.name === 'Int' ? r.int(0, 5) : nullable.name === 'Boolean' ? r.chance(0.5) : nullable.name === 'Float' ? 1.5 : 'x';
    return null;
  }

  function literal(value: unknown, type: GraphQLInputType): string {
    const nullable = getNullableType(type) as GraphQLInputType;
    if (value === null) return 'null';
    if (Array.isArray(value)) return `[${value.map((v) => literal(v, isListType(nullable) ? (nullable.ofType as GraphQLInputType) : nullable)).join(', ')}]`;
    if (isEnumType(nullable)) return String(value);
    if (isInputObjectType(nullable)) {
      const fields = nullable.getFields();
      return `{ ${Object.entries(value as object).map(([k, v]) => `${k}: ${literal(v, fields[k]!.type)}`).join(', ')} }`;
    }
    return JSON.stringify(value);
  }

  return function generate(): GeneratedOperation {
    const variables: Record<string, unknown> = {};
    const definitions: string[] = [];
    const fragments: string[] = [];
    let counter = 0;

    function directive(p = 0.08): string {
      if (!r.chance(p)) return '';
      const which = r.pick(['include', 'skip']);
      if (r.chance(0.5)) return ` @${which}(if: ${r.chance(0.5)})`;
      const name = `c${counter++}`;
      definitions.push(`$${name}: Boolean!`);
      variables[name] = r.chance(0.5);
      return ` @${which}(if: $${name})`;
    }

    function argumentsOf(field: { args: readonly { name: string; type: GraphQLInputType }[] }): string {
      const args = field.args.filter((a) => isNonNullType(a.type) || r.chance(0.4));
      if (args.length === 0) return '';
      return `(${args
        .map((a) => {
          const value = valueFor(a.name, a.type);
          if (!r.chance(0.35)) return `${a.name}: ${literal(value, a.type)}`;
          const name = `v${counter++}`;
          definitions.push(`$${name}: ${String(a.type)}`);
          // A nullable variable is sometimes left unset: the argument's default applies.
          if (isNonNullType(a.type) || r.chance(0.8)) variables[name] = value;
          return `${a.name}: $${name}`;
        })
        .join(', ')})`;
    }

    function selection(type: GraphQLObjectType, depth: number): string {
      const fields = Object.values(type.getFields()).filter((f) => !f.name.startsWith('_'));
      const parts: string[] = [];
      for (let i = r.int(1, 4); i > 0; i -= 1) {
        const field = r.pick(fields);
        const named = getNamedType(field.type);
        if (isObjectType(named) && depth >= 3) continue;
        const alias = r.chance(0.2) ? `a${counter++}: ` : '';
        const sub = isObjectType(named) ? ` { ${selection(named, depth + 1)} }` : '';
        parts.push(`${alias}${field.name}${argumentsOf(field)}${directive()}${sub}`);
      }
      if (r.chance(0.15)) parts.push('__typename');
      if (parts.length === 0) parts.push('__typename');
      const body = parts.join(' ');
      if (r.chance(0.1)) {
        const name = `F${counter++}`;
        fragments.push(`fragment ${name} on ${type.name} { ${body} }`);
        return `...${name}${directive()}`;
      }
      if (r.chance(0.1)) return `... on ${type.name}${directive()} { ${body} }`;
      return body;
    }

    let root: string;
    if (r.chance(0.25)) {
      const refs = Array.from({ length: r.int(1, 8) }, () =>
        r.chance(0.75)
          ? { __typename: 'HealthieUser', id: r.chance(0.9) ? r.pick(known.userIds) : '999999' }
          : { __typename: 'HealthieAppointment', id: r.chance(0.9) ? r.pick(known.appointmentIds) : '999999' },
      );
      variables.representations = refs;
      definitions.push('$representations: [_Any!]!');
      const user = schema.getType('HealthieUser') as GraphQLObjectType;
      const appointment = schema.getType('HealthieAppointment') as GraphQLObjectType;
      root = `_entities(representations: $representations) { ${r.chance(0.7) ? '__typename ' : ''}... on HealthieUser { ${selection(user, 1)} } ${r.chance(0.5) ? `... on HealthieAppointment { ${selection(appointment, 1)} }` : ''} }`;
    } else {
      const query = schema.getQueryType()!;
      const fields = Object.values(query.getFields()).filter((f) => !f.name.startsWith('_'));
      const parts: string[] = [];
      // Root fields as written, without their directives, so that one can be repeated later.
      const written: string[][] = [];
      for (let i = r.int(1, 3); i > 0; i -= 1) {
        const field = r.pick(fields);
        const named = getNamedType(field.type);
        const alias = r.chance(0.3) ? `r${counter++}: ` : '';
        const [head, sub] = [`${alias}${field.name}${argumentsOf(field)}`, isObjectType(named) ? ` { ${selection(named, 1)} }` : ''];
        written.push([head, sub]);
        parts.push(`${head}${directive(0.25)}${sub}`);
      }
      // One more non-null root field, aliased, anywhere: when one fails, Healthie nulls `data`
      // and the ones beside it that did not fail are dropped with it.
      const nonNull = fields.filter((f) => isNonNullType(f.type));
      if (nonNull.length > 0 && r.chance(0.15)) {
        const field = r.pick(nonNull);
        const named = getNamedType(field.type);
        parts.splice(r.int(0, parts.length), 0, `n${counter++}: ${field.name}${argumentsOf(field)}${isObjectType(named) ? ` { ${selection(named, 1)} }` : ''}`);
      }
      if (r.chance(0.1)) parts.push(`__typename${directive(0.3)}`);
      // A root key repeated after others, its occurrences under their own conditions: the order
      // of keys follows the first occurrence execution includes.
      if (r.chance(0.1)) {
        const [head, sub] = r.pick(written);
        parts.push(`${head}${directive(0.5)}${sub}`);
      }
      // Fragments at the root, their conditions applying to the root fields inside.
      if (r.chance(0.08)) parts.push(`... on Query${directive(0.3)} { ${parts.pop()} }`);
      root = parts.join(' ');
    }
    const header = definitions.length > 0 ? `query Generated(${definitions.join(', ')})` : 'query Generated';
    return { query: [`${header} { ${root} }`, ...fragments].join('\n'), variables };
  };
}

/**
 * A detector for names of data the subgraph must never expose. Names are split into words
 * (`insurance_plan`, `InsurancePlan`, `apiKey`) and matched word by word, so `availableSlots`
 * does not count as "lab" and `label` does not either.
 */
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';

export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[_\s]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

const anyWord = (pattern: RegExp) => (ws: string[]) => ws.some((w) => pattern.test(w));
const adjacent = (first: RegExp, second: RegExp) => (ws: string[]) =>
  ws.some((w, i) => first.test(w) && second.test(ws[i + 1] ?? ''));

/** Forbidden subject → matcher over the words of one name. */
export const FORBIDDEN: Record<string, (ws: string[]) => boolean> = {
  insurance: anyWord(/^insur/),
  medication: anyWord(/^medicat/),
  prescription: anyWord(/^prescri/),
  diagnosis: anyWord(/^diagnos/),
  billing: anyWord(/^bill(s|ing|ed|able)?$/),
  invoice: anyWord(/^invoice/),
  payment: anyWord(/^payment/),
  'credit card': anyWord(/^(credit|credits|card|cards)$/),
  stripe: anyWord(/^stripe/),
  document: anyWord(/^document/),
  'api key': (ws) => adjacent(/^api$/, /^keys?$/)(ws) || ws.includes('apikey'),
  'access token': adjacent(/^access$/, /^tokens?$/),
  token: anyWord(/^tokens?$/),
  password: anyWord(/^password/),
  secret: anyWord(/^secret/),
  ssn: anyWord(/^ssn$/),
  cpt: anyWord(/^cpt/),
  icd: anyWord(/^icd/),
  claim: anyWord(/^claim/),
  allergy: anyWord(/^allerg/),
  lab: anyWord(/^labs?$/),
  chart: anyWord(/^chart/),
  'form answer': adjacent(/^form$/, /^answers?$/),
  'care plan': adjacent(/^care$/, /^plans?$/),
  note: anyWord(/^notes?$/),
  superadmin: anyWord(/superadmin/),
};

/** `[subject, name]` for every forbidden subject a name matches. */
export function forbiddenHits(names: Iterable<string>): Array<[subject: string, name: string]> {
  const hits: Array<[string, string]> = [];
  for (const name of names) {
    const last = name.split(/[.():]/).filter(Boolean).pop() ?? name;
    const ws = words(last);
    for (const [subject, matches] of Object.entries(FORBIDDEN)) if (matches(ws)) hits.push([subject, name]);
  }
  return hits;
}

/** Coordinates of all types, fields, arguments, input fields and enum values of a schema. */
export function schemaCoordinates(schema: GraphQLSchema): string[] {
  const names: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    names.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        names.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) names.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) names.push(`${type.name}.${value.name}`);
  }
  return names;
}

/** The same coordinates, from an introspection result. */
export function introspectionCoordinates(result: IntrospectionQuery): string[] {
  const names: string[] = [];
  for (const type of result.__schema.types) {
    if (type.name.startsWith('__')) continue;
    names.push(type.name);
    if ('fields' in type && type.fields) {
      for (const field of type.fields) {
        names.push(`${type.name}.${field.name}`);
        for (const arg of field.args) names.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    }
    if ('inputFields' in type && type.inputFields) {
      for (const field of type.inputFields) names.push(`${type.name}.${field.name}`);
    }
    if ('enumValues' in type && type.enumValues) {
      for (const value of type.enumValues) names.push(`${type.name}.${value.name}`);
    }
  }
  return names;
}

/** Every name (type, field, argument, enum value, directive, …) written in an SDL document. */
export function documentNames(document: DocumentNode): string[] {
  const names: string[] = [];
  visit(document, {
    [Kind.NAME](node) {
      names.push(node.value);
    },
  });
  return names;
}

import { beforeAll, describe, expect, it } from 'vitest';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { getIntrospectionQuery, graphql, parse, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { loadSourceSdl } from '../../src/schema/source.js';
import { schemaFromSdl } from '../../src/schema/diff.js';
import {
  documentNames,
  FORBIDDEN,
  forbiddenHits,
  introspectionCoordinates,
  schemaCoordinates,
} from './forbidden-names.js';
import {
  APPROVED_SDL_PATH,
  haveSnapshots,
  noteIfSnapshotsMissing,
  readText,
  SNAPSHOT_2026_01_01,
  SUBGRAPH_SDL_PATH,
} from './helpers.js';

const EXPECTED_TYPES = [
  'HealthieAppointment',
  'HealthieAppointmentEdge',
  'HealthieAppointmentPaginationConnection',
  'HealthieAppointmentType',
  'HealthieAppointmentTypeEdge',
  'HealthieAppointmentTypePaginationConnection',
  'HealthieCreateAppointmentInput',
  'HealthieCreateAppointmentPayload',
  'HealthieCursor',
  'HealthieFieldError',
  'HealthieISO8601Date',
  'HealthieISO8601DateTime',
  'HealthieOrganization',
  'HealthiePageInfo',
  'HealthiePotentialAppointmentSlot',
  'HealthieUser',
  'HealthieUserConnection',
  'HealthieUserEdge',
  'Mutation',
  'Query',
];

const EXPECTED_QUERY_FIELDS = [
  'healthieAppointment',
  'healthieAppointmentTypes',
  'healthieAppointments',
  'healthieAvailableSlotsForRange',
  'healthieCurrentUser',
  'healthieDaysAvailableForRange',
  'healthieOrganizationMembers',
  'healthieUser',
  'healthieUsers',
];

/** Types Apollo's buildSubgraphSchema and graphql-js add on their own. */
const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);
const isBuiltIn = (name: string) =>
  name.startsWith('__') ||
  name.startsWith('link__') ||
  name.startsWith('federation__') ||
  ['_Service', '_Entity', '_Any'].includes(name) ||
  BUILT_IN_SCALARS.has(name);

/** Healthie types that nothing approved needs; the filter must prune them. */
const PRUNED = ['AppointmentOrderKeys', 'JSON', 'UserOrderKeys', 'RecurringAppointmentInput'];

type IntrospectedObject = { name: string; kind: string; fields?: Array<{ name: string; args: Array<{ name: string }> }> | null };

describe('forbidden data is absent from the committed subgraph', () => {
  let subgraphSdl: string;
  let approvedSdl: string;
  let introspection: IntrospectionQuery;
  let sdlNames: string[];
  let introspectedNames: string[];
  let approvedNames: string[];

  const introspectedType = (name: string): IntrospectedObject | undefined =>
    introspection.__schema.types.find((t) => t.name === name) as IntrospectedObject | undefined;

  beforeAll(async () => {
    subgraphSdl = readText(SUBGRAPH_SDL_PATH);
    approvedSdl = readText(APPROVED_SDL_PATH);
    const schema = buildSubgraphSchema({ typeDefs: parse(subgraphSdl) });
    const result = await graphql({ schema, source: getIntrospectionQuery() });
    expect(result.errors).toBeUndefined();
    introspection = result.data as unknown as IntrospectionQuery;
    sdlNames = documentNames(parse(subgraphSdl));
    introspectedNames = introspectionCoordinates(introspection);
    approvedNames = documentNames(parse(approvedSdl));
  });

  it.each(Object.keys(FORBIDDEN))('exposes no type, field, argument or enum value about "%s"', (subject) => {
    const about = (names: string[]) => forbiddenHits(names).filter(([s]) => s === subject).map(([, name]) => name);
    expect(about(sdlNames), 'schema/healthie.graphql').toEqual([]);
    expect(about(approvedNames), 'schema/healthie-approved.graphql').toEqual([]);
    expect(about(introspectedNames), 'introspection of buildSubgraphSchema').toEqual([]);
  });

  it('has healthieCreateAppointment as the only Mutation field', () => {
    expect(introspection.__schema.mutationType?.name).toBe('Mutation');
    expect(introspectedType('Mutation')?.fields?.map((f) => f.name)).toEqual(['healthieCreateAppointment']);
  });

  it('has exactly the approved Query fields besides the federation ones', () => {
    const fields = introspectedType('Query')?.fields?.map((f) => f.name) ?? [];
    expect(fields.filter((f) => !f.startsWith('_')).sort()).toEqual(EXPECTED_QUERY_FIELDS);
    expect(fields.filter((f) => f.startsWith('_')).sort()).toEqual(['_entities', '_service']);
  });

  it('introspects to exactly the expected types apart from federation and GraphQL built-ins', () => {
    const names = introspection.__schema.types.map((t) => t.name).filter((name) => !isBuiltIn(name));
    expect(names.sort()).toEqual(EXPECTED_TYPES);
  });

  it('declares exactly the expected types in the SDL', () => {
    const declared = parse(subgraphSdl)
      .definitions.flatMap((d) => ('name' in d && d.name ? [d.name.value] : []))
      .sort();
    expect(declared).toEqual(EXPECTED_TYPES);
  });

  it('offers healthieUsers without the fromSuperadmin argument', () => {
    const users = introspectedType('Query')?.fields?.find((f) => f.name === 'healthieUsers');
    expect(users?.args.map((a) => a.name).sort()).toEqual(['after', 'before', 'first', 'keywords', 'last']);
    expect(subgraphSdl).not.toMatch(/superadmin/i);
    expect(approvedSdl).not.toMatch(/superadmin/i);
  });

  it.each(PRUNED)('prunes the unused Healthie type %s from both SDLs and from introspection', (name) => {
    const introspected = introspection.__schema.types.map((t) => t.name);
    expect(introspected).not.toContain(name);
    expect(introspected).not.toContain(`Healthie${name}`);
    expect(sdlNames).not.toContain(`Healthie${name}`);
    expect(sdlNames).not.toContain(name);
    expect(approvedNames).not.toContain(name);
  });

  it('reads the approved SDL as a schema with the same types in Healthie names', () => {
    const approved: GraphQLSchema = schemaFromSdl(approvedSdl);
    const types = Object.keys(approved.getTypeMap()).filter((name) => !isBuiltIn(name)).sort();
    expect(types).toEqual(
      [
        'Appointment',
        'AppointmentEdge',
        'AppointmentPaginationConnection',
        'AppointmentType',
        'AppointmentTypeEdge',
        'AppointmentTypePaginationConnection',
        'Cursor',
        'FieldError',
        'ISO8601Date',
        'ISO8601DateTime',
        'Mutation',
        'Organization',
        'PageInfo',
        'PotentialAppointmentSlot',
        'Query',
        'User',
        'UserConnection',
        'UserEdge',
        'createAppointmentInput',
        'createAppointmentPayload',
      ].sort(),
    );
    expect(approved.getMutationType()?.getFields()).toHaveProperty('createAppointment');
    expect(Object.keys(approved.getMutationType()?.getFields() ?? {})).toHaveLength(1);
  });
});

describe('the forbidden-name detector', () => {
  it('matches whole words in snake_case, camelCase and PascalCase names', () => {
    expect(forbiddenHits(['LabOrder', 'insurance_plan', 'createApiKey', 'form_answer_group', 'ICD10Code'])).toEqual([
      ['lab', 'LabOrder'],
      ['insurance', 'insurance_plan'],
      ['api key', 'createApiKey'],
      ['form answer', 'form_answer_group'],
      ['icd', 'ICD10Code'],
    ]);
  });

  it('does not flag harmless names that merely contain a forbidden word', () => {
    expect(forbiddenHits(['availableSlotsForRange', 'labelText', 'Query.collaborators', 'HealthieFieldError.message'])).toEqual([]);
  });
});

noteIfSnapshotsMissing('forbidden.test.ts checks that the detector and pruning cases are real Healthie names');

describe.skipIf(!haveSnapshots)('the forbidden-data checks are meaningful against the full Healthie schema', () => {
  let source: GraphQLSchema;
  beforeAll(() => {
    source = loadSourceSdl(SNAPSHOT_2026_01_01);
  });

  it.each(Object.keys(FORBIDDEN))('finds names about "%s" in the full Healthie schema', (subject) => {
    const hits = forbiddenHits(schemaCoordinates(source)).filter(([s]) => s === subject);
    expect(hits.length).toBeGreaterThan(0);
  });

  it('sees from_superadmin on Healthie users, the argument the subgraph must drop', () => {
    const args = source.getQueryType()?.getFields().users?.args.map((a) => a.name);
    expect(args).toContain('from_superadmin');
  });

  it.each(PRUNED)('finds %s in the Healthie schema, so its absence is the pruning at work', (name) => {
    expect(source.getType(name)).toBeDefined();
  });
});

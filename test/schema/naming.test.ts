import { beforeAll, describe, expect, it } from 'vitest';
import { makeExecutableSchema } from '@graphql-tools/schema';
import {
  buildSchema,
  graphql,
  isEnumType,
  isInputObjectType,
  isObjectType,
  type GraphQLSchema,
} from 'graphql';
import { loadAllowlist, parseAllowlist, type Allowlist } from '../../src/schema/allowlist.js';
import { buildArtifacts, type BuildResult } from '../../src/schema/build.js';
import { filterSchema } from '../../src/schema/filter.js';
import { renameSchema } from '../../src/schema/federation.js';
import {
  camelCase,
  pascalCase,
  subgraphMemberName,
  subgraphRootFieldName,
  subgraphTypeName,
} from '../../src/schema/naming.js';
import { schemaFromSdl } from '../../src/schema/diff.js';
import { ALLOWLIST_PATH, readText, SUBGRAPH_SDL_PATH } from './helpers.js';

describe('naming rules', () => {
  it.each([
    ['first_name', 'firstName'],
    ['appt_type_id', 'apptTypeId'],
    ['next_appt_date', 'nextApptDate'],
    ['page_size', 'pageSize'],
    ['startDate', 'startDate'],
    ['id', 'id'],
    ['icd10_code', 'icd10Code'],
    ['FirstName', 'firstName'],
  ])('camelCase turns %s into %s', (input, expected) => {
    expect(camelCase(input)).toBe(expected);
  });

  it.each([
    ['createAppointmentInput', 'CreateAppointmentInput'],
    ['user_group', 'UserGroup'],
    ['User', 'User'],
    ['PotentialAppointmentSlot', 'PotentialAppointmentSlot'],
  ])('pascalCase turns %s into %s', (input, expected) => {
    expect(pascalCase(input)).toBe(expected);
  });

  it.each([
    ['User', 'HealthieUser'],
    ['createAppointmentInput', 'HealthieCreateAppointmentInput'],
    ['createAppointmentPayload', 'HealthieCreateAppointmentPayload'],
    ['user_group', 'HealthieUserGroup'],
    ['appointment_status', 'HealthieAppointmentStatus'],
  ])('subgraphTypeName prefixes the Healthie type %s as %s', (input, expected) => {
    expect(subgraphTypeName(input)).toBe(expected);
  });

  it.each(['String', 'Int', 'Float', 'Boolean', 'ID', 'Query', 'Mutation', 'Subscription'])(
    'subgraphTypeName keeps the built-in or root type %s unchanged',
    (name) => {
      expect(subgraphTypeName(name)).toBe(name);
    },
  );

  it.each([
    ['user', 'healthieUser'],
    ['users', 'healthieUsers'],
    ['createAppointment', 'healthieCreateAppointment'],
    ['availableSlotsForRange', 'healthieAvailableSlotsForRange'],
    ['current_user', 'healthieCurrentUser'],
  ])('subgraphRootFieldName turns the root field %s into %s', (input, expected) => {
    expect(subgraphRootFieldName(input)).toBe(expected);
  });

  it('names members (fields, arguments, input fields) in camelCase', () => {
    expect(subgraphMemberName('appt_type_id')).toBe('apptTypeId');
    expect(subgraphMemberName('is_patient')).toBe('isPatient');
  });
});

describe('the committed subgraph SDL follows the naming rules', () => {
  let schema: GraphQLSchema;
  let allowlist: Allowlist;
  beforeAll(() => {
    schema = schemaFromSdl(readText(SUBGRAPH_SDL_PATH));
    allowlist = loadAllowlist(ALLOWLIST_PATH);
  });

  it('uses HealthieUser, HealthieCreateAppointmentInput, healthieUser and healthieCreateAppointment', () => {
    expect(isObjectType(schema.getType('HealthieUser'))).toBe(true);
    expect(isInputObjectType(schema.getType('HealthieCreateAppointmentInput'))).toBe(true);
    expect(schema.getQueryType()?.getFields()).toHaveProperty('healthieUser');
    expect(schema.getMutationType()?.getFields()).toHaveProperty('healthieCreateAppointment');
    expect(schema.getType('User')).toBeUndefined();
    expect(schema.getQueryType()?.getFields()).not.toHaveProperty('user');
  });

  it('uses camelCase fields and arguments such as firstName and apptTypeId', () => {
    const user = schema.getType('HealthieUser');
    if (!isObjectType(user)) throw new Error('HealthieUser is not an object type');
    expect(user.getFields()).toHaveProperty('firstName');
    expect(user.getFields()).not.toHaveProperty('first_name');
    const slots = schema.getQueryType()?.getFields().healthieAvailableSlotsForRange;
    expect(slots?.args.map((a) => a.name)).toContain('apptTypeId');
    const input = schema.getType('HealthieCreateAppointmentInput');
    if (!isInputObjectType(input)) throw new Error('HealthieCreateAppointmentInput is not an input type');
    expect(Object.keys(input.getFields())).toContain('appointmentTypeId');
  });

  it('has no snake_case name and only Healthie-prefixed types and root fields', () => {
    const problems: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      const isRoot = type.name === 'Query' || type.name === 'Mutation';
      if (!isRoot && !/^Healthie[A-Z][A-Za-z0-9]*$/.test(type.name)) problems.push(type.name);
      if (!isObjectType(type) && !isInputObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const pattern = isRoot ? /^healthie[A-Z][A-Za-z0-9]*$/ : /^[a-z][A-Za-z0-9]*$/;
        if (!pattern.test(field.name)) problems.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) {
          if (!/^[a-z][A-Za-z0-9]*$/.test(arg.name)) problems.push(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('contains every approved.yaml entry under the name the rules give it', () => {
    const missing: string[] = [];
    const check = (typeName: string, fieldName: string, args: Iterable<string>) => {
      const type = schema.getType(typeName);
      const fields = isObjectType(type) || isInputObjectType(type) ? type.getFields() : {};
      const field = fields[fieldName];
      if (!field) return missing.push(`${typeName}.${fieldName}`);
      const argNames = 'args' in field ? field.args.map((a) => a.name) : [];
      for (const arg of args) if (!argNames.includes(subgraphMemberName(arg))) missing.push(`${typeName}.${fieldName}(${arg}:)`);
      return undefined;
    };
    for (const f of allowlist.query.values()) check('Query', subgraphRootFieldName(f.name), f.args.keys());
    for (const f of allowlist.mutation.values()) check('Mutation', subgraphRootFieldName(f.name), f.args.keys());
    for (const t of allowlist.types.values()) {
      for (const f of t.fields.values()) check(subgraphTypeName(t.name), subgraphMemberName(f.name), f.args.keys());
    }
    expect(missing).toEqual([]);
  });
});

/** A small Healthie-like schema with enums, whose values must survive renaming untouched. */
const ENUM_SOURCE = /* GraphQL */ `
  enum appointment_status { no_show Occurred CANCELLED }
  enum UnusedKind { A B }
  type Visit {
    visit_id: ID!
    pm_status: appointment_status
    internal_notes: String
  }
  type Query {
    visit(visit_id: ID!): Visit
    visits_by_status(status: appointment_status = Occurred, page_size: Int = 10): [Visit!]
  }
`;

const ENUM_ALLOWLIST = `
healthieApiVersion: "2026-01-01"
query:
  visit:
    reason: Look up a visit.
    args:
      visit_id: Id of the visit.
  visits_by_status:
    reason: Visits by status.
    args:
      status: Status to match.
      page_size: Page size.
types:
  appointment_status:
    reason: Attendance status of a visit.
  Visit:
    reason: A visit.
    fields:
      visit_id: Id of the visit.
      pm_status: Attendance status.
`;

describe('enum types under the naming rules (synthetic source)', () => {
  let built: BuildResult;
  let sourceSchema: GraphQLSchema;
  beforeAll(() => {
    sourceSchema = makeExecutableSchema({
      typeDefs: ENUM_SOURCE,
      resolvers: {
        Query: {
          visit: (_root: unknown, args: { visit_id: string }) => ({ visit_id: args.visit_id, pm_status: 'no_show' }),
          visits_by_status: (_root: unknown, args: { status: string; page_size: number }) => [
            { visit_id: `${args.status}:${args.page_size}`, pm_status: args.status },
          ],
        },
      },
    });
    built = buildArtifacts(buildSchema(ENUM_SOURCE), parseAllowlist(ENUM_ALLOWLIST));
  });

  it('renames the enum type to HealthieAppointmentStatus but keeps its values no_show, Occurred and CANCELLED', () => {
    const subgraph = schemaFromSdl(built.subgraphSdl);
    const status = subgraph.getType('HealthieAppointmentStatus');
    if (!isEnumType(status)) throw new Error('HealthieAppointmentStatus is not an enum');
    expect(status.getValues().map((v) => v.name).sort()).toEqual(['CANCELLED', 'Occurred', 'no_show']);
    expect(built.subgraphSdl).toContain('pmStatus: HealthieAppointmentStatus');
    expect(built.subgraphSdl).toContain('status: HealthieAppointmentStatus = Occurred');
    expect(built.subgraphSdl).not.toContain('UnusedKind');
    expect(built.subgraphSdl).not.toContain('internalNotes');
  });

  it('keeps Healthie names, enum values included, in the approved SDL', () => {
    expect(built.approvedSdl).toContain('enum appointment_status {');
    expect(built.approvedSdl).toMatch(/enum appointment_status \{[^}]*no_show[^}]*\}/);
    expect(built.approvedSdl).toContain('visits_by_status(');
  });

  it('passes enum values through unchanged at request time, in results and in variables', async () => {
    const runtime = renameSchema(filterSchema(sourceSchema, parseAllowlist(ENUM_ALLOWLIST)));
    const single = await graphql({ schema: runtime, source: '{ healthieVisit(visitId: "7") { visitId pmStatus } }' });
    expect(single.errors).toBeUndefined();
    expect(single.data).toEqual({ healthieVisit: { visitId: '7', pmStatus: 'no_show' } });

    const byStatus = await graphql({
      schema: runtime,
      source: 'query($s: HealthieAppointmentStatus) { healthieVisitsByStatus(status: $s, pageSize: 3) { visitId pmStatus } }',
      variableValues: { s: 'CANCELLED' },
    });
    expect(byStatus.errors).toBeUndefined();
    expect(byStatus.data).toEqual({ healthieVisitsByStatus: [{ visitId: 'CANCELLED:3', pmStatus: 'CANCELLED' }] });
  });
});

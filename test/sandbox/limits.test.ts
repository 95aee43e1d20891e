/**
 * The complexity score of the requests the subgraph sends upstream, in the shape it sends them
 * (aliased root fields, `__typename`, entity fields repeated inside an inline fragment):
 * each must stay under Healthie's 2000.
 */
import { getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_COMPLEXITY, fragmentsOf, queryComplexity } from '../../src/sandbox/limits.js';
import { loadSandboxSchema } from '../../src/sandbox/resolvers.js';

const USER_FIELDS = 'active dietitianId: dietitian_id dob email firstName: first_name fullName: full_name id isPatient: is_patient lastName: last_name nextApptDate: next_appt_date organization { id name } phoneNumber: phone_number timezone';

/** `count` aliased root fields, as the subgraph batches entity references. */
function batch(count: number, field: (index: number) => string): string {
  const variables = Array.from({ length: count }, (_, index) => `$_v${index}_id: ID`).join(', ');
  return `query (${variables}) { ${Array.from({ length: count }, (_, index) => field(index)).join(' ')} }`;
}

const userEntity = (index: number) =>
  `_v${index}_healthieUser: user(id: $_v${index}_id) { __typename id ... on User { id firstName: first_name lastName: last_name email isPatient: is_patient } }`;
const appointmentEntity = (selection: string) => (index: number) =>
  `_v${index}_healthieAppointment: appointment(id: $_v${index}_id) { __typename id ... on Appointment { id ${selection} } }`;

describe('sandbox complexity score', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    ({ schema } = await loadSandboxSchema());
  });

  const score = (query: string, variables: Record<string, unknown> = {}): number => {
    const document = parse(query);
    const operation = getOperationAST(document);
    if (!operation) throw new Error('No operation');
    return queryComplexity(schema, operation, fragmentsOf(document), variables);
  };

  it('scores an entity batch of 50 users with five fields at 350', () => {
    // 1 (user) + 1 (id) + 5 (id, first_name, last_name, email, is_patient again in the fragment).
    expect(score(batch(50, userEntity))).toBe(350);
  });

  it('scores an entity batch of 50 appointments with provider { id } at 250', () => {
    expect(score(batch(50, appointmentEntity('provider { __typename id }')))).toBe(250);
  });

  it("scores the booking flow's setup at 307: a patient, a provider and a page of appointment types", () => {
    const setup = `query ($k0: String, $k1: String, $book: Boolean, $provider: String) {
      _v0_healthieUsers: users(first: 1, keywords: $k0) { __typename nodes { __typename id } }
      _v1_healthieOrganizationMembers: organizationMembers(first: 1, keywords: $k1) { __typename nodes { __typename id } }
      _v2_healthieAppointmentTypes: appointmentTypes(clients_can_book: $book, provider_id: $provider) { nodes { id availableContactTypes: available_contact_types } }
    }`;
    // 1 + 1 × (1 + 1) = 3 twice, and 1 + 100 × (1 + 2) = 301 for types without first.
    expect(score(setup)).toBe(307);
  });

  it('scores a default page of users with every User field at 1601, and a page of 10 at 161', () => {
    // 1 + 100 × (nodes 1 + 12 scalars + organization { id name } 3), __typename free.
    expect(score(`{ users { nodes { ${USER_FIELDS} } } }`)).toBe(1 + 100 * 16);
    expect(score(`query ($size: Int) { healthieUsers: users(first: $size) { __typename nodes { __typename ${USER_FIELDS} } } }`, { size: 10 })).toBe(1 + 10 * 16);
  });

  it('multiplies a connection without first or last by 100, counting nodes and edges per item and page_info and total_count once', () => {
    expect(score('{ users { nodes { id } } }')).toBe(201);
    expect(score('{ organizationMembers { edges { cursor node { id } } } }')).toBe(1 + 100 * 4);
    expect(score('{ appointments { total_count page_info { has_next_page end_cursor } } }')).toBe(1 + 1 + 3);
    expect(score('{ appointmentTypes { total_count nodes { id } } }')).toBe(1 + 1 + 200);
  });

  it('reads first or last from a literal, a variable or the variable default, the larger of the two when both are sent', () => {
    expect(score('{ appointments(first: 5) { nodes { id } } }')).toBe(11);
    expect(score('{ appointments(last: 5) { nodes { id } } }')).toBe(11);
    expect(score('query ($n: Int) { users(first: $n) { nodes { id } } }', { n: 25 })).toBe(51);
    expect(score('query ($n: Int = 30) { users(first: $n) { nodes { id } } }')).toBe(61);
    expect(score('query ($n: Int) { users(first: $n) { nodes { id } } }')).toBe(201);
    expect(score('{ users(first: 2, last: 50) { nodes { id } } }')).toBe(101);
    expect(score('{ users(first: 500) { nodes { id } } }')).toBe(201);
  });

  it('counts page sizes inside fragments on the connection', () => {
    expect(score('query { users(first: 10) { ...page } } fragment page on UserConnection { nodes { id } total_count }')).toBe(1 + 20 + 1);
  });

  it('counts a list of scalars as 1, and an unpaged list of objects like one object', () => {
    expect(score('{ appointmentTypes(first: 10) { nodes { available_contact_types } } }')).toBe(21);
    expect(score('{ daysAvailableForRange }')).toBe(1);
    expect(score('{ appointment(id: "1") { attendees { id } } }')).toBe(3);
    expect(score('{ availableSlotsForRange(provider_id: "1") { date } }')).toBe(2);
  });

  it('keeps an entity batch of 50 appointments with attendees under the limit', () => {
    // 1 (appointment) + 2 (id twice) + 2 (attendees { id }; __typename is free) = 5 each.
    const withAttendees = appointmentEntity('attendees { __typename id }');
    expect(score(batch(50, withAttendees))).toBe(250);
    expect(score(batch(50, withAttendees))).toBeLessThan(MAX_COMPLEXITY);
  });
});

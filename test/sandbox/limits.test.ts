/**
 * The complexity score of the requests the subgraph sends upstream, in the shape it sends them
 * (aliased root fields, `__typename`, entity fields repeated inside an inline fragment, page
 * defaults forwarded as variables): each must stay under Healthie's 2000.
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
    schema = await loadSandboxSchema();
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

  it("scores the booking flow's setup at 205, its appointment types capped at 100 of the 1000 forwarded", () => {
    const setup = `query ($k0: String, $o0: Int, $k1: String, $o1: Int, $book: Boolean, $o2: Int, $size: Int, $provider: String) {
      _v0_healthieUsers: users(page_size: 1, keywords: $k0, offset: $o0) { __typename id }
      _v1_healthieOrganizationMembers: organizationMembers(page_size: 1, keywords: $k1, offset: $o1) { __typename id }
      _v2_healthieAppointmentTypes: appointmentTypes(clients_can_book: $book, offset: $o2, page_size: $size, provider_id: $provider) { id availableContactTypes: available_contact_types }
    }`;
    expect(score(setup, { size: 1000 })).toBe(205);
    expect(score('query ($size: Int) { appointmentTypes(page_size: $size) { id name length available_contact_types } }', { size: 1000 })).toBe(401);
  });

  it('scores a default page of users with every User field at 151', () => {
    // 1 + 10 × (12 scalars + organization { id name }).
    expect(score(`query ($size: Int) { healthieUsers: users(page_size: $size) { __typename ${USER_FIELDS} } }`, { size: 10 })).toBe(151);
    expect(score(`{ users { ${USER_FIELDS} } }`)).toBe(151);
  });

  it('multiplies a paged list without page_size by its declared default, at most 100, else by 100', () => {
    expect(score('{ users { id } }')).toBe(11);
    expect(score('{ organizationMembers { id } }')).toBe(11);
    expect(score('{ appointmentTypes { id } }')).toBe(101);
    expect(score('{ appointments { id } }')).toBe(101);
  });

  it('reads page_size from a literal, a variable or the variable default, capped at 100', () => {
    expect(score('{ appointments(should_paginate: true, page_size: 5) { id } }')).toBe(6);
    expect(score('query ($n: Int) { users(page_size: $n) { id } }', { n: 25 })).toBe(26);
    expect(score('query ($n: Int = 30) { users(page_size: $n) { id } }')).toBe(31);
    expect(score('query ($n: Int) { users(page_size: $n) { id } }')).toBe(11);
    expect(score('{ appointments(page_size: 500) { id } }')).toBe(101);
  });

  it('counts a list of scalars as 1, and an unpaged list of objects like one object', () => {
    expect(score('{ appointmentTypes(page_size: 10) { available_contact_types } }')).toBe(11);
    expect(score('{ daysAvailableForRange }')).toBe(1);
    expect(score('{ appointment(id: "1") { attendees { id } } }')).toBe(3);
    expect(score('{ availableSlotsForRange { date } }')).toBe(2);
  });

  it('keeps an entity batch of 50 appointments with attendees under the limit', () => {
    // 1 (appointment) + 2 (id twice) + 2 (attendees { id }; __typename is free) = 5 each.
    const withAttendees = appointmentEntity('attendees { __typename id }');
    expect(score(batch(50, withAttendees))).toBe(250);
    expect(score(batch(50, withAttendees))).toBeLessThan(MAX_COMPLEXITY);
  });
});

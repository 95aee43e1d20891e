/**
 * End to end through a real gateway: @apollo/gateway with the supergraph composed from
 * supergraph.yaml plus the example consumer subgraph, forwarding x-healthie-* headers the way
 * Applied's router is configured to.
 */
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { gql } from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, SECOND_API_KEY } from '../../src/sandbox/index.js';
import { startGateway, type StartedGateway } from '../helpers/gateway.js';
import { post, startStack, type Stack } from '../helpers/stack.js';

interface Ticket {
  id: string;
  subject: string;
  patientId: string;
  appointmentId?: string;
}

const FORWARDED_HEADERS = ['x-healthie-api-key', 'x-healthie-shard'];

async function startConsumer(tickets: Ticket[]) {
  const typeDefs = gql(readFileSync('test/fixtures/consumer/schema.graphql', 'utf8'));
  const toTicket = (t: Ticket) => ({
    id: t.id,
    subject: t.subject,
    patient: { __typename: 'HealthieUser', id: t.patientId },
    appointment: t.appointmentId ? { __typename: 'HealthieAppointment', id: t.appointmentId } : null,
  });
  const server = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs,
      resolvers: {
        Query: {
          supportTickets: () => tickets.map(toTicket),
          supportTicket: (_: unknown, { id }: { id: string }) => {
            const ticket = tickets.find((t) => t.id === id);
            return ticket ? toTicket(ticket) : null;
          },
        },
      },
    }),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { server, url, sdl: readFileSync('test/fixtures/consumer/schema.graphql', 'utf8') };
}

describe('a federated query through @apollo/gateway', () => {
  let stack: Stack;
  let consumer: Awaited<ReturnType<typeof startConsumer>>;
  let gateway: StartedGateway;
  const people = new Map<string, { firstName: string; isPatient: boolean }>();
  let appointmentId: string;

  beforeAll(async () => {
    stack = await startStack();
    const auth = { 'x-healthie-api-key': DEMO_API_KEY };
    const listed = await stack.query<Record<string, { nodes: any[] }>>(
      `{ patients: healthieUsers(first: 36) { nodes { id firstName isPatient } }
         providers: healthieOrganizationMembers(first: 10) { nodes { id firstName isPatient } }
         appointments: healthieAppointments(first: 1) { nodes { id } } }`,
      {},
      auth,
    );
    const [patients, providers, appointments] = [listed.body.data!.patients!.nodes, listed.body.data!.providers!.nodes, listed.body.data!.appointments!.nodes];
    for (const user of [...patients, ...providers.slice(0, 4)]) people.set(user.id, user);
    appointmentId = appointments[0].id;
    expect(people.size).toBe(40);
    expect(providers.length).toBeGreaterThanOrEqual(4);

    const tickets = [...people.keys()].map((id, index) => ({
      id: `T-${index}`,
      subject: `Ticket ${index}`,
      patientId: id,
      ...(index === 0 ? { appointmentId } : {}),
    }));
    consumer = await startConsumer(tickets);
    gateway = await startGateway({
      healthieUrl: stack.url,
      propagate: FORWARDED_HEADERS,
      extraSubgraphs: [{ name: 'support-tickets', url: consumer.url, sdl: consumer.sdl }],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await consumer?.server.stop();
    await stack?.close();
  });

  /** The 40 consumer tickets through the gateway, with nothing sent to Healthie before. */
  async function ticketsThroughGateway(query: string): Promise<any[]> {
    stack.sandbox.clearRequests();
    const result = await post<{ supportTickets: any[] }>(gateway.url, query, {}, { 'x-healthie-api-key': DEMO_API_KEY });
    expect(result.body.errors).toBeUndefined();
    const tickets = result.body.data!.supportTickets;
    expect(tickets).toHaveLength(40);
    return tickets;
  }

  it('joins consumer tickets with HealthieUser fields for 40 references in exactly one upstream request', async () => {
    const tickets = await ticketsThroughGateway('{ supportTickets { id subject patient { id firstName isPatient } } }');
    for (const ticket of tickets) {
      const expected = people.get(ticket.patient.id)!;
      expect(ticket.patient).toEqual({ id: ticket.patient.id, firstName: expected.firstName, isPatient: expected.isPatient });
    }
    expect(tickets.some((t) => t.patient.isPatient === false)).toBe(true);
    expect(stack.sandbox.requests).toHaveLength(1);
    expect(stack.sandbox.requests[0]!.headers.authorization).toBe(`Basic ${DEMO_API_KEY}`);
    expect(stack.sandbox.requests[0]!.headers['healthie-graphql-api-version']).toBe('2026-01-01');
  });

  it('resolves references of a named client operation, which the gateway names in its subgraph fetch', async () => {
    const planned = stack.server.planStats().planned;
    const tickets = await ticketsThroughGateway('query TicketPatients { supportTickets { id patient { id firstName } } }');
    for (const ticket of tickets) expect(ticket.patient.firstName).toBe(people.get(ticket.patient.id)!.firstName);
    expect(stack.server.planStats().planned).toBe(planned + 1);
    expect(stack.sandbox.requests).toHaveLength(1);
  });

  it('queries patients, providers, appointments and availability on connections through the supergraph', async () => {
    stack.sandbox.clearRequests();
    const auth = { 'x-healthie-api-key': DEMO_API_KEY };
    const listed = await post<Record<string, any>>(
      gateway.url,
      `{
        patients: healthieUsers(first: 5, keywords: "a") { totalCount pageInfo { hasNextPage endCursor } nodes { id firstName isPatient dob nextApptDate } }
        providers: healthieOrganizationMembers(first: 4) { edges { cursor node { id fullName isPatient timezone } } }
        appointments: healthieAppointments(first: 3, filter: "all") { totalCount nodes { id date start provider { id } user { id } appointmentType { id length } } }
        types: healthieAppointmentTypes(first: 10, clientsCanBook: true) { nodes { id name length availableContactTypes } }
      }`,
      {},
      auth,
    );
    expect(listed.body.errors).toBeUndefined();
    const { patients, providers, appointments, types } = listed.body.data!;
    expect(patients.nodes).toHaveLength(5);
    expect(patients.totalCount).toBeGreaterThan(5);
    expect(patients.pageInfo.hasNextPage).toBe(true);
    expect(patients.nodes.every((p: { isPatient: boolean; dob: string }) => p.isPatient && /^\d{4}-\d{2}-\d{2}$/.test(p.dob))).toBe(true);
    expect(providers.edges.every((e: { cursor: string; node: { isPatient: boolean } }) => e.cursor && !e.node.isPatient)).toBe(true);
    expect(appointments.nodes).toHaveLength(3);
    expect(appointments.nodes[0].date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);

    const next = await post<Record<string, any>>(
      gateway.url,
      'query($after: String) { healthieUsers(first: 5, keywords: "a", after: $after) { nodes { id } pageInfo { hasPreviousPage } } }',
      { after: patients.pageInfo.endCursor },
      auth,
    );
    expect(next.body.data!.healthieUsers.pageInfo.hasPreviousPage).toBe(true);
    expect(next.body.data!.healthieUsers.nodes.map((n: { id: string }) => n.id)).not.toContain(patients.nodes[0].id);

    const provider = providers.edges[1].node.id;
    const type = types.nodes.find((t: { id: string }) => t.id.endsWith('01'))!;
    const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const availability = await post<Record<string, any>>(
      gateway.url,
      `query($p: ID!, $days: String, $t: ID, $s: HealthieISO8601DateTime, $e: HealthieISO8601DateTime, $from: String) {
        healthieAvailableSlotsForRange(providerId: $p, apptTypeId: $t, startDate: $s, endDate: $e) { date length userId }
        healthieDaysAvailableForRange(providerId: $days, apptTypeId: $t, startDate: $from, endDate: $e)
      }`,
      { p: provider, days: provider, t: type.id, s: day, e: `${day}T23:59:59Z`, from: day },
      auth,
    );
    expect(availability.body.errors).toBeUndefined();
    const slots = availability.body.data!.healthieAvailableSlotsForRange;
    expect(Array.isArray(slots)).toBe(true);
    for (const slot of slots) expect(slot).toMatchObject({ length: type.length, userId: provider });
    expect(availability.body.data!.healthieDaysAvailableForRange).toEqual(slots.length > 0 ? [day] : []);
    expect(stack.sandbox.requests.every((r) => r.headers['healthie-graphql-api-version'] === '2026-01-01')).toBe(true);
    expect(stack.sandbox.requests.length).toBeGreaterThanOrEqual(3);
  });

  it('resolves HealthieAppointment references with nested Healthie fields', async () => {
    const result = await post<{ supportTicket: any }>(
      gateway.url,
      '{ supportTicket(id: "T-0") { subject appointment { id provider { id isPatient } appointmentType { name } } } }',
      {},
      { 'x-healthie-api-key': DEMO_API_KEY },
    );
    expect(result.body.errors).toBeUndefined();
    const appointment = result.body.data!.supportTicket.appointment;
    expect(appointment.id).toBe(appointmentId);
    expect(appointment.provider.isPatient).toBe(false);
    expect(typeof appointment.appointmentType.name).toBe('string');
  });

  it("uses the forwarded tenant key, so another tenant's ids resolve to no Healthie data", async () => {
    stack.sandbox.clearRequests();
    const result = await post<{ supportTickets: any[] }>(
      gateway.url,
      '{ supportTickets { id patient { id firstName } } }',
      {},
      { 'x-healthie-api-key': SECOND_API_KEY },
    );
    expect(result.body.errors).toBeUndefined();
    // Healthie answers null for ids outside the tenant; the gateway keeps the consumer's `id`.
    const patients = result.body.data!.supportTickets.map((t) => t.patient);
    expect(patients).toHaveLength(40);
    expect(patients.every((p) => p.firstName === null)).toBe(true);
    expect(stack.sandbox.requests.map((r) => r.headers.authorization)).toEqual([`Basic ${SECOND_API_KEY}`]);
  });

  it("refuses a date Healthie would refuse without calling it, and the other subgraph's fields are answered beside it", async () => {
    stack.sandbox.clearRequests();
    const auth = { 'x-healthie-api-key': DEMO_API_KEY };
    const literal = await post<any>(gateway.url, '{ supportTickets { id } healthieAppointments(startDate: "2026-12-01T10:00") { totalCount } }', {}, auth);
    const variable = await post<any>(gateway.url, 'query($d: HealthieISO8601DateTime) { supportTickets { id } healthieAppointments(startDate: $d) { totalCount } }', { d: '2026-12-01T10:00' }, auth);
    for (const [result, code] of [[literal, 'GRAPHQL_VALIDATION_FAILED'], [variable, 'BAD_USER_INPUT']] as const) {
      expect(result.body.data!.supportTickets).toHaveLength(40);
      expect(result.body.data!.healthieAppointments).toBeNull();
      // @apollo/gateway reports a subgraph's HTTP 400 as its own error, with the subgraph's answer inside.
      const refused = result.body.errors!.map((e) => (e.extensions?.response as { status: number; body: { errors: Array<{ extensions: { code: string } }> } } | undefined));
      expect(refused.map((r) => [r?.status, r?.body.errors.map((e) => e.extensions.code)])).toEqual([[400, [code]]]);
    }
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it("refuses a negative page size without calling Healthie, and the other subgraph's fields are answered beside it", async () => {
    stack.sandbox.clearRequests();
    const auth = { 'x-healthie-api-key': DEMO_API_KEY };
    const literal = await post<any>(gateway.url, '{ supportTickets { id } healthieOrganizationMembers(last: -1) { totalCount } }', {}, auth);
    const variable = await post<any>(gateway.url, 'query($n: Int) { supportTickets { id } healthieAppointments(first: $n) { totalCount } }', { n: -20 }, auth);
    for (const [result, message] of [[literal, 'last must be 0 or more (got -1)'], [variable, 'first must be 0 or more (got -20)']] as const) {
      expect(result.body.data!.supportTickets).toHaveLength(40);
      const refused = result.body.errors!.map((e) => (e.extensions?.response as { status: number; body: { errors: Array<{ message: string; extensions: { code: string } }> } } | undefined));
      expect(refused.map((r) => [r?.status, r?.body.errors.map((e) => e.extensions.code)])).toEqual([[400, ['BAD_USER_INPUT']]]);
      expect(refused[0]!.body.errors[0]!.message).toContain(message);
    }
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('fails with UNAUTHENTICATED and calls no upstream when no key reaches the subgraph', async () => {
    stack.sandbox.clearRequests();
    const result = await post<{ supportTickets: any[] }>(gateway.url, '{ supportTickets { id patient { firstName } } }');
    // The stack's subgraph has no server-level key, so the gateway reports the subgraph's error.
    expect(result.body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
    expect(stack.sandbox.requests).toHaveLength(0);
  });
});

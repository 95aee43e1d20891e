/**
 * Booking test fixtures: a patient, a provider, an appointment type and open slots from the
 * sandbox, the booking mutation, a client that returns response headers too, a count of the
 * createAppointment requests Healthie (the sandbox) received, and a subgraph behind a
 * fault-injecting Healthie, started for a describe block.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { artifactApiVersion } from '../../src/schema/build.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { startFaultyUpstream, type FaultyUpstream } from '../helpers/faulty-upstream.js';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.js';

export const AUTH = { 'x-healthie-api-key': DEMO_API_KEY };

/** The API version the committed schema was built for, which the sandbox requires. */
export const HEALTHIE_API_VERSION = artifactApiVersion(readFileSync('schema/healthie-approved.graphql', 'utf8'))!;

/** Headers of a request sent straight to the sandbox, as the subgraph sends them to Healthie. */
export const HEALTHIE_HEADERS = { authorization: `Basic ${DEMO_API_KEY}`, authorizationsource: 'API', 'healthie-graphql-api-version': HEALTHIE_API_VERSION };

export const BOOK = `mutation Book($input: HealthieCreateAppointmentInput!) {
  healthieCreateAppointment(input: $input) {
    appointment { id start provider { id } user { id } }
    messages { field message }
  }
}`;

export interface BookingFixture {
  patientId: string;
  providerId: string;
  typeId: string;
  contactType: string;
  /** Open slots, each to be booked by at most one test. */
  slots: string[];
  input(slot: string, overrides?: Record<string, unknown>): Record<string, unknown>;
}

export interface HeadedResponse<T = Record<string, any>> extends GraphQLResponse<T> {
  headers: Headers;
}

export async function send<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<HeadedResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<T>['body'] };
}

export async function bookingFixture(url: string, headers: Record<string, string> = {}): Promise<BookingFixture> {
  const setup = await send(
    url,
    `{ healthieUsers(first: 1) { nodes { id } }
       healthieOrganizationMembers(first: 1) { nodes { id } }
       healthieAppointmentTypes(first: 10) { nodes { id availableContactTypes } } }`,
    {},
    headers,
  );
  expect(setup.body.errors, JSON.stringify(setup.body.errors)).toBeUndefined();
  const data = setup.body.data!;
  const patientId = data.healthieUsers.nodes[0].id as string;
  const providerId = data.healthieOrganizationMembers.nodes[0].id as string;
  const typeId = data.healthieAppointmentTypes.nodes[0].id as string;
  const contactType = data.healthieAppointmentTypes.nodes[0].availableContactTypes[0] as string;
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const slots = await send(
    url,
    'query($p: ID!, $t: ID, $s: HealthieISO8601DateTime, $e: HealthieISO8601DateTime) { healthieAvailableSlotsForRange(providerId: $p, apptTypeId: $t, startDate: $s, endDate: $e) { date } }',
    { p: providerId, t: typeId, s: day(2), e: day(12) },
    headers,
  );
  expect(slots.body.errors, JSON.stringify(slots.body.errors)).toBeUndefined();
  // Slots overlap (they start every few minutes); keep ones far enough apart to all be bookable.
  const all = (slots.body.data!.healthieAvailableSlotsForRange as Array<{ date: string }>).map((s) => s.date);
  const spaced: string[] = [];
  for (const slot of all) {
    const last = spaced.at(-1);
    if (!last || Date.parse(slot.replace(' ', 'T').replace(/ ([+-]\d{2})(\d{2})$/, '$1:$2')) - Date.parse(last.replace(' ', 'T').replace(/ ([+-]\d{2})(\d{2})$/, '$1:$2')) >= 3 * 3_600_000) {
      spaced.push(slot);
    }
  }
  expect(spaced.length).toBeGreaterThan(10);
  return {
    patientId,
    providerId,
    typeId,
    contactType,
    slots: spaced,
    input: (slot, overrides = {}) => ({ userId: patientId, otherPartyId: providerId, appointmentTypeId: typeId, contactType, datetime: slot, ...overrides }),
  };
}

/** createAppointment requests the sandbox received. */
export function creates(sandbox: StartedSandbox): number {
  return sandbox.requests.filter((request) => /\bcreateAppointment\b/.test(request.query)).length;
}

/**
 * POSTs with headers exactly as given, repeated names included (fetch would join them into one
 * value): written to the socket as raw HTTP/1.1.
 */
export async function sendRaw(url: string, headers: Array<[string, string]>, body: unknown): Promise<{ status: number; body: any }> {
  const { hostname, port, pathname } = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  const { connect } = await import('node:net');
  const socket = connect(Number(port), hostname);
  const head = [
    `POST ${pathname} HTTP/1.1`,
    ...(headers.some(([name]) => name.toLowerCase() === 'host') ? [] : [`host: ${hostname}:${port}`]),
    'content-type: application/json',
    `content-length: ${payload.length}`,
    'connection: close',
    ...headers.map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  socket.write(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), payload]));
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const rest = text.slice(text.indexOf('\r\n\r\n') + 4);
  // The answer may be chunked: take the JSON between the first { and the last }.
  return { status, body: JSON.parse(rest.slice(rest.indexOf('{'), rest.lastIndexOf('}') + 1)) };
}

/** The sandbox's time text ("2026-12-04 10:00:00 -0500") as epoch ms. */
const epochOf = (text: string) => Date.parse(text.replace(' ', 'T').replace(/ ([+-]\d{2})(\d{2})$/, '$1:$2'));

/** Ids of the appointments the sandbox holds for `patientId` at `datetime`, read from it directly. */
export async function appointmentsAt(sandboxUrl: string, patientId: string, datetime: string): Promise<string[]> {
  const result = await send(
    sandboxUrl,
    'query($u: ID) { appointments(user_id: $u, filter: "all", first: 100) { nodes { id date } } }',
    { u: patientId },
    HEALTHIE_HEADERS,
  );
  const wanted = epochOf(datetime);
  return (result.body.data!.appointments.nodes as Array<{ id: string; date: string }>).filter((a) => epochOf(a.date) === wanted).map((a) => a.id);
}

/** A subgraph allowed to book, behind a fault-injecting Healthie in front of its own sandbox. */
export interface FaultyBookingStack {
  readonly sandbox: StartedSandbox;
  readonly upstream: FaultyUpstream;
  readonly stack: Stack;
  readonly fixture: BookingFixture;
}

/**
 * A FaultyBookingStack for the describe block this is called in, its parts there once its tests
 * run: started before them with `env` (a function is read then, e.g. for a Redis an earlier hook
 * started), closed after them, whatever of it did start. Each test starts with no requests
 * recorded by the sandbox and no log lines; with `readFirst`, after a read that succeeds, so that
 * the failures of the tests before it do not add up to an open breaker. Without a settle window
 * unless `env` sets one (HEALTHIE_BOOKING_SETTLE_MS): these tests retry at once after a lost answer
 * whose booking has certainly landed; settle-errors.test.ts tests the window.
 */
export function faultyBookingStack(env: Record<string, string> | (() => Record<string, string>), options: { readFirst?: boolean } = {}): FaultyBookingStack {
  const started: Partial<{ -readonly [K in keyof FaultyBookingStack]: FaultyBookingStack[K] }> = {};
  beforeAll(async () => {
    started.sandbox = await startSandbox();
    started.upstream = await startFaultyUpstream(started.sandbox.url);
    started.stack = await startStack({ upstreamUrl: started.upstream.url, env: { HEALTHIE_ALLOW_SCHEDULING: 'true', HEALTHIE_BOOKING_SETTLE_MS: '0', ...(typeof env === 'function' ? env() : env) } });
    started.fixture = await bookingFixture(started.stack.url);
  });
  afterAll(async () => {
    await started.stack?.close();
    await started.upstream?.close();
    await started.sandbox?.close();
  });
  beforeEach(async () => {
    if (options.readFirst) expect((await send(started.stack!.url, '{ healthieCurrentUser { id } }')).body.errors).toBeUndefined();
    started.sandbox!.clearRequests();
    started.stack!.logs.length = 0;
  });
  return started as FaultyBookingStack;
}

export interface SchedulingStack {
  readonly stack: Stack;
  readonly fixture: BookingFixture;
}

/**
 * A stack that may book (HEALTHIE_ALLOW_SCHEDULING=true, with `env`) and its booking fixture,
 * started before the enclosing describe's tests and closed after them.
 */
export function schedulingStack(env: Record<string, string> = {}): SchedulingStack {
  const started: Partial<{ -readonly [K in keyof SchedulingStack]: SchedulingStack[K] }> = {};
  beforeAll(async () => {
    started.stack = await startStack({ env: { HEALTHIE_ALLOW_SCHEDULING: 'true', ...env } });
    started.fixture = await bookingFixture(started.stack.url);
  });
  afterAll(() => started.stack?.close());
  return started as SchedulingStack;
}

/**
 * The log lines as text for "nothing of the patient's is logged" checks, without the fields a random
 * or timed value fills (request ids, times, durations, tenant hashes): an id of a few digits
 * appears in those by chance (a request id "…71001ae…" holds patient 1001).
 */
export function loggedText(logs: readonly string[]): string {
  return logs
    .map((line) => {
      const { requestId: _id, time: _time, durationMs: _duration, tenant: _tenant, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    })
    .join('\n');
}

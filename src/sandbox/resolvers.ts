/**
 * Resolvers for the approved Healthie schema over one account's seeded data, and the executable
 * schema built from `schema/healthie-approved.graphql`. Reading the committed SDL (rather than a
 * copy) keeps the sandbox in step with what the subgraph delegates to Healthie: a resolver for a
 * field the SDL lacks fails at startup.
 */
import { readFile } from 'node:fs/promises';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { artifactApiVersion } from '../schema/build.js';
import { APPROVED_SDL_URL } from '../subgraph/schema.js';
import { findAvailableDays, findSlots, type SlotQuery } from './availability.js';
import { createAppointment, type CreateAppointmentInput } from './booking.js';
import { blocksCalendar, type AccountData, type SandboxAppointment, type SandboxUser } from './data.js';
import { connection, type Connection, type ConnectionArgs } from './connection.js';
import { ISO8601Date, ISO8601DateTime } from './scalars.js';
import { MS_PER_MINUTE, dateTimeDay, formatHealthieTime, formatIsoTime, localDay } from './time.js';


export interface SandboxContext {
  readonly account: AccountData;
  readonly now: () => Date;
}

interface PageArgs extends ConnectionArgs {
  readonly keywords?: string | null;
}

interface AppointmentsArgs extends ConnectionArgs {
  readonly filter?: string | null;
  readonly user_id?: string | null;
  readonly provider_id?: string | null;
  readonly startDate?: string | null;
  readonly endDate?: string | null;
  readonly is_upcoming?: boolean | null;
}

interface AppointmentTypesArgs extends ConnectionArgs {
  readonly provider_id?: string | null;
  readonly clients_can_book?: boolean | null;
}

function compareIgnoringCase(x: string, y: string): number {
  const [a, b] = [x.toLowerCase(), y.toLowerCase()];
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Healthie's default order of users and organizationMembers, `order_by: LAST_NAME_ASC` (the
 * approved schema has no order_by, so it always applies): last name, then first name, then id.
 */
function byLastName(a: SandboxUser, b: SandboxUser): number {
  return compareIgnoringCase(a.last_name, b.last_name) || compareIgnoringCase(a.first_name, b.first_name) || Number(a.id) - Number(b.id);
}

/** Matching people in Healthie's default order, then one page of them. */
function listUsers(people: readonly SandboxUser[], args: PageArgs): Connection<SandboxUser> {
  return connection(people.filter((person) => matchesKeywords(person, args.keywords)).sort(byLastName), args);
}

/** Case-insensitive match on first, last and full name, email and phone (digits alone match too). */
function matchesKeywords(user: SandboxUser, keywords: string | null | undefined): boolean {
  const needle = keywords?.trim().toLowerCase();
  if (!needle) return true;
  const texts = [user.first_name, user.last_name, `${user.first_name} ${user.last_name}`, user.email, user.phone_number];
  if (texts.some((text) => text.toLowerCase().includes(needle))) return true;
  // "(212) 555 0101" should find 212-555-0101: compare digits when the keywords look like a phone number.
  const digits = needle.replace(/\D/g, '');
  return /^[\d\s().+-]+$/.test(needle) && digits.length >= 3 && user.phone_number.replace(/\D/g, '').includes(digits);
}

function dayArgument(name: string, value: string): number {
  const day = dateTimeDay(value);
  if (day === undefined) throw new GraphQLError(`${name} must be an ISO 8601 date`, { extensions: { code: 'BAD_USER_INPUT' } });
  return day;
}

function timeFilter(filter: string | null | undefined, now: number): (start: number) => boolean {
  switch (filter ?? 'future') {
    case 'future':
      return (start) => start >= now;
    case 'past':
      return (start) => start < now;
    case 'all':
      return () => true;
    default:
      throw new GraphQLError('filter must be "future", "past" or "all"', { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/**
 * Healthie's `appointments`: `filter` picks future (starting now or later, the default), past or
 * all appointments, the other arguments narrow that down, sorted by start, one page of them.
 */
function listAppointments(context: SandboxContext, args: AppointmentsArgs): Connection<SandboxAppointment> {
  const { account } = context;
  const now = context.now().getTime();
  const inTime = timeFilter(args.filter, now);
  // Day boundaries follow the API key user's timezone, as Healthie's do for the requesting user.
  const timeZone = account.owner.timezone;
  const first = args.startDate ? dayArgument('startDate', args.startDate) : undefined;
  const last = args.endDate ? dayArgument('endDate', args.endDate) : undefined;
  const matching = account.appointments
    .filter(
      (appointment) =>
        inTime(appointment.start) &&
        (!args.user_id || appointment.patientId === args.user_id) &&
        (!args.provider_id || appointment.providerId === args.provider_id) &&
        (!args.is_upcoming || appointment.start > now) &&
        (first === undefined || localDay(appointment.start, timeZone) >= first) &&
        (last === undefined || localDay(appointment.start, timeZone) <= last),
    )
    .sort((a, b) => a.start - b.start);
  return connection(matching, args);
}

function nextAppointmentDate(user: SandboxUser, context: SandboxContext): string | null {
  const now = context.now().getTime();
  const next = context.account.appointments.find(
    (appointment) =>
      appointment.start > now && blocksCalendar(appointment) && (appointment.patientId === user.id || appointment.providerId === user.id),
  );
  return next ? formatIsoTime(next.start, context.account.owner.timezone) : null;
}

const time = (instant: number, context: SandboxContext): string => formatHealthieTime(instant, context.account.owner.timezone);

export const resolvers = {
  ISO8601Date,
  ISO8601DateTime,
  Query: {
    currentUser: (_: unknown, __: unknown, context: SandboxContext) => context.account.owner,
    user: (_: unknown, args: { id?: string | null }, context: SandboxContext) => (args.id ? (context.account.users.get(args.id) ?? null) : null),
    users: (_: unknown, args: PageArgs, context: SandboxContext) => listUsers(context.account.patients, args),
    organizationMembers: (_: unknown, args: PageArgs, context: SandboxContext) => listUsers(context.account.members, args),
    appointment: (_: unknown, args: { id?: string | null }, context: SandboxContext) =>
      context.account.appointments.find((appointment) => appointment.id === args.id) ?? null,
    appointments: (_: unknown, args: AppointmentsArgs, context: SandboxContext) => listAppointments(context, args),
    appointmentTypes: (_: unknown, args: AppointmentTypesArgs, context: SandboxContext) =>
      connection(
        context.account.appointmentTypes.filter(
          (type) =>
            (!args.provider_id || type.providerIds.includes(args.provider_id)) &&
            (args.clients_can_book === null || args.clients_can_book === undefined || type.clients_can_book === args.clients_can_book),
        ),
        args,
      ),
    availableSlotsForRange: (_: unknown, args: SlotQuery, context: SandboxContext) =>
      findSlots(context.account, args, context.now().getTime()),
    daysAvailableForRange: (_: unknown, args: SlotQuery, context: SandboxContext) =>
      findAvailableDays(context.account, args, context.now().getTime()),
  },
  Mutation: {
    createAppointment: (_: unknown, args: { input?: CreateAppointmentInput | null }, context: SandboxContext) =>
      createAppointment(context.account, args.input, context.now().getTime()),
  },
  User: {
    full_name: (user: SandboxUser) => `${user.first_name} ${user.last_name}`,
    organization: (_: SandboxUser, __: unknown, context: SandboxContext) => ({
      id: context.account.organization.id,
      name: context.account.organization.name,
    }),
    next_appt_date: (user: SandboxUser, _: unknown, context: SandboxContext) => nextAppointmentDate(user, context),
  },
  Appointment: {
    date: (appointment: SandboxAppointment, _: unknown, context: SandboxContext) => formatIsoTime(appointment.start, context.account.owner.timezone),
    start: (appointment: SandboxAppointment, _: unknown, context: SandboxContext) => time(appointment.start, context),
    end: (appointment: SandboxAppointment, _: unknown, context: SandboxContext) =>
      time(appointment.start + appointment.length * MS_PER_MINUTE, context),
    contact_type: (appointment: SandboxAppointment) => appointment.contactType,
    pm_status: (appointment: SandboxAppointment) => appointment.pmStatus,
    provider: (appointment: SandboxAppointment, _: unknown, context: SandboxContext) => context.account.users.get(appointment.providerId) ?? null,
    user: (appointment: SandboxAppointment, _: unknown, context: SandboxContext) => context.account.users.get(appointment.patientId) ?? null,
    attendees: (appointment: SandboxAppointment, _: unknown, context: SandboxContext) =>
      [context.account.users.get(appointment.patientId)].filter((user) => user !== undefined),
    appointment_type: (appointment: SandboxAppointment, _: unknown, context: SandboxContext) =>
      context.account.appointmentTypes.find((type) => type.id === appointment.appointmentTypeId) ?? null,
  },
};

export interface SandboxSchema {
  readonly schema: GraphQLSchema;
  /** The Healthie API version the schema was built for (the header of the generated file). */
  readonly apiVersion: string;
}

let schemaPromise: Promise<SandboxSchema> | undefined;

/** The executable schema; built once per process since it holds no account data. */
export function loadSandboxSchema(): Promise<SandboxSchema> {
  schemaPromise ??= readFile(APPROVED_SDL_URL, 'utf8').then((typeDefs) => {
    const apiVersion = artifactApiVersion(typeDefs);
    if (!apiVersion) throw new Error('schema/healthie-approved.graphql records no Healthie API version; run npm run schema:build');
    return { schema: makeExecutableSchema({ typeDefs, resolvers }), apiVersion };
  });
  schemaPromise.catch(() => {
    schemaPromise = undefined;
  });
  return schemaPromise;
}

/**
 * Seeded synthetic data for one sandbox account: the owner, providers, patients, appointment
 * types and a calendar of appointments around "today".
 *
 * Everything comes from a small seeded PRNG (never Math.random), so the same account and the same
 * clock give the same data on every run. Appointment times are relative to the clock because
 * "next appointment" and open slots only make sense around the present.
 */
import { FIRST_NAMES, PATIENT_TIMEZONES, PROVIDER_TIMEZONES, type AccountDefinition, type PersonName } from './accounts.js';
import { MS_PER_MINUTE, localDay, pad, weekday, zonedTimeToInstant } from './time.js';

/** Providers' working hours, local to each provider, Monday to Friday. */
export const WORK_START_HOUR = 9;
export const WORK_END_HOUR = 17;

export interface SandboxUser {
  readonly id: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly email: string;
  readonly phone_number: string;
  readonly dob: string | null;
  readonly timezone: string;
  readonly active: boolean;
  readonly is_patient: boolean;
  readonly dietitian_id: string | null;
}

export interface SandboxAppointmentType {
  readonly id: string;
  readonly name: string;
  readonly length: number;
  readonly available_contact_types: readonly string[];
  readonly clients_can_book: boolean;
  readonly is_group: boolean;
  /** Providers who offer this type. */
  readonly providerIds: readonly string[];
}

export interface SandboxAppointment {
  readonly id: string;
  readonly providerId: string;
  readonly patientId: string;
  readonly appointmentTypeId: string;
  readonly contactType: string;
  readonly start: number;
  readonly length: number;
  readonly pmStatus: string | null;
  readonly confirmed: boolean;
  readonly location: string | null;
}

export interface AccountData {
  readonly definition: AccountDefinition;
  /** `locationId` is the organization's one appointment location (appointment_location_id). */
  readonly organization: { readonly id: string; readonly name: string; readonly address: string; readonly locationId: string };
  readonly owner: SandboxUser;
  /** Organization members (providers), the owner first. */
  readonly members: readonly SandboxUser[];
  readonly patients: readonly SandboxUser[];
  readonly users: ReadonlyMap<string, SandboxUser>;
  readonly appointmentTypes: readonly SandboxAppointmentType[];
  /** Grows when createAppointment books. */
  readonly appointments: SandboxAppointment[];
  nextAppointmentId: number;
}

const PATIENT_COUNT = 60;
const APPOINTMENT_COUNT = 40;
const PAST_APPOINTMENT_COUNT = 18;
/** Offsets within the account's id range, which holds 1000 ids. */
const OWNER_OFFSET = 1;
/** The organization's appointment location. */
const LOCATION_OFFSET = 9;
const PATIENT_OFFSET = 10;
const TYPE_OFFSET = 100;
export const APPOINTMENT_OFFSET = 200;
export const ID_RANGE = 1000;

/** Statuses after which the slot is free again. */
const RELEASING_STATUSES = new Set(['Cancelled', 'Re-Scheduled', 'Late Cancellation']);

export function blocksCalendar(appointment: SandboxAppointment): boolean {
  return appointment.pmStatus === null || !RELEASING_STATUSES.has(appointment.pmStatus);
}

/** What an appointment is made of; seeding and createAppointment both build records from it. */
export interface AppointmentFields {
  readonly id: string;
  readonly provider: SandboxUser;
  readonly patient: SandboxUser;
  readonly type: SandboxAppointmentType;
  readonly contactType: string;
  readonly start: number;
  readonly pmStatus: string | null;
  readonly confirmed: boolean;
  /** The organization's address: the location of an in-person appointment. */
  readonly address: string;
}

/** An appointment record: it lasts as long as its type and takes place at the address when in person. */
export function appointmentRecord(fields: AppointmentFields): SandboxAppointment {
  return {
    id: fields.id,
    providerId: fields.provider.id,
    patientId: fields.patient.id,
    appointmentTypeId: fields.type.id,
    contactType: fields.contactType,
    start: fields.start,
    length: fields.type.length,
    pmStatus: fields.pmStatus,
    confirmed: fields.confirmed,
    location: fields.contactType === 'In Person' ? fields.address : null,
  };
}

export function overlaps(start: number, length: number, appointment: SandboxAppointment): boolean {
  const end = start + length * MS_PER_MINUTE;
  return start < appointment.start + appointment.length * MS_PER_MINUTE && appointment.start < end;
}

/** mulberry32: tiny, fast and good enough for synthetic data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function email(name: PersonName, id: number): string {
  return `${name.first}.${name.last}.${id}@example.com`.toLowerCase();
}

function seedMembers(definition: AccountDefinition): SandboxUser[] {
  return [definition.owner, ...definition.providers].map((name, index) => {
    const id = definition.idBase + OWNER_OFFSET + index;
    return {
      id: String(id),
      first_name: name.first,
      last_name: name.last,
      email: email(name, id),
      phone_number: `${definition.areaCode}-555-019${index}`,
      dob: null,
      timezone: PROVIDER_TIMEZONES[index % PROVIDER_TIMEZONES.length] ?? 'America/New_York',
      active: true,
      is_patient: false,
      dietitian_id: null,
    };
  });
}

function seedPatients(definition: AccountDefinition, members: readonly SandboxUser[], random: () => number): SandboxUser[] {
  const lastNames = definition.patientLastNames;
  return Array.from({ length: PATIENT_COUNT }, (_, index) => {
    const id = definition.idBase + PATIENT_OFFSET + index;
    // Walking first and last names at different strides keeps every full name unique.
    const name = {
      first: FIRST_NAMES[index % FIRST_NAMES.length] ?? 'Alex',
      last: lastNames[(index + Math.floor(index / FIRST_NAMES.length) * 5) % lastNames.length] ?? 'Doe',
    };
    const dob = `${1950 + Math.floor(random() * 55)}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`;
    return {
      id: String(id),
      first_name: name.first,
      last_name: name.last,
      email: email(name, id),
      phone_number: `${definition.areaCode}-555-01${pad(index)}`,
      dob,
      timezone: pick(random, PATIENT_TIMEZONES),
      active: index % 15 !== 7,
      is_patient: true,
      dietitian_id: pick(random, members).id,
    };
  });
}

const TYPE_TEMPLATES = [
  { name: 'Initial Consultation', length: 60, contacts: ['Healthie Video Call', 'In Person', 'Phone Call'], clientsCanBook: true, members: [0, 1, 2, 3] },
  { name: 'Follow-up', length: 30, contacts: ['Healthie Video Call', 'Phone Call', 'In Person'], clientsCanBook: true, members: [0, 1, 2, 3] },
  { name: 'Nutrition Check-in', length: 45, contacts: ['Healthie Video Call', 'Phone Call'], clientsCanBook: true, members: [0, 1, 2] },
  { name: 'Care Team Review', length: 30, contacts: ['In Person'], clientsCanBook: false, members: [0, 1] },
] as const;

function seedTypes(definition: AccountDefinition, members: readonly SandboxUser[]): SandboxAppointmentType[] {
  return TYPE_TEMPLATES.map((template, index) => ({
    id: String(definition.idBase + TYPE_OFFSET + index),
    name: template.name,
    length: template.length,
    available_contact_types: template.contacts,
    clients_can_book: template.clientsCanBook,
    is_group: false,
    providerIds: template.members.flatMap((member) => members[member]?.id ?? []),
  }));
}

interface CalendarSeed {
  readonly definition: AccountDefinition;
  readonly users: ReadonlyMap<string, SandboxUser>;
  readonly patients: readonly SandboxUser[];
  readonly types: readonly SandboxAppointmentType[];
  readonly address: string;
}

function seedAppointments(seed: CalendarSeed, random: () => number, now: number): SandboxAppointment[] {
  const appointments: SandboxAppointment[] = [];
  // Bounded retries: a rejected draw (weekend, clash) just draws again.
  for (let attempt = 0; appointments.length < APPOINTMENT_COUNT && attempt < 2000; attempt++) {
    const past = appointments.length < PAST_APPOINTMENT_COUNT;
    const patient = pick(random, seed.patients);
    const provider = seed.users.get(patient.dietitian_id ?? '');
    if (!provider) continue;
    const type = pick(random, seed.types.filter((candidate) => candidate.providerIds.includes(provider.id)));
    const day = localDay(now, provider.timezone) + (past ? -(1 + Math.floor(random() * 45)) : 1 + Math.floor(random() * 30));
    if (weekday(day) === 0 || weekday(day) === 6) continue;
    const halfHours = Math.floor(((WORK_END_HOUR - WORK_START_HOUR) * 60 - type.length) / 30) + 1;
    const start =
      zonedTimeToInstant(day, WORK_START_HOUR, 0, 0, provider.timezone) + Math.floor(random() * halfHours) * 30 * MS_PER_MINUTE;
    const clash = appointments.some((other) => other.providerId === provider.id && overlaps(start, type.length, other));
    if (clash) continue;
    const roll = random();
    const contactType = pick(random, type.available_contact_types);
    appointments.push(
      appointmentRecord({
        id: String(seed.definition.idBase + APPOINTMENT_OFFSET + appointments.length),
        provider,
        patient,
        type,
        contactType,
        start,
        pmStatus: past ? (roll < 0.75 ? 'Occurred' : roll < 0.88 ? 'No-Show' : 'Cancelled') : roll < 0.1 ? 'Cancelled' : null,
        confirmed: past || roll < 0.85,
        address: seed.address,
      }),
    );
  }
  return appointments.sort((a, b) => a.start - b.start);
}

/** A fresh copy of one account's data; each sandbox gets its own, so bookings never leak between them. */
export function seedAccount(definition: AccountDefinition, now: Date): AccountData {
  const random = prng(definition.seed);
  const members = seedMembers(definition);
  const patients = seedPatients(definition, members, random);
  const users = new Map([...members, ...patients].map((user) => [user.id, user]));
  const types = seedTypes(definition, members);
  const address = `${definition.organization}, 100 Example Street, Suite ${definition.idBase / 100}, Springfield`;
  const appointments = seedAppointments({ definition, users, patients, types, address }, random, now.getTime());
  const owner = members[0];
  if (!owner) throw new Error('An account needs an owner');
  return {
    definition,
    organization: { id: String(definition.idBase), name: definition.organization, address, locationId: String(definition.idBase + LOCATION_OFFSET) },
    owner,
    members,
    patients,
    users,
    appointmentTypes: types,
    appointments,
    nextAppointmentId: definition.idBase + APPOINTMENT_OFFSET + appointments.length,
  };
}

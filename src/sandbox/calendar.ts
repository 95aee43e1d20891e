/**
 * The sandbox account's calendar: appointment types, the appointment record (shared by seeding
 * and createAppointment), what blocks a provider's time, and a seeded calendar of appointments
 * around "today". Times are relative to the clock because "next appointment" and open slots only
 * make sense around the present.
 */
import type { AccountDefinition } from './accounts.js';
import type { SandboxUser } from './people.js';
import { APPOINTMENT_OFFSET, TYPE_OFFSET, pick } from './seed.js';
import { MS_PER_MINUTE, localDay, weekday, zonedTimeToInstant } from './time.js';

/** Providers' working hours, local to each provider, Monday to Friday. */
export const WORK_START_HOUR = 9;
export const WORK_END_HOUR = 17;

const APPOINTMENT_COUNT = 40;
const PAST_APPOINTMENT_COUNT = 18;

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

const TYPE_TEMPLATES = [
  { name: 'Initial Consultation', length: 60, contacts: ['Healthie Video Call', 'In Person', 'Phone Call'], clientsCanBook: true, members: [0, 1, 2, 3] },
  { name: 'Follow-up', length: 30, contacts: ['Healthie Video Call', 'Phone Call', 'In Person'], clientsCanBook: true, members: [0, 1, 2, 3] },
  { name: 'Nutrition Check-in', length: 45, contacts: ['Healthie Video Call', 'Phone Call'], clientsCanBook: true, members: [0, 1, 2] },
  { name: 'Care Team Review', length: 30, contacts: ['In Person'], clientsCanBook: false, members: [0, 1] },
] as const;

export function seedTypes(definition: AccountDefinition, members: readonly SandboxUser[]): SandboxAppointmentType[] {
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

export interface CalendarSeed {
  readonly definition: AccountDefinition;
  readonly users: ReadonlyMap<string, SandboxUser>;
  readonly patients: readonly SandboxUser[];
  readonly types: readonly SandboxAppointmentType[];
  readonly address: string;
}

export function seedAppointments(seed: CalendarSeed, random: () => number, now: number): SandboxAppointment[] {
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

/**
 * Seeded synthetic data for one sandbox account: the owner, providers, patients, appointment
 * types and a calendar of appointments around "today" (people in people.ts, the calendar in
 * calendar.ts, the seeded randomness and id layout in seed.ts).
 *
 * Everything comes from a small seeded PRNG (never Math.random), so the same account and the same
 * clock give the same data on every run.
 */
import type { AccountDefinition } from './accounts.js';
import { seedAppointments, seedTypes, type SandboxAppointment, type SandboxAppointmentType } from './calendar.js';
import { seedMembers, seedPatients, type SandboxUser } from './people.js';
import { APPOINTMENT_OFFSET, LOCATION_OFFSET, prng } from './seed.js';

export {
  WORK_END_HOUR,
  WORK_START_HOUR,
  appointmentRecord,
  blocksCalendar,
  overlaps,
  type AppointmentFields,
  type SandboxAppointment,
  type SandboxAppointmentType,
} from './calendar.js';
export type { SandboxUser } from './people.js';
export { APPOINTMENT_OFFSET, ID_RANGE } from './seed.js';

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

/**
 * The sandbox account's people: the owner and providers (organization members) and the patients,
 * with names, contact details, dates of birth and time zones drawn from the account's seed.
 */
import { FIRST_NAMES, PATIENT_TIMEZONES, PROVIDER_TIMEZONES, type AccountDefinition, type PersonName } from './accounts.js';
import { OWNER_OFFSET, PATIENT_OFFSET, pick } from './seed.js';
import { pad } from './time.js';

const PATIENT_COUNT = 60;

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

function email(name: PersonName, id: number): string {
  return `${name.first}.${name.last}.${id}@example.com`.toLowerCase();
}

export function seedMembers(definition: AccountDefinition): SandboxUser[] {
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

export function seedPatients(definition: AccountDefinition, members: readonly SandboxUser[], random: () => number): SandboxUser[] {
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

/**
 * createAppointment: validates a booking the way Healthie reports it, as payload `messages`
 * (field + message) with no appointment, rather than as GraphQL errors. Every problem found is
 * reported at once so a caller can fix them together. Nothing is stored unless all checks pass.
 */
import { APPOINTMENT_OFFSET, ID_RANGE, appointmentRecord, blocksCalendar, overlaps, type AccountData, type SandboxAppointment, type SandboxUser } from './data.js';
import { isValidTimeZone, parseDateTime } from './time.js';

const IN_PERSON = 'In Person';

export interface CreateAppointmentInput {
  readonly user_id?: string | null;
  readonly other_party_id?: string | null;
  readonly providers?: string | null;
  readonly appointment_type_id?: string | null;
  readonly contact_type?: string | null;
  readonly datetime?: string | null;
  readonly timezone?: string | null;
  readonly appointment_location_id?: string | null;
  /** Healthie checks that the slot is free only when this is true (its default is false). */
  readonly enforce_availability?: boolean | null;
}

export interface FieldError {
  readonly field: string | null;
  readonly message: string;
}

export interface CreateAppointmentResult {
  readonly appointment: SandboxAppointment | null;
  readonly messages: FieldError[] | null;
}

const present = (value: string | null | undefined): value is string => typeof value === 'string' && value.trim() !== '';

function findProvider(account: AccountData, id: string): SandboxUser | undefined {
  return account.members.find((member) => member.id === id.trim());
}

/** The provider holding the appointment: other_party_id, else the first of `providers`, else the key's user. */
function resolveProvider(account: AccountData, input: CreateAppointmentInput, messages: FieldError[]): SandboxUser | undefined {
  let provider: SandboxUser | undefined = account.owner;
  if (present(input.providers)) {
    const ids = input.providers.split(',').map((id) => id.trim()).filter((id) => id !== '');
    const unknown = ids.filter((id) => !findProvider(account, id));
    if (unknown.length > 0) messages.push({ field: 'providers', message: `Provider not found: ${unknown.join(', ')}` });
    provider = ids[0] === undefined ? provider : findProvider(account, ids[0]);
  }
  if (present(input.other_party_id)) {
    provider = findProvider(account, input.other_party_id);
    if (!provider) messages.push({ field: 'other_party_id', message: 'Provider not found' });
  }
  return provider;
}

export function createAppointment(account: AccountData, input: CreateAppointmentInput | null | undefined, now: number): CreateAppointmentResult {
  const given = input ?? {};
  const messages: FieldError[] = [];

  const patient = present(given.user_id) ? account.users.get(given.user_id.trim()) : undefined;
  if (!present(given.user_id)) messages.push({ field: 'user_id', message: "can't be blank" });
  else if (!patient?.is_patient) messages.push({ field: 'user_id', message: 'Patient not found' });

  const provider = resolveProvider(account, given, messages);

  const type = present(given.appointment_type_id)
    ? account.appointmentTypes.find((candidate) => candidate.id === given.appointment_type_id?.trim())
    : undefined;
  if (!present(given.appointment_type_id)) messages.push({ field: 'appointment_type_id', message: "can't be blank" });
  else if (!type) messages.push({ field: 'appointment_type_id', message: 'Appointment type not found' });
  else if (provider && !type.providerIds.includes(provider.id)) {
    messages.push({ field: 'appointment_type_id', message: 'The provider does not offer this appointment type' });
  }

  // Healthie falls back to the type's first contact type when none is given.
  const contactType = present(given.contact_type) ? given.contact_type.trim() : type?.available_contact_types[0];
  if (type && contactType && !type.available_contact_types.includes(contactType)) {
    messages.push({
      field: 'contact_type',
      message: `${contactType} is not available for this appointment type (available: ${type.available_contact_types.join(', ')})`,
    });
  }

  const timeZone = present(given.timezone) ? given.timezone.trim() : (provider?.timezone ?? account.owner.timezone);
  const validZone = isValidTimeZone(timeZone);
  if (!validZone) messages.push({ field: 'timezone', message: 'is not a valid timezone' });

  let start: number | undefined;
  if (!present(given.datetime)) messages.push({ field: 'datetime', message: "can't be blank" });
  else if (validZone) {
    start = parseDateTime(given.datetime, timeZone);
    if (start === undefined) {
      messages.push({ field: 'datetime', message: 'is not a valid date and time (use YYYY-MM-DD HH:MM:SS or ISO 8601)' });
    } else if (start <= now) {
      messages.push({ field: 'datetime', message: 'must be in the future' });
    }
  }

  // Since 2025-04-01 an in-person appointment needs its location.
  if (contactType === IN_PERSON && !present(given.appointment_location_id)) {
    messages.push({ field: 'appointment_location_id', message: "can't be blank for an in-person appointment" });
  } else if (present(given.appointment_location_id) && given.appointment_location_id.trim() !== account.organization.locationId) {
    messages.push({ field: 'appointment_location_id', message: 'Appointment location not found' });
  }

  // Like Healthie, a taken slot is refused only when the caller asks for it: without
  // enforce_availability the provider is double-booked.
  if (given.enforce_availability === true && provider && type && start !== undefined && start > now) {
    const booked = start;
    const clash = account.appointments.some(
      (other) => other.providerId === provider.id && blocksCalendar(other) && overlaps(booked, type.length, other),
    );
    if (clash) messages.push({ field: 'datetime', message: 'The provider is not available at this time' });
  }

  if (account.nextAppointmentId >= account.definition.idBase + ID_RANGE) {
    messages.push({ field: null, message: `This sandbox account is full (${ID_RANGE - APPOINTMENT_OFFSET} appointments); restart the sandbox` });
  }

  if (messages.length > 0 || !patient || !provider || !type || !contactType || start === undefined) {
    return { appointment: null, messages };
  }
  const appointment = appointmentRecord({
    id: String(account.nextAppointmentId++),
    provider,
    patient,
    type,
    contactType,
    start,
    pmStatus: null,
    confirmed: true,
    address: account.organization.address,
  });
  account.appointments.push(appointment);
  account.appointments.sort((a, b) => a.start - b.start);
  return { appointment, messages: null };
}

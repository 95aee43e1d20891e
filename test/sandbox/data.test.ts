/**
 * The sandbox's seeded data, read the way Healthie serves it: the key's user, patients,
 * providers, appointment types and appointments, each account seeing only its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECOND_API_KEY, SHARDED_API_KEY, SHARDED_SHARD_ID, startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { FIXED_NOW, data, fixedClock, healthieHeaders, instantOf } from './helpers.js';

const USER_FIELDS = 'id first_name last_name full_name email phone_number dob timezone active is_patient dietitian_id next_appt_date';

describe('sandbox data', () => {
  let sandbox: StartedSandbox;
  let url: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ now: fixedClock });
    url = sandbox.url;
  });
  afterAll(() => sandbox.close());

  it('answers currentUser for the demo key with its organization', async () => {
    const { currentUser } = await data(url, '{ currentUser { id full_name is_patient organization { id name } } }');
    expect(currentUser).toEqual({
      id: '1001',
      full_name: 'Morgan Hale',
      is_patient: false,
      organization: { id: '1000', name: 'Demo Sandbox Wellness' },
    });
  });

  it('lists ten patients by default in users, and only patients', async () => {
    const { users } = await data(url, `{ users { ${USER_FIELDS} } }`);
    expect(users).toHaveLength(10);
    for (const user of users) {
      expect(user.is_patient).toBe(true);
      expect(user.email).toMatch(/@example\.com$/);
      expect(user.phone_number).toMatch(/^\d{3}-555-01\d{2}$/);
      expect(user.dob).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(user.full_name).toBe(`${user.first_name} ${user.last_name}`);
    }
  });

  it('pages through all sixty patients with offset and page_size without repeats', async () => {
    const seen = new Set<string>();
    for (let offset = 0; offset < 80; offset += 25) {
      const { users } = await data(url, 'query($o: Int) { users(offset: $o, page_size: 25) { id } }', { o: offset });
      for (const user of users) seen.add(user.id);
    }
    expect(seen.size).toBe(60);
  });

  it('finds patients by name, email or phone, ignoring case', async () => {
    const [first] = (await data(url, `{ users(page_size: 1, offset: 12) { ${USER_FIELDS} } }`)).users;
    for (const keywords of [first.first_name.toUpperCase(), first.last_name.toLowerCase(), first.full_name, first.email.toUpperCase(), first.phone_number]) {
      const { users } = await data(url, 'query($k: String) { users(keywords: $k, page_size: 100) { id } }', { k: keywords });
      expect(users.map((user: { id: string }) => user.id), keywords).toContain(first.id);
    }
    const { users } = await data(url, '{ users(keywords: "no such person anywhere") { id } }');
    expect(users).toEqual([]);
  });

  it('does not list providers in users', async () => {
    const { users } = await data(url, '{ users(keywords: "Morgan Hale") { id } }');
    expect(users).toEqual([]);
  });

  it('lists only providers, the owner included, in organizationMembers', async () => {
    const { organizationMembers } = await data(url, `{ organizationMembers { ${USER_FIELDS} } }`);
    expect(organizationMembers.map((member: { id: string }) => member.id)).toEqual(['1001', '1002', '1003', '1004']);
    for (const member of organizationMembers) expect(member.is_patient).toBe(false);
    const found = await data(url, '{ organizationMembers(keywords: "whitfield") { full_name } }');
    expect(found.organizationMembers).toEqual([{ full_name: 'Jonah Whitfield' }]);
  });

  it('looks up a patient and a provider with user(id)', async () => {
    const result = await data(url, '{ patient: user(id: "1010") { id is_patient dietitian_id } provider: user(id: "1002") { id is_patient } }');
    expect(result.patient).toMatchObject({ id: '1010', is_patient: true });
    expect(result.patient.dietitian_id).toMatch(/^100[1-4]$/);
    expect(result.provider).toEqual({ id: '1002', is_patient: false });
  });

  it("returns null without an error for another account's id or an unknown id", async () => {
    const result = await data(url, '{ other: user(id: "2010") { id } unknown: user(id: "999999") { id } appointment(id: "2200") { id } }');
    expect(result).toEqual({ other: null, unknown: null, appointment: null });
  });

  it('marks some patients inactive and gives upcoming patients a future next_appt_date', async () => {
    const { users } = await data(url, '{ users(page_size: 100) { active next_appt_date } }');
    expect(users.filter((user: { active: boolean }) => !user.active).length).toBeGreaterThan(0);
    const upcoming = users.filter((user: { next_appt_date: string | null }) => user.next_appt_date !== null);
    expect(upcoming.length).toBeGreaterThan(0);
    for (const user of upcoming) expect(instantOf(user.next_appt_date)).toBeGreaterThan(FIXED_NOW.getTime());
  });

  it('lists appointment types with lengths and contact types, filtered by provider and clients_can_book', async () => {
    const { appointmentTypes } = await data(url, '{ appointmentTypes { id name length available_contact_types clients_can_book is_group } }');
    expect(appointmentTypes.length).toBeGreaterThanOrEqual(3);
    expect(appointmentTypes).toContainEqual(expect.objectContaining({ name: 'Initial Consultation', length: 60, is_group: false }));
    expect(appointmentTypes).toContainEqual(expect.objectContaining({ name: 'Follow-up', length: 30 }));
    const bookable = await data(url, '{ appointmentTypes(clients_can_book: true) { clients_can_book } }');
    expect(bookable.appointmentTypes.length).toBeLessThan(appointmentTypes.length);
    const offered = await data(url, '{ appointmentTypes(provider_id: "1004") { name } }');
    expect(offered.appointmentTypes.map((type: { name: string }) => type.name)).toEqual(['Initial Consultation', 'Follow-up']);
  });

  it('lists ten appointments by default, sorted by start, with people and type', async () => {
    const { appointments } = await data(
      url,
      '{ appointments { id date start end length contact_type pm_status confirmed location provider { id } user { id } attendees { id } appointment_type { id length } } }',
    );
    expect(appointments).toHaveLength(10);
    const starts = appointments.map((appointment: { start: string }) => instantOf(appointment.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    for (const appointment of appointments) {
      expect(appointment.attendees).toEqual([appointment.user]);
      expect(appointment.length).toBe(appointment.appointment_type.length);
      expect(instantOf(appointment.end) - instantOf(appointment.start)).toBe(appointment.length * 60_000);
    }
  });

  it('filters appointments by patient, provider, upcoming and date range', async () => {
    const all = (await data(url, '{ appointments(page_size: 100) { id start user { id } provider { id } } }')).appointments;
    expect(all.length).toBeGreaterThanOrEqual(35);
    expect(all.some((a: { start: string }) => instantOf(a.start) < FIXED_NOW.getTime())).toBe(true);

    const patientId = all[0].user.id;
    const byPatient = (await data(url, 'query($u: ID) { appointments(user_id: $u, page_size: 100) { user { id } } }', { u: patientId })).appointments;
    expect(byPatient.length).toBeGreaterThan(0);
    expect(byPatient.every((a: { user: { id: string } }) => a.user.id === patientId)).toBe(true);

    const byProvider = (await data(url, '{ appointments(provider_id: "1002", page_size: 100) { provider { id } } }')).appointments;
    expect(byProvider.every((a: { provider: { id: string } }) => a.provider.id === '1002')).toBe(true);

    const upcoming = (await data(url, '{ appointments(is_upcoming: true, page_size: 100) { start } }')).appointments;
    expect(upcoming.length).toBeGreaterThan(0);
    expect(upcoming.every((a: { start: string }) => instantOf(a.start) > FIXED_NOW.getTime())).toBe(true);

    const inMarch = (await data(url, '{ appointments(startDate: "2025-03-13", endDate: "2025-03-20", page_size: 100) { start } }')).appointments;
    for (const appointment of inMarch) expect(appointment.start.slice(0, 10) >= '2025-03-13' && appointment.start.slice(0, 10) <= '2025-03-20').toBe(true);
  });

  it('looks up one appointment by id', async () => {
    const [first] = (await data(url, '{ appointments(page_size: 1) { id start } }')).appointments;
    const { appointment } = await data(url, 'query($id: ID) { appointment(id: $id) { id start } }', { id: first.id });
    expect(appointment).toEqual(first);
  });

  it('keeps the second account apart: its own organization, people and id range', async () => {
    const headers = healthieHeaders(SECOND_API_KEY);
    const result = await data(url, '{ currentUser { id organization { name } } users(page_size: 100) { id last_name } }', undefined, headers);
    expect(result.currentUser.organization.name).toBe('Second Sandbox Nutrition');
    const demo = await data(url, '{ users(page_size: 100) { last_name } }');
    const demoNames = new Set(demo.users.map((user: { last_name: string }) => user.last_name));
    for (const user of result.users) {
      expect(Number(user.id)).toBeGreaterThanOrEqual(2000);
      expect(Number(user.id)).toBeLessThan(3000);
      expect(demoNames.has(user.last_name)).toBe(false);
    }
    expect((await data(url, '{ user(id: "1010") { id } }', undefined, headers)).user).toBeNull();
  });

  it('serves the sharded account when its shard is named', async () => {
    const headers = healthieHeaders(SHARDED_API_KEY, SHARDED_SHARD_ID);
    const result = await data(url, '{ currentUser { id organization { name } } users(page_size: 1) { id } }', undefined, headers);
    expect(result.currentUser.organization.name).toBe('Sharded Sandbox Health Partners');
    expect(Number(result.users[0].id)).toBeGreaterThanOrEqual(3000);
  });

  it('seeds the same data on every start with the same clock', async () => {
    const query = '{ users(page_size: 100) { id full_name dob dietitian_id } appointments(page_size: 100) { id start user { id } provider { id } } }';
    const other = await startSandbox({ now: fixedClock });
    try {
      expect(await data(other.url, query)).toEqual(await data(url, query));
    } finally {
      await other.close();
    }
  });
});

/**
 * The sandbox's seeded data, read the way Healthie serves it: the key's user, patients,
 * providers, appointment types and appointments, each account seeing only its own.
 */
import { describe, expect, it } from 'vitest';
import { SECOND_API_KEY, SHARDED_API_KEY, SHARDED_SHARD_ID, startSandbox } from '../../src/sandbox/index.js';
import { FIXED_NOW, data, fixedClock, healthieHeaders, instantOf, useSandbox } from './helpers.js';

const USER_FIELDS = 'id first_name last_name full_name email phone_number dob timezone active is_patient dietitian_id next_appt_date';
const NOW = FIXED_NOW.getTime();

interface Person {
  id: string;
  first_name: string;
  last_name: string;
}

/** Healthie's LAST_NAME_ASC: last name, then first name, then id. */
const byLastName = (a: Person, b: Person): number =>
  a.last_name.localeCompare(b.last_name) || a.first_name.localeCompare(b.first_name) || Number(a.id) - Number(b.id);

const ids = (items: Array<{ id: string }>): string[] => items.map((item) => item.id);
const starts = (items: Array<{ start: string }>): number[] => items.map((item) => instantOf(item.start));
const ascending = (values: number[]): number[] => [...values].sort((a, b) => a - b);

describe('sandbox data', () => {
  const sandbox = useSandbox();
  const query = <T = Record<string, any>>(text: string, variables?: Record<string, unknown>, headers?: Record<string, string>) =>
    data<T>(sandbox.url, text, variables, headers);

  it('answers currentUser for the demo key with its organization', async () => {
    const { currentUser } = await query('{ currentUser { id full_name is_patient organization { id name } } }');
    expect(currentUser).toEqual({
      id: '1001',
      full_name: 'Morgan Hale',
      is_patient: false,
      organization: { id: '1000', name: 'Demo Sandbox Wellness' },
    });
  });

  it('lists ten patients by default in users, and only patients', async () => {
    const { users } = await query(`{ users { ${USER_FIELDS} } }`);
    expect(users).toHaveLength(10);
    for (const user of users) {
      expect(user.is_patient).toBe(true);
      expect(user.email).toMatch(/@example\.com$/);
      expect(user.phone_number).toMatch(/^\d{3}-555-01\d{2}$/);
      expect(user.dob).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(user.full_name).toBe(`${user.first_name} ${user.last_name}`);
    }
  });

  it('orders users by last name, then first name, then id, and pages in that order', async () => {
    const everyone: Person[] = (await query('{ users(page_size: 100) { id first_name last_name } }')).users;
    expect(everyone).toHaveLength(60);
    expect(ids(everyone)).toEqual(ids([...everyone].sort(byLastName)));
    expect(everyone[0]).toEqual({ id: '1010', first_name: 'Ava', last_name: 'Alder' });
    const firstPage = (await query('{ users { id } }')).users;
    const secondPage = (await query('{ users(offset: 10, page_size: 10) { id } }')).users;
    expect(ids([...firstPage, ...secondPage])).toEqual(ids(everyone.slice(0, 20)));
  });

  it('pages through all sixty patients with offset and page_size without repeats', async () => {
    const seen = new Set<string>();
    for (let offset = 0; offset < 80; offset += 25) {
      const { users } = await query('query($o: Int) { users(offset: $o, page_size: 25) { id } }', { o: offset });
      for (const user of users) seen.add(user.id);
    }
    expect(seen.size).toBe(60);
  });

  it('finds patients by name, email or phone, ignoring case', async () => {
    const [first] = (await query(`{ users(page_size: 1, offset: 12) { ${USER_FIELDS} } }`)).users;
    for (const keywords of [first.first_name.toUpperCase(), first.last_name.toLowerCase(), first.full_name, first.email.toUpperCase(), first.phone_number]) {
      const { users } = await query('query($k: String) { users(keywords: $k, page_size: 100) { id } }', { k: keywords });
      expect(users.map((user: { id: string }) => user.id), keywords).toContain(first.id);
    }
    const { users } = await query('{ users(keywords: "no such person anywhere") { id } }');
    expect(users).toEqual([]);
  });

  it('does not list providers in users', async () => {
    const { users } = await query('{ users(keywords: "Morgan Hale") { id } }');
    expect(users).toEqual([]);
  });

  it('lists only providers, the owner included, in organizationMembers, ordered by last name', async () => {
    const { organizationMembers } = await query(`{ organizationMembers { ${USER_FIELDS} } }`);
    // Hale (the owner), Raman, Sorensen, Whitfield.
    expect(ids(organizationMembers)).toEqual(['1001', '1002', '1004', '1003']);
    const paged = await query('{ organizationMembers(offset: 1, page_size: 2) { last_name } }');
    expect(paged.organizationMembers).toEqual([{ last_name: 'Raman' }, { last_name: 'Sorensen' }]);
    for (const member of organizationMembers) expect(member.is_patient).toBe(false);
    const found = await query('{ organizationMembers(keywords: "whitfield") { full_name } }');
    expect(found.organizationMembers).toEqual([{ full_name: 'Jonah Whitfield' }]);
  });

  it('looks up a patient and a provider with user(id)', async () => {
    const result = await query('{ patient: user(id: "1010") { id is_patient dietitian_id } provider: user(id: "1002") { id is_patient } }');
    expect(result.patient).toMatchObject({ id: '1010', is_patient: true });
    expect(result.patient.dietitian_id).toMatch(/^100[1-4]$/);
    expect(result.provider).toEqual({ id: '1002', is_patient: false });
  });

  it("returns null without an error for another account's id or an unknown id", async () => {
    const result = await query('{ other: user(id: "2010") { id } unknown: user(id: "999999") { id } appointment(id: "2200") { id } }');
    expect(result).toEqual({ other: null, unknown: null, appointment: null });
  });

  it('marks some patients inactive and gives upcoming patients a future next_appt_date', async () => {
    const { users } = await query('{ users(page_size: 100) { active next_appt_date } }');
    expect(users.filter((user: { active: boolean }) => !user.active).length).toBeGreaterThan(0);
    const upcoming = users.filter((user: { next_appt_date: string | null }) => user.next_appt_date !== null);
    expect(upcoming.length).toBeGreaterThan(0);
    for (const user of upcoming) expect(instantOf(user.next_appt_date)).toBeGreaterThan(NOW);
  });

  it('lists appointment types with lengths and contact types, filtered by provider and clients_can_book', async () => {
    const { appointmentTypes } = await query('{ appointmentTypes { id name length available_contact_types clients_can_book is_group } }');
    expect(appointmentTypes.length).toBeGreaterThanOrEqual(3);
    expect(appointmentTypes).toContainEqual(expect.objectContaining({ name: 'Initial Consultation', length: 60, is_group: false }));
    expect(appointmentTypes).toContainEqual(expect.objectContaining({ name: 'Follow-up', length: 30 }));
    const bookable = await query('{ appointmentTypes(clients_can_book: true) { clients_can_book } }');
    expect(bookable.appointmentTypes.length).toBeLessThan(appointmentTypes.length);
    const offered = await query('{ appointmentTypes(provider_id: "1004") { name } }');
    expect(offered.appointmentTypes.map((type: { name: string }) => type.name)).toEqual(['Initial Consultation', 'Follow-up']);
  });

  it('lists every appointment starting now or later by default, unpaged and sorted by start, with people and type', async () => {
    const { appointments } = await query(
      '{ appointments { id date start end length contact_type pm_status confirmed location provider { id } user { id } appointment_type { id length } } }',
    );
    // 22 of the 40 seeded appointments are upcoming: more than any default page.
    expect(appointments).toHaveLength(22);
    expect(starts(appointments).every((start) => start >= NOW)).toBe(true);
    expect(starts(appointments)).toEqual(ascending(starts(appointments)));
    for (const appointment of appointments) {
      expect(appointment.length).toBe(appointment.appointment_type.length);
      expect(instantOf(appointment.end) - instantOf(appointment.start)).toBe(appointment.length * 60_000);
    }
    // attendees is a list of 100 for the complexity score, so it is asked for on a small page.
    const withAttendees = (await query('{ appointments(should_paginate: true, page_size: 10) { user { id } attendees { id } } }')).appointments;
    for (const appointment of withAttendees) expect(appointment.attendees).toEqual([appointment.user]);
  });

  it('lists earlier appointments with filter "past" and both kinds with filter "all", sorted by start', async () => {
    const { future, past, all } = await query(
      '{ future: appointments(filter: "future") { id start } past: appointments(filter: "past") { id start } all: appointments(filter: "all") { id start } }',
    );
    expect(past).toHaveLength(18);
    expect(starts(past).every((start) => start < NOW)).toBe(true);
    expect(starts(past)).toEqual(ascending(starts(past)));
    expect(all).toEqual([...past, ...future]);
    expect(all).toHaveLength(40);
  });

  it('ignores offset and page_size unless should_paginate is true', async () => {
    const unpaged = (await query('{ appointments { id } }')).appointments;
    const ignored = (await query('{ appointments(offset: 5, page_size: 2) { id } }')).appointments;
    const explicit = (await query('{ appointments(should_paginate: false, offset: 5, page_size: 2) { id } }')).appointments;
    expect(ignored).toEqual(unpaged);
    expect(explicit).toEqual(unpaged);
  });

  it('pages appointments with should_paginate: ten by default, then by offset and page_size', async () => {
    const upcoming = (await query('{ appointments { id } }')).appointments;
    const defaultPage = (await query('{ appointments(should_paginate: true) { id } }')).appointments;
    expect(defaultPage).toEqual(upcoming.slice(0, 10));

    const all = (await query('{ appointments(filter: "all") { id } }')).appointments;
    const pages: Array<{ id: string }> = [];
    for (let offset = 0; offset < 50; offset += 15) {
      const variables = { o: offset };
      pages.push(...(await query('query($o: Int) { appointments(filter: "all", should_paginate: true, offset: $o, page_size: 15) { id } }', variables)).appointments);
    }
    expect(pages).toEqual(all);
  });

  it('applies is_upcoming on top of filter', async () => {
    const upcoming = (await query('{ appointments(filter: "all", is_upcoming: true) { start } }')).appointments;
    expect(upcoming).toHaveLength(22);
    expect(starts(upcoming).every((start) => start > NOW)).toBe(true);
    expect((await query('{ appointments(filter: "past", is_upcoming: true) { id } }')).appointments).toEqual([]);
  });

  it('filters appointments by patient, provider and date range', async () => {
    const all = (await query('{ appointments(filter: "all") { id start user { id } provider { id } } }')).appointments;
    const patientId = all[0].user.id;
    const byPatient = (await query('query($u: ID) { appointments(filter: "all", user_id: $u) { user { id } } }', { u: patientId })).appointments;
    expect(byPatient.length).toBeGreaterThan(0);
    expect(byPatient.every((a: { user: { id: string } }) => a.user.id === patientId)).toBe(true);

    const byProvider = (await query('{ appointments(filter: "all", provider_id: "1002") { provider { id } } }')).appointments;
    expect(byProvider.length).toBeGreaterThan(0);
    expect(byProvider.every((a: { provider: { id: string } }) => a.provider.id === '1002')).toBe(true);

    const inMarch = (await query('{ appointments(filter: "all", startDate: "2025-03-03", endDate: "2025-03-20") { start } }')).appointments;
    const days = inMarch.map((appointment: { start: string }) => appointment.start.slice(0, 10));
    expect(days).toContain('2025-03-13');
    expect(days.some((day: string) => day < '2025-03-12')).toBe(true);
    for (const day of days) expect(day >= '2025-03-03' && day <= '2025-03-20', day).toBe(true);
  });

  it('looks up one appointment by id', async () => {
    const [first] = (await query('{ appointments(should_paginate: true, page_size: 1) { id start } }')).appointments;
    const { appointment } = await query('query($id: ID) { appointment(id: $id) { id start } }', { id: first.id });
    expect(appointment).toEqual(first);
  });

  it('keeps the second account apart: its own organization, people and id range', async () => {
    const headers = healthieHeaders(SECOND_API_KEY);
    const result = await query('{ currentUser { id organization { name } } users(page_size: 100) { id last_name } }', undefined, headers);
    expect(result.currentUser.organization.name).toBe('Second Sandbox Nutrition');
    const demo = await query('{ users(page_size: 100) { last_name } }');
    const demoNames = new Set(demo.users.map((user: { last_name: string }) => user.last_name));
    for (const user of result.users) {
      expect(Number(user.id)).toBeGreaterThanOrEqual(2000);
      expect(Number(user.id)).toBeLessThan(3000);
      expect(demoNames.has(user.last_name)).toBe(false);
    }
    expect((await query('{ user(id: "1010") { id } }', undefined, headers)).user).toBeNull();
  });

  it('serves the sharded account when its shard is named', async () => {
    const headers = healthieHeaders(SHARDED_API_KEY, SHARDED_SHARD_ID);
    const result = await query('{ currentUser { id organization { name } } users(page_size: 1) { id } }', undefined, headers);
    expect(result.currentUser.organization.name).toBe('Sharded Sandbox Health Partners');
    expect(Number(result.users[0].id)).toBeGreaterThanOrEqual(3000);
  });

  it('seeds the same data on every start with the same clock', async () => {
    const everything = '{ users(page_size: 100) { id full_name dob dietitian_id } appointments(filter: "all") { id start user { id } provider { id } } }';
    const other = await startSandbox({ now: fixedClock });
    try {
      expect(await data(other.url, everything)).toEqual(await query(everything));
    } finally {
      await other.close();
    }
  });
});

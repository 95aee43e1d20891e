/**
 * The sandbox's seeded data, read the way Healthie serves it: the key's user, patients,
 * providers, appointment types and appointments, each account seeing only its own.
 */
import { describe, expect, it } from 'vitest';
import { SECOND_API_KEY, SHARDED_API_KEY, SHARDED_SHARD_ID, startSandbox } from '../../src/sandbox/index.js';
import { FIXED_NOW, ISO_DATE_TIME, data, fixedClock, healthieHeaders, instantOf, useSandbox } from './helpers.js';

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

  it('lists patients, and only patients, in the users connection, 100 to a page by default', async () => {
    const { users } = await query(`{ users { total_count nodes { ${USER_FIELDS} } } }`);
    expect(users.total_count).toBe(60);
    expect(users.nodes).toHaveLength(60);
    for (const user of users.nodes) {
      expect(user.is_patient).toBe(true);
      expect(user.id).toMatch(/^\d+$/);
      expect(user.email).toMatch(/@example\.com$/);
      expect(user.phone_number).toMatch(/^\d{3}-555-01\d{2}$/);
      expect(user.dob).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(user.full_name).toBe(`${user.first_name} ${user.last_name}`);
    }
  });

  it('orders users by last name, then first name, then id, and pages forwards in that order with first/after', async () => {
    const everyone: Person[] = (await query('{ users(first: 100) { nodes { id first_name last_name } } }')).users.nodes;
    expect(everyone).toHaveLength(60);
    expect(ids(everyone)).toEqual(ids([...everyone].sort(byLastName)));
    expect(everyone[0]).toEqual({ id: '1010', first_name: 'Ava', last_name: 'Alder' });
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: any = (await query('query($a: String) { users(first: 25, after: $a) { edges { cursor node { id } } page_info { has_next_page has_previous_page start_cursor end_cursor } } }', { a: after })).users;
      seen.push(...result.edges.map((edge: { node: { id: string } }) => edge.node.id));
      expect(result.page_info.has_previous_page).toBe(page > 0);
      expect(result.page_info.start_cursor).toBe(result.edges[0].cursor);
      expect(result.page_info.end_cursor).toBe(result.edges.at(-1).cursor);
      if (!result.page_info.has_next_page) break;
      after = result.page_info.end_cursor;
    }
    expect(seen).toEqual(ids(everyone));
  });

  it('pages backwards with last/before and gives every item an opaque cursor', async () => {
    const everyone: string[] = ids((await query('{ users(first: 100) { nodes { id } } }')).users.nodes);
    const tail = (await query('{ users(last: 5) { nodes { id } page_info { has_previous_page has_next_page start_cursor } } }')).users;
    expect(ids(tail.nodes)).toEqual(everyone.slice(-5));
    expect(tail.page_info).toMatchObject({ has_previous_page: true, has_next_page: false });
    const before = (await query('query($b: String) { users(last: 5, before: $b) { nodes { id } } }', { b: tail.page_info.start_cursor })).users;
    expect(ids(before.nodes)).toEqual(everyone.slice(-10, -5));
    const { edges } = (await query('{ users(first: 3) { edges { cursor } } }')).users;
    for (const edge of edges) expect(edge.cursor).not.toMatch(/^\d+$/);
  });

  it('finds patients by name, email or phone, ignoring case', async () => {
    const first = (await query(`{ users(first: 100) { nodes { ${USER_FIELDS} } } }`)).users.nodes[12];
    for (const keywords of [first.first_name.toUpperCase(), first.last_name.toLowerCase(), first.full_name, first.email.toUpperCase(), first.phone_number]) {
      const { users } = await query('query($k: String) { users(keywords: $k) { nodes { id } } }', { k: keywords });
      expect(ids(users.nodes), keywords).toContain(first.id);
    }
    const { users } = await query('{ users(keywords: "no such person anywhere") { nodes { id } total_count page_info { has_next_page start_cursor } } }');
    expect(users).toEqual({ nodes: [], total_count: 0, page_info: { has_next_page: false, start_cursor: null } });
  });

  it('does not list providers in users', async () => {
    const { users } = await query('{ users(keywords: "Morgan Hale") { nodes { id } } }');
    expect(users.nodes).toEqual([]);
  });

  it('lists only providers, the owner included, in organizationMembers, ordered by last name', async () => {
    const { organizationMembers } = await query(`{ organizationMembers { nodes { ${USER_FIELDS} } } }`);
    // Hale (the owner), Raman, Sorensen, Whitfield.
    expect(ids(organizationMembers.nodes)).toEqual(['1001', '1002', '1004', '1003']);
    const firstTwo = (await query('{ organizationMembers(first: 2) { nodes { last_name } page_info { end_cursor } } }')).organizationMembers;
    const paged = await query('query($a: String) { organizationMembers(first: 2, after: $a) { nodes { last_name } } }', { a: firstTwo.page_info.end_cursor });
    expect(paged.organizationMembers.nodes).toEqual([{ last_name: 'Sorensen' }, { last_name: 'Whitfield' }]);
    for (const member of organizationMembers.nodes) expect(member.is_patient).toBe(false);
    const found = await query('{ organizationMembers(keywords: "whitfield") { nodes { full_name } } }');
    expect(found.organizationMembers.nodes).toEqual([{ full_name: 'Jonah Whitfield' }]);
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

  it('marks some patients inactive and gives upcoming patients a future next_appt_date in ISO 8601', async () => {
    const users = (await query('{ users { nodes { active next_appt_date } } }')).users.nodes;
    expect(users.filter((user: { active: boolean }) => !user.active).length).toBeGreaterThan(0);
    const upcoming = users.filter((user: { next_appt_date: string | null }) => user.next_appt_date !== null);
    expect(upcoming.length).toBeGreaterThan(0);
    for (const user of upcoming) {
      expect(user.next_appt_date).toMatch(ISO_DATE_TIME);
      expect(instantOf(user.next_appt_date)).toBeGreaterThan(NOW);
    }
  });

  it('lists appointment types with lengths and contact types, filtered by provider and clients_can_book', async () => {
    const appointmentTypes = (await query('{ appointmentTypes { nodes { id name length available_contact_types clients_can_book is_group } } }')).appointmentTypes.nodes;
    expect(appointmentTypes.length).toBeGreaterThanOrEqual(3);
    expect(appointmentTypes).toContainEqual(expect.objectContaining({ name: 'Initial Consultation', length: 60, is_group: false }));
    expect(appointmentTypes).toContainEqual(expect.objectContaining({ name: 'Follow-up', length: 30 }));
    const bookable = await query('{ appointmentTypes(clients_can_book: true) { nodes { clients_can_book } } }');
    expect(bookable.appointmentTypes.nodes.length).toBeLessThan(appointmentTypes.length);
    const offered = await query('{ appointmentTypes(provider_id: "1004") { nodes { name } } }');
    expect(offered.appointmentTypes.nodes.map((type: { name: string }) => type.name)).toEqual(['Initial Consultation', 'Follow-up']);
  });

  it('lists appointments starting now or later by default, sorted by start, with people, type and an ISO 8601 date (a page of 30 keeps the score under 2000)', async () => {
    const { appointments } = await query(
      '{ appointments(first: 30) { total_count nodes { id date start end length contact_type pm_status confirmed location provider { id } user { id } attendees { id } appointment_type { id length } } } }',
    );
    expect(appointments.total_count).toBe(22);
    const nodes = appointments.nodes;
    expect(nodes).toHaveLength(22);
    expect(starts(nodes).every((start) => start >= NOW)).toBe(true);
    expect(starts(nodes)).toEqual(ascending(starts(nodes)));
    for (const appointment of nodes) {
      expect(appointment.length).toBe(appointment.appointment_type.length);
      expect(instantOf(appointment.end) - instantOf(appointment.start)).toBe(appointment.length * 60_000);
      expect(appointment.date).toMatch(ISO_DATE_TIME);
      expect(instantOf(appointment.date)).toBe(instantOf(appointment.start));
      expect(appointment.attendees).toEqual([appointment.user]);
    }
  });

  it('lists earlier appointments with filter "past" and both kinds with filter "all", sorted by start', async () => {
    const result = await query(
      '{ future: appointments(filter: "future") { nodes { id start } } past: appointments(filter: "past") { nodes { id start } } all: appointments(filter: "all") { nodes { id start } } }',
    );
    const [future, past, all] = [result.future.nodes, result.past.nodes, result.all.nodes];
    expect(past).toHaveLength(18);
    expect(starts(past).every((start) => start < NOW)).toBe(true);
    expect(starts(past)).toEqual(ascending(starts(past)));
    expect(all).toEqual([...past, ...future]);
    expect(all).toHaveLength(40);
  });

  it('pages appointments with first/after through the whole list', async () => {
    const all = (await query('{ appointments(filter: "all") { nodes { id } } }')).appointments.nodes;
    const pages: Array<{ id: string }> = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const result: any = (await query('query($a: String) { appointments(filter: "all", first: 15, after: $a) { nodes { id } page_info { has_next_page end_cursor } } }', { a: after })).appointments;
      pages.push(...result.nodes);
      if (!result.page_info.has_next_page) break;
      after = result.page_info.end_cursor;
    }
    expect(pages).toEqual(all);
  });

  it('applies is_upcoming on top of filter', async () => {
    const upcoming = (await query('{ appointments(filter: "all", is_upcoming: true) { nodes { start } } }')).appointments.nodes;
    expect(upcoming).toHaveLength(22);
    expect(starts(upcoming).every((start) => start > NOW)).toBe(true);
    expect((await query('{ appointments(filter: "past", is_upcoming: true) { nodes { id } } }')).appointments.nodes).toEqual([]);
  });

  it('filters appointments by patient, provider and date range', async () => {
    const all = (await query('{ appointments(filter: "all") { nodes { id start user { id } provider { id } } } }')).appointments.nodes;
    const patientId = all[0].user.id;
    const byPatient = (await query('query($u: ID) { appointments(filter: "all", user_id: $u) { nodes { user { id } } } }', { u: patientId })).appointments.nodes;
    expect(byPatient.length).toBeGreaterThan(0);
    expect(byPatient.every((a: { user: { id: string } }) => a.user.id === patientId)).toBe(true);

    const byProvider = (await query('{ appointments(filter: "all", provider_id: "1002") { nodes { provider { id } } } }')).appointments.nodes;
    expect(byProvider.length).toBeGreaterThan(0);
    expect(byProvider.every((a: { provider: { id: string } }) => a.provider.id === '1002')).toBe(true);

    const inMarch = (await query('{ appointments(filter: "all", startDate: "2025-03-03", endDate: "2025-03-20T00:00:00-04:00") { nodes { start } } }')).appointments.nodes;
    const days = inMarch.map((appointment: { start: string }) => appointment.start.slice(0, 10));
    expect(days).toContain('2025-03-13');
    expect(days.some((day: string) => day < '2025-03-12')).toBe(true);
    for (const day of days) expect(day >= '2025-03-03' && day <= '2025-03-20', day).toBe(true);
  });

  it('looks up one appointment by id', async () => {
    const [first] = (await query('{ appointments(first: 1) { nodes { id start } } }')).appointments.nodes;
    const { appointment } = await query('query($id: ID) { appointment(id: $id) { id start } }', { id: first.id });
    expect(appointment).toEqual(first);
  });

  it('keeps the second account apart: its own organization, people and id range', async () => {
    const headers = healthieHeaders(SECOND_API_KEY);
    const result = await query('{ currentUser { id organization { name } } users { nodes { id last_name } } }', undefined, headers);
    expect(result.currentUser.organization.name).toBe('Second Sandbox Nutrition');
    const demo = await query('{ users { nodes { last_name } } }');
    const demoNames = new Set(demo.users.nodes.map((user: { last_name: string }) => user.last_name));
    for (const user of result.users.nodes) {
      expect(Number(user.id)).toBeGreaterThanOrEqual(2000);
      expect(Number(user.id)).toBeLessThan(3000);
      expect(demoNames.has(user.last_name)).toBe(false);
    }
    expect((await query('{ user(id: "1010") { id } }', undefined, headers)).user).toBeNull();
  });

  it('serves the sharded account when its shard is named', async () => {
    const headers = healthieHeaders(SHARDED_API_KEY, SHARDED_SHARD_ID);
    const result = await query('{ currentUser { id organization { name } } users(first: 1) { nodes { id } } }', undefined, headers);
    expect(result.currentUser.organization.name).toBe('Sharded Sandbox Health Partners');
    expect(Number(result.users.nodes[0].id)).toBeGreaterThanOrEqual(3000);
  });

  it('seeds the same data on every start with the same clock', async () => {
    const everything = '{ users { nodes { id full_name dob dietitian_id } } appointments(filter: "all") { nodes { id start user { id } provider { id } } } }';
    const other = await startSandbox({ now: fixedClock });
    try {
      expect(await data(other.url, everything)).toEqual(await query(everything));
    } finally {
      await other.close();
    }
  });
});

/**
 * The date checks read only what clients send: Healthie's answers keep their dates exactly as
 * Healthie wrote them, on the planned and on the delegation path, however odd (a year before 100,
 * a month 13, a lowercase t, no date at all), and dates Healthie reads are sent on to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, startSandbox, type StartedSandbox } from '../../src/sandbox/index.js';
import { startFaultyUpstream, type FaultyUpstream } from '../helpers/faulty-upstream.js';
import { bothPaths, post, startStack, type Stack } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };
const ODD_ANSWERS = ['0050-01-01', '2026-13-45', '2026-12-01t10:00:00z', '2026-12-01T10:00', 'not a date', ''];

describe("Healthie's dates in answers", () => {
  let sandbox: StartedSandbox;
  let upstream: FaultyUpstream;
  let planned: Stack;
  let delegated: Stack;
  beforeAll(async () => {
    sandbox = await startSandbox();
    upstream = await startFaultyUpstream(sandbox.url);
    planned = await startStack({ upstreamUrl: upstream.url, env: { PLAN_ENABLED: 'true' } });
    delegated = await startStack({ upstreamUrl: upstream.url, env: { PLAN_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await planned?.close();
    await delegated?.close();
    await upstream?.close();
    await sandbox?.close();
  });

  const QUERY = '{ healthieAppointments(filter: "all", first: 2) { nodes { id date } } healthieUsers(first: 2) { nodes { id dob nextApptDate } } }';

  it.each(ODD_ANSWERS)('passes the answer %j through unchanged on both paths', async (odd) => {
    upstream.rewrite((text) => text.replace(/"(date|dob|next_appt_date)":"[^"]*"/g, (_match, key: string) => `"${key}":${JSON.stringify(odd)}`));
    try {
      const before = planned.server.planStats().planned;
      const [viaPlan, viaDelegation] = await Promise.all([post(planned.url, QUERY, undefined, auth), post(delegated.url, QUERY, undefined, auth)]);
      expect(planned.server.planStats().planned - before).toBe(1);
      expect(viaPlan.body.errors).toBeUndefined();
      expect(viaPlan.body).toEqual(viaDelegation.body);
      const appointments = viaPlan.body.data!.healthieAppointments.nodes as Array<{ date: string }>;
      const users = viaPlan.body.data!.healthieUsers.nodes as Array<{ dob: string; nextApptDate: string | null }>;
      expect(appointments.length).toBeGreaterThan(0);
      expect(appointments.map((a) => a.date)).toEqual(appointments.map(() => odd));
      expect(users.map((u) => u.dob)).toEqual(users.map(() => odd));
    } finally {
      upstream.rewrite(undefined);
    }
  });
});

describe('dates Healthie reads', () => {
  const paths = bothPaths();
  const BY_VARIABLE = 'query($d: HealthieISO8601DateTime) { healthieAppointments(filter: "all", first: 1, startDate: $d) { nodes { id } } me: healthieCurrentUser { id } }';
  const byLiteral = (date: string) => `{ healthieAppointments(filter: "all", first: 1, startDate: ${JSON.stringify(date)}) { nodes { id } } me: healthieCurrentUser { id } }`;

  // Forms Healthie (graphql-ruby's ISO8601DateTime) takes besides the usual one.
  const accepted = [
    '2026-12-01',
    '2026-12-01T10:00:00',
    '2026-12-01t10:00:00z',
    '2026-12-01T10:00:00+05',
    '2026-12-01T10:00:00+0530',
    '2026-12-01T10:00:00.250-05:30',
    ' 2026-12-01T10:00:00Z\t',
    '2026-12-01T00:00',
    '2026-12',
    '20261201',
    '2024-02-29',
    '2025-02-30T10:00:00Z',
    '0050-01-01T10:00:00Z',
    '2026-12-01T24:00:00Z',
  ];

  it.each(accepted)('sends %j on to Healthie, as a literal and as a variable, and both paths answer alike', async (date) => {
    const { planned, delegated } = paths;
    for (const [query, variables] of [[byLiteral(date), undefined], [BY_VARIABLE, { d: date }]] as const) {
      const sent = planned.sandbox.requests.length;
      const [viaPlan, viaDelegation] = await Promise.all([post(planned.url, query, variables, auth), post(delegated.url, query, variables, auth)]);
      expect(viaPlan.body.errors, date).toBeUndefined();
      expect(viaPlan.body.data!.me).toEqual({ id: expect.any(String) });
      expect(viaPlan.body).toEqual(viaDelegation.body);
      expect(planned.sandbox.requests.length - sent).toBe(2);
    }
  });
});

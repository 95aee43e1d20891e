/**
 * Healthie's values of the wrong shape (a list where a name belongs, an object where a list
 * belongs, a list where an object belongs, a number where text belongs, ...) get the same answer
 * on the planned path and on the delegation path: UPSTREAM_BAD_RESPONSE at that field or list
 * item, the rest served, the value never quoted; or, where graphql-js's serialization accepts the
 * value (a number for a String or an ID), that value on both.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { expectSameAnswers } from '../helpers/compare.js';
import { bothPathsBehindFake } from '../helpers/stack.js';
import { executeApproved } from '../helpers/upstream.js';

const auth = { 'x-healthie-api-key': 'shape-key' };
const PATIENT = 'Ava Alder';

/** Spoils Healthie's answer: `root` is the one root field's value; `data` sets the root field itself. */
type Spoil = (root: any, data: { me?: unknown }) => void;

/**
 * Sets Healthie's field `name` of `object` to `value`, under the key each path sends it as (the
 * planned path keeps the client's response key as an alias, delegation sends Healthie's name).
 */
function put(object: Record<string, any>, name: string, value: unknown): void {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  for (const key of [name, camel]) if (Object.hasOwn(object, key)) object[key] = value;
}

/** What the stand-in Healthie answers from (Healthie's names). */
const ROOT = {
  currentUser: () => ({ id: '1', first_name: 'Casey', is_patient: true, organization: { id: '9', name: 'Clinic' } }),
  daysAvailableForRange: () => ['2026-12-01', '2026-12-02', '2026-12-03'],
  availableSlotsForRange: () => Array.from({ length: 3 }, (_, i) => ({ date: `2026-12-0${i + 1} 10:00:00 -0500`, length: 30 })),
  users: () => ({ nodes: Array.from({ length: 3 }, (_, i) => ({ id: String(1000 + i), first_name: `P${i}` })) }),
};
interface Case {
  readonly query: string;
  readonly spoil: Spoil;
  /** The paths of the UPSTREAM_BAD_RESPONSE errors expected (none: the value was accepted). */
  readonly bad: ReadonlyArray<ReadonlyArray<string | number>>;
}

const ME = '{ me: healthieCurrentUser { id firstName isPatient organization { id name } } }';
const USERS = '{ u: healthieUsers(first: 3) { nodes { id firstName } } }';
const DAYS = '{ d: healthieDaysAvailableForRange(providerId: "1") }';
const SLOTS = '{ s: healthieAvailableSlotsForRange(providerId: "1") { date length } }';

const CASES: ReadonlyArray<readonly [string, Case]> = [
  ['a list where a name belongs', { query: ME, spoil: (me) => (put(me, 'first_name', [PATIENT])), bad: [['me', 'firstName']] }],
  ['an empty list where a name belongs', { query: ME, spoil: (me) => (put(me, 'first_name', [])), bad: [['me', 'firstName']] }],
  ['an object where a name belongs', { query: ME, spoil: (me) => (put(me, 'first_name', { name: PATIENT })), bad: [['me', 'firstName']] }],
  ['a list where a Boolean belongs', { query: ME, spoil: (me) => (put(me, 'is_patient', [true])), bad: [['me', 'isPatient']] }],
  ['text where a Boolean belongs', { query: ME, spoil: (me) => (put(me, 'is_patient', PATIENT)), bad: [['me', 'isPatient']] }],
  ['a fraction where an ID belongs', { query: ME, spoil: (me) => (put(me.organization, 'id', 9.5)), bad: [['me', 'organization', 'id']] }],
  ['a list where an ID belongs', { query: ME, spoil: (me) => (put(me.organization, 'id', ['9'])), bad: [['me', 'organization', 'id']] }],
  ['a whole number where an ID belongs (serialized as text)', { query: ME, spoil: (me) => (put(me.organization, 'id', 9)), bad: [] }],
  ['a number where text belongs (serialized as text)', { query: ME, spoil: (me) => (put(me, 'first_name', 42)), bad: [] }],
  ['a list where an object belongs', { query: ME, spoil: (me) => (put(me, 'organization', [{ id: '9', name: PATIENT }])), bad: [['me', 'organization']] }],
  ['a list where a root object belongs', { query: ME, spoil: (_me, data) => (data.me = [{ id: '1' }]), bad: [['me']] }],
  ['an object where a list belongs', { query: USERS, spoil: (u) => (put(u, 'nodes', { id: '1', first_name: PATIENT })), bad: [['u', 'nodes']] }],
  ['text where a list belongs', { query: USERS, spoil: (u) => (put(u, 'nodes', PATIENT)), bad: [['u', 'nodes']] }],
  ['a list inside a list of objects', { query: USERS, spoil: (u) => (u.nodes[1] = [{ id: '7', first_name: PATIENT }]), bad: [['u', 'nodes', 1]] }],
  ['text inside a list of objects', { query: USERS, spoil: (u) => (u.nodes[2] = PATIENT), bad: [['u', 'nodes', 2]] }],
  ['a list where a name belongs, inside a list', { query: USERS, spoil: (u) => (put(u.nodes[0], 'first_name', [PATIENT])), bad: [['u', 'nodes', 0, 'firstName']] }],
  // Root fields that are lists: graphql-tools reads them before any resolver, so they are checked in the answer.
  ['a list inside a root list of names', { query: DAYS, spoil: (d) => (d[1] = [PATIENT]), bad: [['d', 1]] }],
  ['an object inside a root list of names', { query: DAYS, spoil: (d) => (d[0] = { name: PATIENT }), bad: [['d', 0]] }],
  ['a number inside a root list of names (serialized as text)', { query: DAYS, spoil: (d) => (d[2] = 20261203), bad: [] }],
  ['text inside a root list of objects', { query: SLOTS, spoil: (s) => (s[1] = PATIENT), bad: [['s', 1]] }],
  ['a list inside a root list of objects', { query: SLOTS, spoil: (s) => (s[2] = [{ length: 30 }]), bad: [['s', 2]] }],
  ['a list where a number belongs, in a root list of objects', { query: SLOTS, spoil: (s) => put(s[0], 'length', [30]), bad: [['s', 0, 'length']] }],
];

describe('values of the wrong shape in Healthie\'s answer', () => {
  const paths = bothPathsBehindFake();
  beforeEach(() => paths.upstream.setReply(undefined));

  for (const [what, { query, spoil, bad }] of CASES) {
    it(`answers ${what} alike on both paths${bad.length ? ', with UPSTREAM_BAD_RESPONSE at that place' : ''}`, async () => {
      paths.upstream.setReply(async (request) => {
        const answer = await executeApproved(request, ROOT);
        const data = answer.data as Record<string, any>;
        // The one root field, under whatever key each path sends it.
        const key = Object.keys(data)[0]!;
        spoil(data[key], new Proxy(data, { set: (target, _p, v) => ((target[key] = v), true) }));
        return { body: { data } };
      });
      const body = await expectSameAnswers({ planned: paths.planned.url, delegated: paths.delegated.url }, query, {}, auth);
      expect(body.errors?.map((e) => [e.extensions?.code, e.path]) ?? []).toEqual(bad.map((path) => ['UPSTREAM_BAD_RESPONSE', path]));
      expect(JSON.stringify(body)).not.toContain(PATIENT.split(' ')[1]);
      for (const stack of [paths.planned, paths.delegated]) expect(stack.logs.join('\n')).not.toContain('Alder');
    });
  }
});

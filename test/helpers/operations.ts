import { readFileSync } from 'node:fs';

/** Hostile operation shapes shared by tests. */

/** `levels` fragments, each spreading the previous one twice: 2^levels fields once expanded. */
export function doublingChain(levels: number, root = 'healthieCurrentUser', type = 'HealthieUser', leaf = 'id'): string {
  const fragments = [`fragment F0 on ${type} { ${leaf} }`];
  for (let i = 1; i <= levels; i += 1) fragments.push(`fragment F${i} on ${type} { ...F${i - 1} ...F${i - 1} }`);
  return `{ ${root} { ...F${levels} } }\n${fragments.join('\n')}`;
}

/**
 * `wrappers` fragments that each only spread the next, on top of `doublings` fragments that each
 * spread the next twice, ending in `leaf`: 2^doublings fields once expanded, nested
 * wrappers + doublings inline fragments deep when inlined as written.
 */
export function wrappedDoublingChain(wrappers: number, doublings: number, root = 'healthieCurrentUser', type = 'HealthieUser', leaf = 'id'): string {
  const fragments: string[] = [];
  for (let i = 0; i < wrappers; i += 1) fragments.push(`fragment Wrapper${i} on ${type} { ...${i + 1 < wrappers ? `Wrapper${i + 1}` : 'Doubling0'} }`);
  for (let j = 0; j < doublings; j += 1) {
    const next = j + 1 < doublings ? `Doubling${j + 1}` : 'Leaf';
    fragments.push(`fragment Doubling${j} on ${type} { ...${next} ...${next} }`);
  }
  fragments.push(`fragment Leaf on ${type} { ${leaf} }`);
  return `query Amplified { ${root} { ...${wrappers > 0 ? 'Wrapper0' : 'Doubling0'} } }\n${fragments.join('\n')}`;
}

/**
 * Whether the served schema pages lists as connections (`first`/`last`, `nodes`) rather than with
 * `pageSize`: tests of paging attacks read it so they hold on both shapes of Healthie's API.
 */
export const CONNECTIONS = /^type HealthieUserConnection\b/m.test(readFileSync('schema/healthie.graphql', 'utf8'));

/** `healthieUsers` with a page of `size` (any GraphQL value text) selecting `selection` per user. */
export function usersPage(size: string, selection: string): string {
  return CONNECTIONS ? `healthieUsers(first: ${size}) { nodes { ${selection} } }` : `healthieUsers(pageSize: ${size}) { ${selection} }`;
}

/** `healthieAppointments` (all of them) with a page of `size`, selecting `selection` per appointment. */
export function appointmentsPage(size: string, selection: string): string {
  return CONNECTIONS
    ? `healthieAppointments(first: ${size}, filter: "all") { nodes { ${selection} } }`
    : `healthieAppointments(pageSize: ${size}, filter: "all") { ${selection} }`;
}

/** The name of the page-size argument in the served schema. */
export const PAGE_SIZE_ARGUMENT = CONNECTIONS ? 'first' : 'pageSize';

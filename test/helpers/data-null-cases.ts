/**
 * Root fields beside one that Healthie fails with `data: null` (a bad cursor on the non-null
 * `users` connection), for the delegation and the planned path's tests alike: each case is a
 * healthy and a failing selection, and the variables its queries need.
 */
export const HEALTHY_BESIDE_FAILED: ReadonlyArray<readonly [name: string, fields: readonly [healthy: string, failing: string], variables: Record<string, unknown>]> = [
  ['a literal cursor', ['healthieUsers(first: 2) { nodes { id } }', 'x: healthieUsers(first: 1, after: "nope") { nodes { id } }'], {}],
  ['a variable cursor', ['healthieUsers(first: 2) { nodes { id } }', 'x: healthieUsers(first: 1, after: $c) { nodes { id } }'], { c: 'nope' }],
  ['a variable cursor, among other fields', ['__typename a: healthieUsers(first: 1) { totalCount } me: healthieCurrentUser { id }', 'x: healthieUsers(after: $c) { totalCount } b: healthieUsers(first: 3) { nodes { id } }'], { c: 'nope' }],
];

/** The case's query with the healthy selection first, then with the failing one first. */
export function inBothOrders([healthy, failing]: readonly [string, string], variables: Record<string, unknown>): string[] {
  const header = Object.keys(variables).length > 0 ? 'query($c: String) ' : '';
  return [`${header}{ ${healthy} ${failing} }`, `${header}{ ${failing} ${healthy} }`];
}

/**
 * What Healthie documents about its API limits, stated once. The subgraph's cost estimate refuses
 * what Healthie would refuse, and the built-in sandbox enforces the same numbers.
 */

/** Highest complexity score Healthie accepts per request. */
export const HEALTHIE_MAX_COMPLEXITY = 2000;

/** Deepest query Healthie accepts. */
export const HEALTHIE_MAX_DEPTH = 25;

/** Page size Healthie's complexity score assumes for a paged field that states none. */
export const HEALTHIE_DEFAULT_PAGE_SIZE = 100;

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

/**
 * Largest page Healthie serves for a connection field (`first` / `last`). Healthie documents
 * 100 as the size it assumes when none is sent, and serves no more per page; the subgraph refuses
 * a larger page rather than let a caller believe one page holds everything.
 */
export const HEALTHIE_MAX_PAGE_SIZE = 100;

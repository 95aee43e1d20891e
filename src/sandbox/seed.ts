/**
 * What the sandbox's synthetic data is drawn from: a small seeded PRNG (never Math.random), so the
 * same account and clock give the same data on every run, and the layout of each account's ids.
 */

/** Offsets within the account's id range, which holds 1000 ids. */
export const OWNER_OFFSET = 1;
/** The organization's appointment location. */
export const LOCATION_OFFSET = 9;
export const PATIENT_OFFSET = 10;
export const TYPE_OFFSET = 100;
export const APPOINTMENT_OFFSET = 200;
export const ID_RANGE = 1000;

/** mulberry32: tiny, fast and good enough for synthetic data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

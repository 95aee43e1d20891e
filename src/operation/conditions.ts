/**
 * `@skip` and `@include`, stated once: the cost plan, the booking guard and the planned path's
 * completion all decide with it whether a selection is left out, and must decide alike. Neither
 * directive is repeatable, so validation leaves at most one of each on a selection.
 */

/**
 * Whether a directive named `name` whose `if` argument is `condition` leaves its selection out:
 * `@skip(if: true)` and `@include(if: false)` do. Any other directive, or a condition that is not
 * a boolean (not known yet, or not sent), leaves it in.
 */
export function excludes(name: string, condition: unknown): boolean {
  return name === 'skip' ? condition === true : name === 'include' ? condition === false : false;
}

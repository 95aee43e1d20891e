/**
 * Healthie's connection paging (graphql-ruby connections, as in API version 2026-01-01):
 * `first`/`after`/`last`/`before`, opaque cursors, `page_info` and `total_count`.
 *
 * Cursors are opaque to clients but stable for a given list and position, so a client can page
 * forwards and backwards. A page larger than HEALTHIE_MAX_PAGE_SIZE, a negative size or a cursor
 * this sandbox did not issue is refused with an error, as Healthie refuses them.
 */
import { GraphQLError } from 'graphql';
import { HEALTHIE_DEFAULT_PAGE_SIZE, HEALTHIE_MAX_PAGE_SIZE } from '../healthie.js';

export interface ConnectionArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

export interface Connection<T> {
  readonly nodes: T[];
  readonly edges: Array<{ cursor: string; node: T }>;
  readonly page_info: {
    has_next_page: boolean;
    has_previous_page: boolean;
    start_cursor: string | null;
    end_cursor: string | null;
  };
  readonly total_count: number;
}

const CURSOR_PREFIX = 'sandbox:';

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** The cursor of the item at `index` (0-based) in a list. */
export function encodeCursor(index: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${index + 1}`).toString('base64');
}

function decodeCursor(cursor: string, name: 'after' | 'before'): number {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const position = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(position) || position < 1) throw badInput(`Invalid cursor for ${name}: pass a cursor from pageInfo or edges of the same list`);
  return position - 1;
}

function pageSize(value: number | null | undefined, name: 'first' | 'last'): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value < 0) throw badInput(`Argument '${name}' must be 0 or more (got ${value})`);
  if (value > HEALTHIE_MAX_PAGE_SIZE) throw badInput(`Argument '${name}' must be at most ${HEALTHIE_MAX_PAGE_SIZE} (got ${value}); page through the rest with after/before`);
  return value;
}

/** One page of `items` (already filtered and ordered) in the Relay connection algorithm. */
export function connection<T>(items: readonly T[], args: ConnectionArgs): Connection<T> {
  const first = pageSize(args.first, 'first');
  const last = pageSize(args.last, 'last');
  let start = args.after ? decodeCursor(args.after, 'after') + 1 : 0;
  let end = args.before ? decodeCursor(args.before, 'before') : items.length;
  start = Math.min(start, items.length);
  end = Math.max(start, Math.min(end, items.length));
  // Neither size: Healthie's default page, counted from the start.
  if (first !== undefined || last === undefined) end = Math.min(end, start + (first ?? HEALTHIE_DEFAULT_PAGE_SIZE));
  if (last !== undefined) start = Math.max(start, end - last);
  const nodes = items.slice(start, end);
  const edges = nodes.map((node, offset) => ({ cursor: encodeCursor(start + offset), node }));
  return {
    nodes,
    edges,
    page_info: {
      has_next_page: end < items.length,
      has_previous_page: start > 0,
      start_cursor: edges[0]?.cursor ?? null,
      end_cursor: edges.at(-1)?.cursor ?? null,
    },
    total_count: items.length,
  };
}

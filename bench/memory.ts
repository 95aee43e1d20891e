/**
 * The subgraph's memory as the bench reports it beside RSS: the V8 heap limit in effect and the
 * heap's size and use when RSS was read.
 *
 * Why: RSS under load is mostly V8's heap policy, not data the subgraph keeps. Its live heap is
 * about 30 MB, idle or after minutes of load; the rest of the old space is garbage that waits for
 * the next full collection, and V8 lets the old space grow to a multiple of the live heap first,
 * a larger multiple with a larger heap limit. Node derives that limit from the machine's memory,
 * or from a container's memory limit: the same build shows a larger RSS on a host with gigabytes
 * and no limit than in a small container. The limit printed beside the figure says which case
 * the run measured.
 */
export interface MemoryStats {
  readonly rss: number;
  readonly heapUsed?: number;
  readonly heapTotal?: number;
  /** v8.getHeapStatistics().heap_size_limit of the process. */
  readonly heapLimit?: number;
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '?' : (bytes / 2 ** 20).toFixed(0));

/** "heap limit 4144 MB, heap 168 MB of which 112 MB in use" */
export function describeHeap(stats: MemoryStats): string {
  return `heap limit ${mb(stats.heapLimit)} MB, heap ${mb(stats.heapTotal)} MB of which ${mb(stats.heapUsed)} MB in use`;
}

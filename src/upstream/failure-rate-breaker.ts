/**
 * When the breaker opens (an `IBreaker` for cockatiel's circuitBreaker, used by resilience.ts):
 * when more than `ratio` of the calls of the last `windowMs` failed, once there were at least
 * `minCalls` of them. Calls are counted in buckets of `bucketMs`, each marked with the period it
 * counts, and a bucket older than the window is never read.
 *
 * Why not cockatiel's SamplingBreaker: it moves to its next bucket only when a call arrives, and
 * one bucket per call, so buckets from long ago stay counted while traffic is sparse. One tenant's
 * failing read every 3 s (never more than 12 calls in any 10 s) opened it after about a minute,
 * and with it every tenant's calls paused.
 */
import { CircuitState, type IBreaker } from 'cockatiel';

export interface FailureRateOptions {
  readonly windowMs: number;
  readonly minCalls: number;
  /** Share of the window's calls that must have failed, more than this, to open. */
  readonly ratio: number;
  readonly bucketMs?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

interface Bucket {
  /** Which period of `bucketMs` this bucket counts (time / bucketMs, rounded down). */
  period: number;
  calls: number;
  failures: number;
}

export class FailureRateBreaker implements IBreaker {
  private buckets: Bucket[];
  private readonly bucketMs: number;
  private readonly now: () => number;

  constructor(private readonly options: FailureRateOptions) {
    this.bucketMs = options.bucketMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.buckets = FailureRateBreaker.empty(Math.max(1, Math.ceil(options.windowMs / this.bucketMs)));
  }

  /** The buckets, as cockatiel's `toJSON` of a breaker expects to read and restore them. */
  get state(): unknown {
    return this.buckets.map((bucket) => ({ ...bucket }));
  }

  set state(value: unknown) {
    if (Array.isArray(value) && value.length === this.buckets.length) this.buckets = (value as Bucket[]).map((bucket) => ({ ...bucket }));
  }

  success(state: CircuitState): void {
    // The half-open call succeeded: the breaker closes, and what opened it is not held against it.
    if (state === CircuitState.HalfOpen) this.buckets = FailureRateBreaker.empty(this.buckets.length);
    this.count(false);
  }

  failure(state: CircuitState): boolean {
    this.count(true);
    // A failure while half-open (or already open) opens it again.
    if (state !== CircuitState.Closed) return true;
    const current = this.period();
    let calls = 0;
    let failures = 0;
    for (const bucket of this.buckets) {
      if (current - bucket.period >= this.buckets.length) continue;
      calls += bucket.calls;
      failures += bucket.failures;
    }
    return calls >= this.options.minCalls && failures > this.options.ratio * calls;
  }

  private period(): number {
    return Math.floor(this.now() / this.bucketMs);
  }

  private count(failed: boolean): void {
    const period = this.period();
    const bucket = this.buckets[period % this.buckets.length]!;
    if (bucket.period !== period) Object.assign(bucket, { period, calls: 0, failures: 0 });
    bucket.calls += 1;
    if (failed) bucket.failures += 1;
  }

  private static empty(count: number): Bucket[] {
    return Array.from({ length: count }, () => ({ period: -Infinity, calls: 0, failures: 0 }));
  }
}

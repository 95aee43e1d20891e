/**
 * Retries and the circuit breaker of the Healthie endpoint, with cockatiel.
 *
 * Retries (reads only): a read is sent again after Healthie's rate-limit answer
 * (`TOO_MANY_REQUESTS` or HTTP 429), a 5xx, or a connection that failed before the request was
 * sent; up to `retries` times, waiting a full-jitter exponential backoff (random in
 * [0, min(maxDelay, baseDelay * 2^n))), and never past the operation's deadline: a retry is
 * attempted only when at least MIN_ATTEMPT_MS remain after its delay. Timeouts are not retried
 * (Healthie may still be working on the first request). Writes (mutations, i.e. bookings) are
 * never retried: `run('write', ...)` calls the attempt exactly once.
 *
 * Breaker (one per endpoint, i.e. per client): opens when more than half of the calls of the
 * last BREAKER_WINDOW_MS were endpoint failures (5xx, timeouts, connection errors; not rate
 * limits, refused keys or field errors), once there were at least BREAKER_MIN_CALLS of them. While
 * open, calls fail at once with UPSTREAM_UNAVAILABLE and send nothing. After `cooldownMs` one call
 * is let through (half-open) while the others keep failing at once; its success closes the
 * breaker, its failure opens it for another cooldown.
 *
 * Why a failure rate and not a run of failures: the breaker is shared by every tenant. With five
 * consecutive failures, two reads of one tenant that Healthie answered with a 5xx (three attempts
 * each), or five slow searches timing out, paused every tenant and took the replica out of
 * rotation. A rate over a window needs the failures to be most of the traffic: a Healthie outage
 * is, one tenant's failing queries (held to its per-key share) are not while others are served.
 */
import {
  BrokenCircuitError,
  CircuitState,
  DelegateBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { FailureRateBreaker } from './failure-rate-breaker.js';
import { UpstreamFailure } from './failure.js';

/** The breaker's window, and the least number of calls in it before a failure rate counts (Hystrix's defaults). */
export const BREAKER_WINDOW_MS = 10_000;
export const BREAKER_MIN_CALLS = 20;
/** Share of the window's calls that must have failed to open the breaker (more than this). */
export const BREAKER_FAILURE_RATIO = 0.5;
/** Least time worth giving an attempt; a retry that would get less is not made. */
export const MIN_ATTEMPT_MS = 100;

export interface ResilienceOptions {
  readonly retries: number;
  readonly cooldownMs: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly metrics?: Metrics;
  /** Logs each change of the breaker's state at warn: an open breaker fails every tenant's calls. */
  readonly logger?: Logger;
  readonly random?: () => number;
}

/** One attempt: `remainingMs` is what is left of the operation's deadline. */
export type Attempt<T> = (attempt: number, remainingMs: number) => Promise<T>;

export interface Resilience {
  readonly breaker: CircuitBreakerPolicy;
  /** True while calls are refused without reaching Healthie (open, or half-open with its test call out). */
  isOpen(): boolean;
  /** The error a call gets while the breaker is open (nothing sent). */
  openFailure(): UpstreamFailure;
  run<T>(kind: 'read' | 'write', deadline: number, attempt: Attempt<T>): Promise<T>;
}

const breakerOpen = (cooldownMs: number) =>
  new UpstreamFailure(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    `Most Healthie calls of the last ${BREAKER_WINDOW_MS / 1000} s failed (at least ${BREAKER_MIN_CALLS} calls, more than ${BREAKER_FAILURE_RATIO * 100} % of them); calls are paused for up to ${cooldownMs} ms (HEALTHIE_BREAKER_COOLDOWN_MS) and nothing was sent. Retry later.`,
    { sent: false, extensions: { breaker: 'open' } },
  );

export function createResilience(options: ResilienceOptions): Resilience {
  const baseDelay = options.baseDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 2_000;
  const random = options.random ?? Math.random;
  const breaker = circuitBreaker(
    handleWhen((error) => error instanceof UpstreamFailure && error.endpointFailure),
    { halfOpenAfter: options.cooldownMs, breaker: new FailureRateBreaker({ windowMs: BREAKER_WINDOW_MS, minCalls: BREAKER_MIN_CALLS, ratio: BREAKER_FAILURE_RATIO }) },
  );
  breaker.onStateChange((state) => {
    options.metrics?.breakerState.set(state === CircuitState.Open ? 1 : state === CircuitState.HalfOpen ? 2 : 0);
    const name = state === CircuitState.Open ? 'open' : state === CircuitState.HalfOpen ? 'half-open' : state === CircuitState.Closed ? 'closed' : 'isolated';
    options.logger?.warn({ breaker: name, cooldownMs: options.cooldownMs }, 'healthie breaker state');
  });
  let openedAt = 0;
  breaker.onBreak(() => (openedAt = Date.now()));

  const isOpen = () =>
    breaker.state === CircuitState.HalfOpen || (breaker.state === CircuitState.Open && Date.now() - openedAt < options.cooldownMs);

  async function throughBreaker<T>(call: () => Promise<T>): Promise<T> {
    // Half-open lets exactly one call through; cockatiel would queue the others behind it.
    if (breaker.state === CircuitState.HalfOpen) throw breakerOpen(options.cooldownMs);
    try {
      return await breaker.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw breakerOpen(options.cooldownMs);
      throw error;
    }
  }

  return {
    breaker,
    isOpen,
    openFailure: () => breakerOpen(options.cooldownMs),
    async run<T>(kind: 'read' | 'write', deadline: number, attempt: Attempt<T>): Promise<T> {
      // Bookings: one attempt, never repeated (a second one could book twice).
      if (kind === 'write') return throughBreaker(() => attempt(1, deadline - Date.now()));

      const retryable = (error: unknown) => error instanceof UpstreamFailure && error.retry !== undefined && deadline - Date.now() >= MIN_ATTEMPT_MS;
      // Nearly every read succeeds at once, so the first attempt runs before any retry policy
      // exists: the policy (its deadline is this request's) is built only after a failure worth
      // retrying, and that failure is its attempt 0, so backoff, limits and metrics are unchanged.
      let lastError: unknown;
      try {
        return await throughBreaker(() => attempt(1, deadline - Date.now()));
      } catch (error) {
        if (options.retries < 1 || !retryable(error)) throw error;
        lastError = error;
      }
      const first = lastError;
      const policy = retry(handleWhen(retryable), {
        maxAttempts: options.retries,
        backoff: new DelegateBackoff((context: { attempt: number }) => {
          const ceiling = Math.min(maxDelay, baseDelay * 2 ** (context.attempt - 1));
          // Full jitter, cut so the attempt after it still has MIN_ATTEMPT_MS before the deadline.
          return Math.max(0, Math.min(Math.floor(random() * ceiling), deadline - Date.now() - MIN_ATTEMPT_MS));
        }),
      });
      policy.onRetry((event) => {
        const reason = 'error' in event && event.error instanceof UpstreamFailure ? event.error.retry : undefined;
        options.metrics?.retries.inc({ reason: reason ?? 'unknown' });
      });
      return policy.execute(async ({ attempt: n }) => {
        // Attempt 0 is the one made above.
        if (n === 0) throw first;
        // A backoff timer that fired late (a busy machine) must not start an attempt past the
        // deadline: the previous failure stands instead.
        if (deadline - Date.now() <= 0) throw lastError;
        try {
          return await throughBreaker(() => attempt(n + 1, deadline - Date.now()));
        } catch (error) {
          lastError = error;
          throw error;
        }
      });
    },
  };
}

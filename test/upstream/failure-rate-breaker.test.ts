/**
 * The breaker's rule on a clock the test moves: more than half of at least 20 calls within the
 * last 10 s open it, and calls older than that never count, however sparse the traffic.
 */
import { CircuitState } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { FailureRateBreaker } from '../../src/upstream/failure-rate-breaker.js';

function breakerAt(start = 1_000_000) {
  const clock = { now: start };
  const breaker = new FailureRateBreaker({ windowMs: 10_000, minCalls: 20, ratio: 0.5, now: () => clock.now });
  return { breaker, clock };
}

describe('FailureRateBreaker', () => {
  it('opens at the 20th failure within 10 s, not before', () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 19; i += 1) {
      expect(breaker.failure(CircuitState.Closed)).toBe(false);
      clock.now += 100;
    }
    expect(breaker.failure(CircuitState.Closed)).toBe(true);
  });

  it('forgets failures older than its window: 19, then 11 s later one more, stays closed', () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 19; i += 1) breaker.failure(CircuitState.Closed);
    clock.now += 11_000;
    expect(breaker.failure(CircuitState.Closed)).toBe(false);
    for (let i = 0; i < 18; i += 1) expect(breaker.failure(CircuitState.Closed)).toBe(false);
    expect(breaker.failure(CircuitState.Closed)).toBe(true);
  });

  it('never opens on one failing call every 3 s (three attempts each), however long it goes on', () => {
    const { breaker, clock } = breakerAt();
    for (let read = 0; read < 200; read += 1) {
      for (let attempt = 0; attempt < 3; attempt += 1) expect(breaker.failure(CircuitState.Closed), `read ${read}`).toBe(false);
      clock.now += 3_000;
    }
  });

  it('stays closed while failures are half of the calls or fewer, and opens once they are more', () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 20; i += 1) {
      breaker.success(CircuitState.Closed);
      expect(breaker.failure(CircuitState.Closed)).toBe(false);
      clock.now += 200;
    }
    expect(breaker.failure(CircuitState.Closed)).toBe(true);
  });

  it('reopens on a failure while half-open, and forgets the window once the half-open call succeeds', () => {
    const { breaker } = breakerAt();
    for (let i = 0; i < 20; i += 1) breaker.failure(CircuitState.Closed);
    expect(breaker.failure(CircuitState.HalfOpen)).toBe(true);
    breaker.success(CircuitState.HalfOpen);
    expect(breaker.failure(CircuitState.Closed)).toBe(false);
  });

  it('keeps its counts across a save and restore of its state', () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 19; i += 1) breaker.failure(CircuitState.Closed);
    const restored = new FailureRateBreaker({ windowMs: 10_000, minCalls: 20, ratio: 0.5, now: () => clock.now });
    restored.state = JSON.parse(JSON.stringify(breaker.state));
    expect(restored.failure(CircuitState.Closed)).toBe(true);
  });
});

/**
 * A small keep-alive load generator (undici): `connections` workers each send the same request
 * back to back for a warm-up and then `durationMs`, and the run reports requests per second and
 * latency percentiles of the part after the warm-up. Every answer is checked (HTTP 200, no
 * `errors`) so that a fast failure cannot pass for throughput.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface LoadResult {
  /** Requests sent after the warm-up, which the figures below describe. */
  requests: number;
  /** Every request answered, the warm-up's included (what the target's CPU time was spent on). */
  served: number;
  failures: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Error codes (or HTTP status) of the first failed answer, to say what failed. */
  firstFailure?: string;
}

/**
 * `warmUpMs` of the same load first, on the same connections, not counted: connections are open
 * and the target has been serving before the counted part starts.
 */
export async function load(url: string, headers: Record<string, string>, body: string, connections: number, durationMs: number, warmUpMs = 0): Promise<LoadResult> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let served = 0;
  let answeredInWindow = 0;
  const counting = performance.now() + warmUpMs;
  const deadline = counting + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const response = await pool.request({ origin: target.origin, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const text = await response.body.text();
      const answered = performance.now();
      served += 1;
      if (sent >= counting) latencies.push(answered - sent);
      // Throughput counts the answers that arrive within the window, whenever they were sent,
      // so that the tail of requests still in flight after it does not lengthen it.
      if (answered >= counting && answered <= deadline) answeredInWindow += 1;
      if (response.statusCode !== 200 || text.includes('"errors"')) {
        failures += 1;
        firstFailure ??= `HTTP ${response.statusCode} ${[...text.matchAll(/"code":"(\w+)"/g)].map((m) => m[1]).join(',')}`;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    served,
    failures,
    ...(firstFailure ? { firstFailure } : {}),
    perSecond: (answeredInWindow / durationMs) * 1000,
    p50: latencies[Math.floor(latencies.length / 2)] ?? NaN,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
  };
}

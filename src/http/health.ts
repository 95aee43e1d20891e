/**
 * `/healthz` and `/readyz`: what an orchestrator asks before sending traffic. They need neither the
 * router secret nor an accepted Host, and never reach Healthie more than once per
 * READINESS_CACHE_MS, however often they are asked.
 */
import express from 'express';
import type { HealthieClient } from '../upstream/client.js';
import type { VersionMonitor } from '../upstream/version.js';

/** How long a readiness answer is reused, so probes cannot turn into load on Healthie. */
const READINESS_CACHE_MS = 5_000;

export function healthRoutes(client: HealthieClient, version: VersionMonitor): express.Router {
  const router = express.Router();
  // One probe at a time, reused for READINESS_CACHE_MS: concurrent probes share its answer.
  let readiness: { ready: Promise<boolean>; at: number } | undefined;

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const answer = (httpStatus: number, status: string) => {
      const { unsupported, ...healthie } = version.readiness();
      res.status(httpStatus).json({ status, schema: 'loaded', ...healthie, ...(unsupported ? { reason: unsupported } : {}) });
    };
    // An open breaker means Healthie is failing: not ready, and no probe adds to its load.
    if (client.breakerOpen()) return answer(503, 'upstream failing (breaker open)');
    if (!readiness || Date.now() - readiness.at > READINESS_CACHE_MS) {
      readiness = { ready: client.probe(), at: Date.now() };
    }
    const reachable = await readiness.ready;
    const status = !reachable ? 'upstream unreachable' : version.readiness().unsupported ? 'upstream version unsupported' : 'ready';
    return answer(status === 'ready' ? 200 : 503, status);
  });
  return router;
}

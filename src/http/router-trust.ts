/**
 * Who may call the subgraph: Express middleware mounted in front of `/graphql` (and any other
 * route that serves data or internals, such as `/metrics`). `/healthz` and `/readyz` stay open.
 *
 * Two checks, both before anything reaches Apollo Server, so a refused request never causes a
 * Healthie request. A refusal is passed to `next`, which answers, logs and counts it:
 * - Host: a web page can point a name it controls at 127.0.0.1 (DNS rebinding) and then call a
 *   developer's server as same-origin. Such requests carry the attacker's name in `Host`, so
 *   only loopback names and ALLOWED_HOSTS are accepted.
 * - Router secret: with ROUTER_SECRET set, every request must carry
 *   `router-authorization: <secret>` (the convention of Apollo's subgraph templates). Compared in
 *   constant time over equal-length digests, so neither the content nor the length leaks.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../errors.js';
import type { Middleware } from './graphql-endpoint.js';
import { Refusal } from './http-errors.js';

export const ROUTER_SECRET_HEADER = 'router-authorization';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The host name of a Host header value, lower-cased, without its port. */
export function hostName(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.replace(/:\d*$/, '');
}

export function isLoopbackName(name: string): boolean {
  return LOOPBACK_NAMES.has(name) || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name);
}

function refusal(status: number, code: ErrorCode, message: string): Refusal {
  return new Refusal(status, { errors: [{ message, extensions: { code } }] });
}

/** Refuses a Host that is neither a loopback name nor listed; `allowed` undefined accepts any. */
export function hostCheck(allowed: readonly string[] | undefined): Middleware {
  if (allowed === undefined) return (_req, _res, next) => next();
  const accepted = new Set(allowed);
  return (req, _res, next) => {
    const name = hostName(req.headers.host ?? '');
    if (name !== '' && (isLoopbackName(name) || accepted.has(name))) {
      next();
      return;
    }
    next(
      refusal(
        403,
        ErrorCode.FORBIDDEN,
        `Host "${name.slice(0, 100)}" is not accepted: only loopback names and ALLOWED_HOSTS are served. Add the name this server is reached by to ALLOWED_HOSTS.`,
      ),
    );
  };
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Requires `router-authorization: <secret>` when a secret is configured; otherwise passes. */
export function routerSecretCheck(secret: string | undefined): Middleware {
  if (secret === undefined) return (_req, _res, next) => next();
  const expected = digest(secret);
  return (req, _res, next) => {
    const sent = req.headersDistinct[ROUTER_SECRET_HEADER];
    // A repeated header is refused rather than picking one of its values.
    if (sent?.length === 1 && timingSafeEqual(digest(sent[0]!), expected)) {
      next();
      return;
    }
    next(
      refusal(
        401,
        ErrorCode.UNAUTHENTICATED,
        `This subgraph only answers its router: send the ${ROUTER_SECRET_HEADER} header with the value of ROUTER_SECRET (see "Production checklist" in README.md).`,
      ),
    );
  };
}

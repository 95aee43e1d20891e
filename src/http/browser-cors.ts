/**
 * CORS for the browser origins allowed outside production (Apollo Sandbox), and only for requests
 * that come from a browser: the router sends no `Origin`, so its requests skip the CORS work and
 * get only the `Vary: Origin` that keeps a shared cache from mixing the two kinds of answer.
 */
import cors from 'cors';
import type { Middleware } from './graphql-endpoint.js';

/**
 * Browser origins allowed outside production: Apollo Sandbox (embedded in the landing page, or
 * on Apollo Studio). Not `*`: with a server-level key configured, any web page could otherwise
 * read patient data through a developer's browser. Production serves the router, not browsers.
 */
export const SANDBOX_ORIGINS = ['https://sandbox.embed.apollographql.com', 'https://studio.apollographql.com'];

export function browserCors(origins: readonly string[] = SANDBOX_ORIGINS): Middleware {
  const handle = cors({ origin: [...origins], maxAge: 600 }) as Middleware;
  return (req, res, next) => {
    if (req.headers.origin !== undefined) return handle(req, res, next);
    res.setHeader('Vary', 'Origin');
    next();
  };
}

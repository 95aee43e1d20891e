/**
 * The bytes of a Healthie request: one pool of keep-alive connections to Healthie, and a POST
 * that answers the HTTP status and the body's text, or fails (the client, client.ts, turns
 * both into error codes).
 *
 * Why apart from the client: what goes on the wire (the pool, the per-request timer, the
 * headers every request carries) is the same for every call, and the client's job is what the
 * answers mean.
 */
import { EventEmitter } from 'node:events';
import { Agent, request } from 'undici';
import { API_VERSION_HEADER } from './version.js';

export interface TransportOptions {
  readonly url: string;
  /** Healthie API version sent with every request (Healthie-GraphQL-API-Version). */
  readonly apiVersion: string;
  /** Upper bound of concurrent connections to Healthie (HEALTHIE_CONNECTIONS). */
  readonly connections: number;
  /** Largest response body accepted, in bytes. */
  readonly maxResponseBytes: number;
}

export interface Transport {
  /** POSTs `body` with `headers` (and the version), giving up after `timeoutMs`. */
  post(headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export function createTransport(options: TransportOptions): Transport {
  const agent = new Agent({ connections: options.connections, maxResponseSize: options.maxResponseBytes, keepAliveTimeout: 10_000 });
  const baseHeaders = { 'content-type': 'application/json', accept: 'application/json', [API_VERSION_HEADER]: options.apiVersion };
  return {
    async post(headers, body, timeoutMs) {
      // A plain EventEmitter as the abort signal (undici then fails with an AbortError), fired by a
      // timer cleared on completion: an AbortController cost about 8 % of a request's CPU.
      const abort = new EventEmitter();
      const timer = setTimeout(() => abort.emit('abort'), timeoutMs);
      try {
        const response = await request(options.url, { method: 'POST', dispatcher: agent, headers: { ...baseHeaders, ...headers }, body, signal: abort });
        return { status: response.statusCode, text: await response.body.text() };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.close(),
  };
}

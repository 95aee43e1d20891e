/**
 * The Healthie client: the one place where HTTP statuses, network failures and Healthie's own
 * errors become this subgraph's error codes.
 *
 * It is a @graphql-tools executor: it POSTs one GraphQL document as JSON and returns the result.
 * Requests are never retried. A retried booking could create a second appointment, and a
 * retried query would only add load to an account that may already be rate limited; callers
 * get a precise code instead and decide.
 */
import { performance } from 'node:perf_hooks';
import { print, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { Agent, request as httpRequest, errors as undiciErrors } from 'undici';
import { healthieHeaders, type CredentialResolution } from '../credentials.js';
import { ErrorCode, subgraphError } from '../errors.js';
import type { Logger } from '../logger.js';

/** What the client needs from the per-request context. */
export interface UpstreamRequestContext {
  readonly requestId: string;
  readonly credentials: CredentialResolution;
  readonly logger: Logger;
}

export interface HealthieClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly apiVersion?: string;
  /** Largest response body accepted, in bytes. */
  readonly maxResponseBytes?: number;
  /** Upper bound of concurrent connections to Healthie. */
  readonly connections?: number;
}

export interface HealthieClient {
  readonly executor: Executor<UpstreamRequestContext>;
  /** True when Healthie answers HTTP at all (any status): used by /readyz. */
  probe(): Promise<boolean>;
  close(): Promise<void>;
}

const REJECTED_KEY_MESSAGE =
  'Healthie rejected the API key. Check that the key is active, was copied without spaces, and whether the account needs a shard (x-healthie-shard).';

const AUTH_WORDING = /api[ _-]?key|unauthori[sz]ed|unauthenticated|not authenticated|authorization/i;

interface HealthieErrorPayload {
  message?: unknown;
  path?: unknown;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

function statusError(status: number): GraphQLError {
  if (status === 401 || status === 403) return subgraphError(ErrorCode.UNAUTHENTICATED, REJECTED_KEY_MESSAGE);
  if (status === 429) {
    return subgraphError(ErrorCode.UPSTREAM_RATE_LIMITED, 'Healthie is rate limiting this account (HTTP 429); retry after a pause.');
  }
  if (status >= 500) {
    return subgraphError(ErrorCode.UPSTREAM_UNAVAILABLE, `Healthie answered HTTP ${status}; retry later.`, { upstreamStatus: status });
  }
  return subgraphError(ErrorCode.UPSTREAM_BAD_RESPONSE, `Healthie answered HTTP ${status} to a GraphQL request.`, { upstreamStatus: status });
}

function transportError(error: unknown, timeoutMs: number): GraphQLError {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError' || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return subgraphError(ErrorCode.UPSTREAM_TIMEOUT, `Healthie did not answer within ${timeoutMs} ms (HEALTHIE_TIMEOUT_MS).`);
  }
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) {
    return subgraphError(ErrorCode.UPSTREAM_BAD_RESPONSE, 'Healthie\'s response exceeded the size limit; request fewer records (page_size) or fields.');
  }
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? 'network error';
  return subgraphError(ErrorCode.UPSTREAM_UNAVAILABLE, `Healthie could not be reached (${code}); check HEALTHIE_API_URL and the network, then retry.`);
}

/**
 * Healthie reports some failures of the whole request as GraphQL errors with HTTP 200, notably
 * rate limiting (`TOO_MANY_REQUESTS`). Those become one error for the whole operation; other
 * errors are field errors and keep their path so the rest of the data is still delivered.
 */
function translateErrors(errors: readonly HealthieErrorPayload[]): { fatal?: GraphQLError; fieldErrors: GraphQLError[] } {
  const codes = errors.map((e) => e.extensions?.code);
  if (codes.includes('TOO_MANY_REQUESTS')) {
    return { fatal: subgraphError(ErrorCode.UPSTREAM_RATE_LIMITED, 'Healthie is rate limiting this account; retry after a pause.'), fieldErrors: [] };
  }
  // Healthie documents no code for a refused key; recognise the code or the wording of an
  // error that belongs to no field.
  const refusesKey = errors.some(
    (e) => e.extensions?.code === 'UNAUTHENTICATED' || (!Array.isArray(e.path) && typeof e.message === 'string' && AUTH_WORDING.test(e.message)),
  );
  if (refusesKey) return { fatal: subgraphError(ErrorCode.UNAUTHENTICATED, REJECTED_KEY_MESSAGE), fieldErrors: [] };
  const fieldErrors = errors.map((e) => {
    const path = Array.isArray(e.path) ? (e.path as Array<string | number>) : undefined;
    const healthieCode = typeof e.extensions?.code === 'string' ? e.extensions.code : undefined;
    return new GraphQLError(typeof e.message === 'string' ? e.message : 'Healthie returned an error.', {
      path,
      extensions: { code: ErrorCode.UPSTREAM_ERROR, ...(healthieCode ? { healthieCode } : {}) },
    });
  });
  const unpathed = fieldErrors.find((e) => e.path === undefined);
  return unpathed ? { fatal: unpathed, fieldErrors: [] } : { fieldErrors };
}

/** Printed documents: a planned document is printed once, not on every request. */
const printed = new WeakMap<DocumentNode, string>();
function printOnce(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

export function createHealthieClient(options: HealthieClientOptions): HealthieClient {
  const agent = new Agent({
    connections: options.connections ?? 32,
    maxResponseSize: options.maxResponseBytes ?? 10 * 1024 * 1024,
    keepAliveTimeout: 10_000,
  });
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiVersion) baseHeaders['Healthie-GraphQL-API-Version'] = options.apiVersion;

  async function post(headers: Record<string, string>, body: string) {
    const response = await httpRequest(options.url, {
      method: 'POST',
      dispatcher: agent,
      headers: { ...baseHeaders, ...headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  const executor = async (request: ExecutionRequest<Record<string, any>, UpstreamRequestContext>): Promise<ExecutionResult> => {
    const context = request.context;
    // Every delegation carries the request's context; without one there is no tenant to act for.
    if (!context) throw subgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'A Healthie request was attempted outside a GraphQL request.');
    const resolution = context.credentials;
    if ('problem' in resolution) throw subgraphError(ErrorCode.UNAUTHENTICATED, resolution.problem);
    const started = performance.now();
    const operationType = request.operationType ?? 'query';
    const log = (fields: Record<string, unknown>) =>
      context.logger.debug({ requestId: context.requestId, operationType, durationMs: Math.round(performance.now() - started), ...fields }, 'healthie request');

    let status: number;
    let text: string;
    try {
      ({ status, text } = await post(
        healthieHeaders(resolution.credentials),
        JSON.stringify({ query: printOnce(request.document), variables: request.variables, operationName: request.operationName }),
      ));
    } catch (error) {
      const translated = transportError(error, options.timeoutMs);
      log({ upstreamStatus: null, code: translated.extensions.code });
      throw translated;
    }

    if (status < 200 || status >= 300) {
      const translated = statusError(status);
      log({ upstreamStatus: status, code: translated.extensions.code });
      throw translated;
    }
    let payload: { data?: unknown; errors?: HealthieErrorPayload[] };
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      log({ upstreamStatus: status, code: ErrorCode.UPSTREAM_BAD_RESPONSE });
      throw subgraphError(ErrorCode.UPSTREAM_BAD_RESPONSE, 'Healthie answered with a body that is not JSON.');
    }
    const { fatal, fieldErrors } = translateErrors(Array.isArray(payload.errors) ? payload.errors : []);
    log({ upstreamStatus: status, code: fatal?.extensions.code, fieldErrors: fieldErrors.length });
    if (fatal) throw fatal;
    return { data: payload.data ?? null, ...(fieldErrors.length > 0 ? { errors: fieldErrors } : {}) } as ExecutionResult;
  };

  return {
    executor: executor as Executor<UpstreamRequestContext>,
    async probe() {
      try {
        await post({}, JSON.stringify({ query: '{ __typename }' }));
        return true;
      } catch {
        return false;
      }
    },
    close: () => agent.close(),
  };
}

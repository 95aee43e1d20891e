/**
 * One structured log line per GraphQL request: request id, operation name and type, duration and
 * the error codes returned. (Requests refused before an operation runs are logged by
 * http/refusals.ts.) Never the query text, variables, headers or response data: those can
 * hold API keys and patient information.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { performance } from 'node:perf_hooks';
import { codeOf } from '../errors.js';
import { REQUEST_ID_HEADER, type SubgraphContext } from '../context.js';
import { isUncodedClientError } from '../format-error.js';

/** An error's type and stack frames, with its message (and its causes') left out. */
export function describeForLog(error: unknown): { type: string; stack: string[] } {
  if (!(error instanceof Error)) return { type: typeof error, stack: [] };
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return { type: error.name, stack: frames.slice(0, 20).map((line) => line.trim()) };
}

/**
 * The longest operation name logged whole. A client chooses the name, and a 240,000-character one
 * made a 240 KB line per request, which log shippers split or drop; names operators read are short.
 */
export const MAX_LOGGED_NAME = 100;

function loggedName(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  return name.length > MAX_LOGGED_NAME ? `${name.slice(0, MAX_LOGGED_NAME)}… (${name.length} characters)` : name;
}

export function loggingPlugin(): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, errors, response }) {
          // Lets a client quote the id when reporting a problem; the log lines carry the same id.
          // Its presence also tells the /graphql handler the request was logged here (graphql-endpoint.ts).
          response.http.headers.set(REQUEST_ID_HEADER, contextValue.requestId);
          // The codes the client received: those of the formatted errors (format-error.ts), which
          // may differ from the raw ones (an uncoded client error is answered as BAD_REQUEST). An
          // incremental answer's errors are formatted as they are sent, so the raw ones stand in.
          const body = response.body;
          const sent = body.kind === 'single' ? (body.singleResult.errors ?? []) : (errors ?? []);
          const codes = [...new Set(sent.map((e) => codeOf(e)))];
          contextValue.logger.info(
            {
              requestId: contextValue.requestId,
              operationName: loggedName(operationName),
              operationType: operation?.operation ?? null,
              durationMs: Math.round(performance.now() - started),
              errorCodes: codes,
            },
            'graphql request',
          );
        },
        async didEncounterErrors({ errors }) {
          logUnexpectedErrors(contextValue, errors);
        },
      };
    },
  };
}

/**
 * Unexpected failures get their type and stack in the log (never in the response), but not their
 * message: a message can quote Healthie's text or request data. A client's mistake Apollo Server
 * reports without a code is not one of them. Also called by the planned path, whose responses
 * skip Apollo's didEncounterErrors.
 */
export function logUnexpectedErrors(context: SubgraphContext, errors: readonly GraphQLError[]): void {
  for (const error of errors) {
    if (!error.extensions?.code && !isUncodedClientError(error)) {
      context.logger.error({ requestId: context.requestId, error: describeForLog(error.originalError ?? error) }, 'unexpected error');
    }
  }
}

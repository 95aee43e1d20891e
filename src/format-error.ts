/**
 * The last step of every error on its way to a client: limit rejections get QUERY_TOO_COMPLEX,
 * Apollo's own request errors keep a request code (BAD_REQUEST, PERSISTED_QUERY_*), and anything
 * unclassified is masked.
 */
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { codeOf, ErrorCode } from './errors.js';
import { isNestingOverflow, isTokenLimitError, limitRejections, NESTING_LIMIT_MESSAGE, TOKEN_LIMIT_MESSAGE } from './plugins/limits.js';

/** Codes a client may see: ours, and Apollo Server's own request-level ones. */
const KNOWN_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

const MASKED_MESSAGE = "Internal server error; the subgraph log has the details under this response's x-request-id.";

/**
 * Apollo Server's own request errors without a code (an unsupported persisted-query version, a
 * hash that does not match its query): they carry a 4xx status and no cause, and are the
 * client's mistake, not this server's. Also read by the logging plugin, so they are not logged
 * as unexpected errors.
 */
export function isUncodedClientError(error: unknown): boolean {
  const { originalError, extensions } = error as { originalError?: unknown; extensions?: { code?: unknown; http?: { status?: unknown } } };
  const code = extensions?.code;
  const status = extensions?.http?.status;
  return (
    !originalError &&
    (code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR) &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500
  );
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown }).originalError;
  const code = codeOf(formatted);
  if (limitRejections.has(original as GraphQLError)) {
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.QUERY_TOO_COMPLEX } };
  }
  if (code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitError(formatted.message)) {
    return { ...formatted, message: TOKEN_LIMIT_MESSAGE, extensions: { ...formatted.extensions, code: ErrorCode.QUERY_TOO_COMPLEX } };
  }
  if (code === 'GRAPHQL_PARSE_FAILED' && isNestingOverflow(formatted.message)) {
    return { ...formatted, message: NESTING_LIMIT_MESSAGE, extensions: { ...formatted.extensions, code: ErrorCode.QUERY_TOO_COMPLEX } };
  }
  // The client's mistake: BAD_REQUEST with Apollo's own (constant) message, not a masked
  // INTERNAL_SERVER_ERROR.
  if (isUncodedClientError(error)) {
    return { message: formatted.message, extensions: { code: ErrorCode.BAD_REQUEST } };
  }
  // Apollo codes anything unclassified INTERNAL_SERVER_ERROR: that is a bug here and its message
  // may quote internals, so clients get a generic message and the log (logging plugin) the detail.
  if (code === ErrorCode.INTERNAL_SERVER_ERROR || !KNOWN_CODES.has(code)) {
    return {
      message: MASKED_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  }
  return formatted;
}

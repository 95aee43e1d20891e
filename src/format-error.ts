/**
 * The last step of every error on its way to a client: limit rejections get QUERY_TOO_COMPLEX,
 * Apollo's own request errors keep a request code (BAD_REQUEST, PERSISTED_QUERY_*), and anything
 * unclassified is masked.
 */
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { codeOf, ErrorCode } from './errors.js';
import { isTokenLimitError, limitRejections, TOKEN_LIMIT_MESSAGE } from './plugins/limits.js';

/** Codes a client may see: ours, and Apollo Server's own request-level ones. */
const KNOWN_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

const MASKED_MESSAGE = "Internal server error; the subgraph log has the details under this response's x-request-id.";

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown }).originalError;
  const code = codeOf(formatted);
  if (limitRejections.has(original as GraphQLError)) {
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.QUERY_TOO_COMPLEX } };
  }
  if (code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitError(formatted.message)) {
    return { ...formatted, message: TOKEN_LIMIT_MESSAGE, extensions: { ...formatted.extensions, code: ErrorCode.QUERY_TOO_COMPLEX } };
  }
  // Apollo's own request errors without a code (an unsupported persisted-query version, a hash
  // that does not match its query) carry a 4xx status: they are the client's, so BAD_REQUEST
  // with Apollo's own (constant) message, not a masked INTERNAL_SERVER_ERROR.
  const status = (error as { extensions?: { http?: { status?: unknown } } }).extensions?.http?.status;
  if (code === ErrorCode.INTERNAL_SERVER_ERROR && !original && typeof status === 'number' && status >= 400 && status < 500) {
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

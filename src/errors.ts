/**
 * Every error this subgraph returns carries one of these codes in `extensions.code`. They are a
 * public contract: flows branch on them, so codes are never renamed, only added.
 */
import { GraphQLError } from 'graphql';

export enum ErrorCode {
  /** No API key, or Healthie rejected it. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The HTTP request itself is malformed (not JSON, too large, wrong method). */
  BAD_REQUEST = 'BAD_REQUEST',
  /** The operation is malformed or uses something outside the approved schema. */
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  /** A variable or argument has the wrong type or value. */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** The operation exceeds a limit of this server (depth, cost, aliases, size). */
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** The caller is not allowed to do this (scheduling not granted by configuration or scopes). */
  FORBIDDEN = 'FORBIDDEN',
  /** An Idempotency-Key was reused with a different booking input. */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  /** A booking with the same Idempotency-Key is still in flight. */
  IDEMPOTENCY_IN_PROGRESS = 'IDEMPOTENCY_IN_PROGRESS',
  /** The tenant's share of Healthie requests is busy and the request waited too long to be sent. */
  UPSTREAM_BUSY = 'UPSTREAM_BUSY',
  /** Healthie no longer serves (or never served) the API version this subgraph was built for. */
  UPSTREAM_VERSION_UNSUPPORTED = 'UPSTREAM_VERSION_UNSUPPORTED',
  /** Healthie is rate limiting this account. */
  UPSTREAM_RATE_LIMITED = 'UPSTREAM_RATE_LIMITED',
  /** Healthie did not answer within HEALTHIE_TIMEOUT_MS. */
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
  /** Healthie could not be reached or answered with a server error. */
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  /** Healthie answered with something that is not a GraphQL response, or a field with a value its type does not allow. */
  UPSTREAM_BAD_RESPONSE = 'UPSTREAM_BAD_RESPONSE',
  /** Healthie returned a GraphQL error for part of the operation. */
  UPSTREAM_ERROR = 'UPSTREAM_ERROR',
  /** A bug or unexpected state in this server; details are in the server log only. */
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** A field Healthie answered with a value it may not have (UPSTREAM_BAD_RESPONSE), on both paths. */
export const BAD_ANSWER_MESSAGE =
  "Healthie answered this field with a value its type does not allow (null where a value is required, text for an object, an object for a name); the value is withheld. Retry later, and report the response's x-request-id if it persists.";

/** A field Healthie's answer left out (UPSTREAM_BAD_RESPONSE), on both paths. */
export const MISSING_ANSWER_MESSAGE =
  "Healthie's answer left this field out, where GraphQL requires an entry (null at least) for every field asked: Healthie failed, and this is not an empty result. If it persists, report the response's x-request-id.";

export function subgraphError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** The code of any error, whether ours, Apollo Server's or an unclassified one. */
export function codeOf(error: { extensions?: Record<string, unknown> } | undefined): string {
  const code = error?.extensions?.code;
  return typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR;
}

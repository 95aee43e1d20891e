/**
 * Healthie's GraphQL errors, made safe to hand to a client: the one place their text, paths and
 * codes are read.
 *
 * Why: Healthie's messages can quote patient data (names, emails, dates of birth, phone numbers),
 * its paths can name fields outside the allowlist, and a broken or hostile answer can carry tens
 * of thousands of errors. So:
 * - at most MAX_UPSTREAM_ERRORS errors are read, and each message at most MAX_MESSAGE_BYTES;
 * - Healthie's text is kept only when it is a validation message about the caller's own input
 *   (see `keepsHealthieText`); otherwise the client gets a generic message and `healthieCode`;
 * - a path is kept only as far as it follows fields the request to Healthie selected (so never
 *   through a field outside the allowlist); graphql-tools then maps it to the client's own path;
 * - `healthieCode` is kept only when it looks like a code (a short identifier).
 * Nothing here logs; callers log counts and codes only.
 */
import { GraphQLError, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode } from '../errors.js';
import { UpstreamFailure } from './failure.js';

export const MAX_UPSTREAM_ERRORS = 20;
export const MAX_MESSAGE_BYTES = 1024;

/** Healthie's codes for a problem with the values the caller sent. */
export const INPUT_VALIDATION_CODES: ReadonlySet<string> = new Set(['BAD_USER_INPUT', 'INVALID_INPUT', 'VALIDATION_ERROR']);

/** Longest Healthie message kept word for word. */
const MAX_KEPT_MESSAGE = 200;
const EMAIL = /[^\s@]+@[^\s@]+/;
const DIGITS = /\d{3,}|\d+[-/.]\d+/;
/** A capitalised word after the first: how names appear in otherwise generic sentences. */
const CAPITALISED_LATER_WORD = /\s[A-Z][a-z]/;
const CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export const GENERIC_FIELD_MESSAGE =
  'Healthie returned an error for this field; its message is withheld because it may contain patient data. See healthieCode.';
const WHOLE_REQUEST_MESSAGE =
  'Healthie returned an error for the whole request; its message is withheld because it may contain patient data. See healthieCode.';
export const REJECTED_KEY_MESSAGE =
  'Healthie rejected the API key. Check that the key is active, was copied without spaces, and whether the account needs a shard (x-healthie-shard).';
const AUTH_WORDING = /api[ _-]?key|unauthori[sz]ed|unauthenticated|not authenticated|authorization/i;

export interface HealthieErrorPayload {
  message?: unknown;
  path?: unknown;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

/** `text` cut to at most `maxBytes` of UTF-8, on a character boundary. */
export function truncateUtf8(text: string, maxBytes = MAX_MESSAGE_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  // A split multi-byte character decodes as U+FFFD at the end; drop it.
  while (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut;
}

/**
 * The rule for keeping Healthie's own text: its code says the caller's input is invalid, and the
 * message is short and quotes nothing that could identify a person: no email address, no number
 * of 3+ digits or digit groups (dates, phone numbers, ids), no capitalised word after the first
 * (names). "start_date must be a date (YYYY-MM-DD)" is kept; "Jane Roe has no appointment on
 * 1990-02-03" is not.
 */
export function keepsHealthieText(code: string | undefined, message: string): boolean {
  return (
    code !== undefined &&
    INPUT_VALIDATION_CODES.has(code) &&
    message.length > 0 &&
    message.length <= MAX_KEPT_MESSAGE &&
    !EMAIL.test(message) &&
    !DIGITS.test(message) &&
    !CAPITALISED_LATER_WORD.test(message)
  );
}

function fieldNamed(selectionSet: SelectionSetNode | undefined, responseKey: string): SelectionSetNode | null | undefined {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD && (selection.alias?.value ?? selection.name.value) === responseKey) {
      return selection.selectionSet ?? null;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const found = fieldNamed(selection.selectionSet, responseKey);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * The longest prefix of Healthie's path that follows the request sent to Healthie (response keys
 * it selected, list indexes under them); undefined when not even its first key does.
 */
export function pathWithinRequest(path: unknown, operation: OperationDefinitionNode | undefined): Array<string | number> | undefined {
  if (!Array.isArray(path) || !operation) return undefined;
  const kept: Array<string | number> = [];
  let selectionSet: SelectionSetNode | null | undefined = operation.selectionSet;
  for (const segment of path.slice(0, 32)) {
    if (typeof segment === 'number') {
      if (!Number.isSafeInteger(segment) || segment < 0 || kept.length === 0) break;
      kept.push(segment);
      continue;
    }
    if (typeof segment !== 'string' || !selectionSet) break;
    const next = fieldNamed(selectionSet, segment);
    if (next === undefined) break;
    kept.push(segment);
    selectionSet = next;
  }
  return kept.length > 0 ? kept : undefined;
}

export interface TranslatedErrors {
  /** An error of the whole request (rate limit, refused key, an error on no field). */
  readonly fatal?: UpstreamFailure;
  readonly fieldErrors: GraphQLError[];
  /** Errors Healthie sent beyond MAX_UPSTREAM_ERRORS, not read. */
  readonly dropped: number;
}

function codeOf(error: HealthieErrorPayload): string | undefined {
  const code = error?.extensions?.code;
  return typeof code === 'string' && CODE.test(code) ? code : undefined;
}

/**
 * Healthie reports some failures of the whole request as GraphQL errors with HTTP 200, notably
 * rate limiting (`TOO_MANY_REQUESTS`). Those become one error for the whole operation; other
 * errors are field errors on their (checked) path, so the rest of the data is still delivered.
 */
export function translateErrors(all: readonly HealthieErrorPayload[], operation: OperationDefinitionNode | undefined): TranslatedErrors {
  const errors = all.slice(0, MAX_UPSTREAM_ERRORS).map((e) => (e && typeof e === 'object' ? e : {}));
  const dropped = all.length - errors.length;
  if (errors.some((e) => codeOf(e) === 'TOO_MANY_REQUESTS')) {
    return {
      fatal: new UpstreamFailure(ErrorCode.UPSTREAM_RATE_LIMITED, 'Healthie is rate limiting this account; retry after a pause.', { sent: true, retry: 'rate_limited' }),
      fieldErrors: [],
      dropped,
    };
  }
  // Healthie documents no code for a refused key; recognise the code or the wording of an
  // error that belongs to no field (the wording is only tested, never repeated).
  const refusesKey = errors.some(
    (e) => codeOf(e) === 'UNAUTHENTICATED' || (!Array.isArray(e.path) && typeof e.message === 'string' && AUTH_WORDING.test(e.message.slice(0, MAX_MESSAGE_BYTES))),
  );
  if (refusesKey) return { fatal: new UpstreamFailure(ErrorCode.UNAUTHENTICATED, REJECTED_KEY_MESSAGE, { sent: true }), fieldErrors: [], dropped };

  const fieldErrors: GraphQLError[] = [];
  for (const error of errors) {
    const healthieCode = codeOf(error);
    const text = typeof error.message === 'string' ? truncateUtf8(error.message) : '';
    const message = keepsHealthieText(healthieCode, text) ? text : GENERIC_FIELD_MESSAGE;
    const extensions = { ...(healthieCode ? { healthieCode } : {}) };
    const path = pathWithinRequest(error.path, operation);
    if (!path) {
      const whole = message === text ? text : WHOLE_REQUEST_MESSAGE;
      return { fatal: new UpstreamFailure(ErrorCode.UPSTREAM_ERROR, whole, { sent: true, extensions }), fieldErrors: [], dropped };
    }
    fieldErrors.push(new GraphQLError(message, { path, extensions: { code: ErrorCode.UPSTREAM_ERROR, ...extensions } }));
  }
  return { fieldErrors, dropped };
}

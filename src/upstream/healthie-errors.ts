/**
 * Healthie's GraphQL errors, made safe to hand to a client: the one place their text, paths and
 * codes are read.
 *
 * Why: Healthie's messages can quote patient data (names, emails, dates of birth, phone numbers),
 * its paths can name fields outside the allowlist, and a broken or hostile answer can carry tens
 * of thousands of errors. So:
 * - at most MAX_UPSTREAM_ERRORS errors are read, and each message at most MAX_MESSAGE_BYTES;
 * - Healthie's text is kept only when it is one of graphql-ruby's validation messages about the
 *   caller's own input, checked against the request and rebuilt in the subgraph's names
 *   (validation-messages.ts); otherwise the client gets a generic message and `healthieCode`;
 * - a path is kept only as far as it follows fields the request to Healthie selected (so never
 *   through a field outside the allowlist); graphql-tools then maps it to the client's own path;
 * - `healthieCode` is kept only when it is one of the codes Healthie and graphql-ruby are known
 *   to send (KNOWN_HEALTHIE_CODES): an identifier-shaped string can still be patient text.
 * Nothing here logs; callers log counts and codes only.
 */
import { GraphQLError, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode } from '../errors.js';
import { UpstreamFailure } from './failure.js';
import { clientValidationMessage } from './validation-messages.js';

export const MAX_UPSTREAM_ERRORS = 20;
export const MAX_MESSAGE_BYTES = 1024;

/**
 * The error codes passed on as `healthieCode`: Healthie's own (rate limit, API version), the
 * conventional GraphQL server codes, and graphql-ruby's static validation codes. Any other code
 * is omitted, however code-like it looks.
 */
export const KNOWN_HEALTHIE_CODES: ReadonlySet<string> = new Set([
  'TOO_MANY_REQUESTS',
  'UNSUPPORTED_API_VERSION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'INVALID_INPUT',
  'VALIDATION_ERROR',
  'INTERNAL_SERVER_ERROR',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'argumentLiteralsIncompatible',
  'argumentNotAccepted',
  'missingRequiredArguments',
  'missingRequiredInputObjectAttribute',
  'undefinedField',
  'undefinedType',
  'selectionMismatch',
  'fieldConflict',
  'variableMismatch',
  'variableNotDefined',
  'variableNotUsed',
  'variableRequiresValidType',
  'argumentNotUnique',
  'inputObjectArgumentNotUnique',
  'directiveCannotBeApplied',
  'undefinedDirective',
  'fragmentSpreadTypeMismatch',
  'fragmentTypeMismatch',
  'undefinedFragment',
  'useAndDefineFragment',
  'fragmentNotUsed',
  'infiniteLoop',
]);

export const GENERIC_FIELD_MESSAGE =
  'Healthie returned an error for this field; its message is withheld because it may contain patient data. See healthieCode.';
const WHOLE_REQUEST_MESSAGE =
  'Healthie returned an error for the whole request; its message is withheld because it may contain patient data. See healthieCode.';
export const REJECTED_KEY_MESSAGE =
  'Healthie rejected the API key. Check that the key is active, was copied without spaces, and whether the account needs a shard (x-healthie-shard).';
const AUTH_WORDING = /api[ _-]?key|unauthori[sz]ed|unauthenticated|not authenticated|authorization/i;

/**
 * What Healthie puts around what a client sent when it quotes it: argument values and names in
 * quotes or parentheses, variables after `$`.
 */
const QUOTED_INPUT = /["'`$()]/;

/**
 * Whether an error says Healthie refused the key itself. Healthie documents no code for that, so
 * an error of no field counts when it is coded UNAUTHENTICATED or says so in words. The words
 * count only in a message that quotes nothing: a client chooses its variables' names and its
 * arguments' values, and Healthie quotes both when it refuses them, so `startDate: "api key"`
 * must not pass for a refused key (the key would be remembered as refused, locking its tenant
 * out). An error on a field (with a path) is about that field, never about the key.
 */
function refusesKey(error: HealthieErrorPayload): boolean {
  if (Array.isArray(error.path)) return false;
  if (codeOf(error) === 'UNAUTHENTICATED') return true;
  if (typeof error.message !== 'string') return false;
  const message = error.message.slice(0, MAX_MESSAGE_BYTES);
  // The wording is only tested, never repeated.
  return !QUOTED_INPUT.test(message) && AUTH_WORDING.test(message);
}

export interface HealthieErrorPayload {
  message?: unknown;
  path?: unknown;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

/** `text` cut to at most `maxBytes` of UTF-8, on a character boundary. */
export function truncateUtf8(text: string, maxBytes = MAX_MESSAGE_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const bytes = Buffer.from(text);
  // Back to the first byte of the character the cut falls in (the bytes after it are 10xxxxxx),
  // so that only whole characters are kept. Dropping a trailing U+FFFD instead dropped the text's
  // own U+FFFD characters too: all of a text made of them.
  let end = Math.max(0, maxBytes);
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
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
  return typeof code === 'string' && KNOWN_HEALTHIE_CODES.has(code) ? code : undefined;
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
  if (errors.some(refusesKey)) return { fatal: new UpstreamFailure(ErrorCode.UNAUTHENTICATED, REJECTED_KEY_MESSAGE, { sent: true }), fieldErrors: [], dropped };

  const fieldErrors: GraphQLError[] = [];
  for (const error of errors) {
    const healthieCode = codeOf(error);
    const text = typeof error.message === 'string' ? truncateUtf8(error.message) : '';
    // Only a template naming what the request holds is bound to the caller's own input.
    const kept = clientValidationMessage(text, operation);
    const extensions = { ...(healthieCode ? { healthieCode } : {}) };
    const path = pathWithinRequest(error.path, operation);
    if (!path) {
      return { fatal: new UpstreamFailure(ErrorCode.UPSTREAM_ERROR, kept ?? WHOLE_REQUEST_MESSAGE, { sent: true, extensions }), fieldErrors: [], dropped };
    }
    fieldErrors.push(new GraphQLError(kept ?? GENERIC_FIELD_MESSAGE, { path, extensions: { code: ErrorCode.UPSTREAM_ERROR, ...extensions } }));
  }
  return { fieldErrors, dropped };
}

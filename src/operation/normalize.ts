/**
 * The operation as Healthie receives it: the normalized form of the document graphql-tools built
 * for Healthie, with every fragment inlined, its selections merged and nothing but the one
 * operation, as federation routers build their subgraph operations.
 *
 * Why: the client's fragment structure is its own. Forwarded as written, a few hundred bytes of
 * fragments spreading each other describe millions of fields, and Healthie (graphql-ruby) spends
 * its time expanding them. Inlined, every spread would become a nested inline fragment (with the
 * `__typename` delegation adds to each), so the fragments that add nothing are flattened and
 * fields asked twice are asked once (merge.ts): then the request's size is the work it asks for.
 * That work is bounded here a second time (the cost plugin already bounds the client's operation;
 * the upstream document adds `__typename`s, `id`s and up to 50 batched root fields, hence the
 * larger bound), and so is the text itself, where it is produced: no path sends Healthie more
 * than MAX_UPSTREAM_QUERY_BYTES, however its text was built.
 */
import { print, type DocumentNode } from 'graphql';
import { expandOperation, ExpansionLimitError, MAX_EXPANDED_FIELDS, selectOperation } from './expand.js';
import { mergeOperation } from './merge.js';

/** Most fields a document sent to Healthie may have once expanded. */
export const MAX_UPSTREAM_FIELDS = MAX_EXPANDED_FIELDS * 4;

/**
 * Most bytes of GraphQL text one Healthie request may carry: twice the request body a client may
 * send (MAX_REQUEST_BYTES, src/http/http-errors.ts). The text sent is the client's operation
 * without its fragment definitions, plus renamed names, `__typename`s and batching aliases, so
 * an honest operation stays far below; with its variables (at most a client's body) the request
 * stays under the 1 MiB that HTTP servers commonly accept, the built-in sandbox included.
 */
export const MAX_UPSTREAM_QUERY_BYTES = 512 * 1024;

/** Refuses `query` when over MAX_UPSTREAM_QUERY_BYTES, with the size found and the fix. */
export function checkUpstreamSize(query: string): void {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most texts are decided without counting.
  if (query.length * 3 <= MAX_UPSTREAM_QUERY_BYTES) return;
  const bytes = Buffer.byteLength(query, 'utf8');
  if (bytes <= MAX_UPSTREAM_QUERY_BYTES) return;
  throw new ExpansionLimitError(
    MAX_UPSTREAM_QUERY_BYTES,
    'bytes',
    `The request for Healthie would be ${bytes} bytes of GraphQL once fragments are inlined, more than the ${MAX_UPSTREAM_QUERY_BYTES} allowed per Healthie request; nothing was sent. ` +
      'Use shorter aliases, spread fragments in fewer places, or split the operation.',
  );
}

/**
 * `document`'s operation with fragments inlined and selections merged; throws
 * ExpansionLimitError over MAX_UPSTREAM_FIELDS (counted before merging, so the bound holds
 * whatever merging removes).
 */
export function upstreamOperation(document: DocumentNode, operationName?: string | null, max = MAX_UPSTREAM_FIELDS): DocumentNode {
  const operation = selectOperation(document, operationName);
  if (!operation) throw new Error('The document for Healthie has no single operation to send.');
  const expanded = expandOperation(document, operation, max);
  return { ...expanded, definitions: expanded.definitions.map((d) => (d.kind === operation.kind ? mergeOperation(d) : d)) };
}

/** The text a Healthie request carries, and the document Healthie's errors are read against. */
export interface PreparedOperation {
  readonly normalized: DocumentNode;
  readonly query: string;
}

/**
 * The normalized operation and its text, once per document: a planned document (src/plan) is the
 * same object on every request, so it is normalized and printed once, not per request.
 */
const normalizedDocuments = new WeakMap<DocumentNode, { operationName: string | undefined; normalized: DocumentNode; query: string }>();
export function normalizedOnce(document: DocumentNode, operationName: string | undefined): PreparedOperation & { readonly operationName: string | undefined } {
  const known = normalizedDocuments.get(document);
  if (known && known.operationName === operationName) return known;
  const normalized = upstreamOperation(document, operationName);
  const query = print(normalized);
  checkUpstreamSize(query);
  const entry = { operationName, normalized, query };
  normalizedDocuments.set(document, entry);
  return entry;
}

/**
 * A request's text for Healthie, built already normalized (one operation, no fragments) with
 * `fields` fields: the planned path's entity requests differ from one request to the next only by
 * their ids, so their text is written from a template instead of expanded and printed per
 * request. The size bounds still apply, here where the text is made. `normalized` is the document
 * Healthie's errors are read against (its paths and names): one that differs from `query` only by
 * argument values, so a template serves every request built from it.
 */
export function preparedOperation(query: string, fields: number, normalized: DocumentNode): PreparedOperation {
  if (fields > MAX_UPSTREAM_FIELDS) throw new ExpansionLimitError(MAX_UPSTREAM_FIELDS);
  checkUpstreamSize(query);
  return { normalized, query };
}

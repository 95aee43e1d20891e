/**
 * The operation as Healthie receives it: the normalized form of the document graphql-tools built
 * for Healthie, with every fragment inlined and nothing but the one operation, as federation
 * routers build their subgraph operations.
 *
 * Why: the client's fragment structure is its own. Forwarded as written, a few hundred bytes of
 * fragments spreading each other describe millions of fields, and Healthie (graphql-ruby) spends
 * its time expanding them. Inlined, the request's size is the work it asks for, and that size is
 * bounded here a second time (the cost plugin already bounds the client's operation; the upstream
 * document adds `__typename`s, `id`s and up to 50 batched root fields, hence the larger bound).
 */
import { print, type DocumentNode } from 'graphql';
import { expandOperation, ExpansionLimitError, MAX_EXPANDED_FIELDS, selectOperation } from './expand.js';

/** Most fields a document sent to Healthie may have once expanded. */
export const MAX_UPSTREAM_FIELDS = MAX_EXPANDED_FIELDS * 4;

/** `document`'s operation with fragments inlined; throws ExpansionLimitError over MAX_UPSTREAM_FIELDS. */
export function upstreamOperation(document: DocumentNode, operationName?: string | null, max = MAX_UPSTREAM_FIELDS): DocumentNode {
  const operation = selectOperation(document, operationName);
  if (!operation) throw new Error('The document for Healthie has no single operation to send.');
  return expandOperation(document, operation, max);
}

/**
 * The normalized operation and its text, once per document: a planned document (src/plan) is the
 * same object on every request, so it is normalized and printed once, not per request.
 */
const normalizedDocuments = new WeakMap<DocumentNode, { operationName: string | undefined; normalized: DocumentNode; query: string }>();
export function normalizedOnce(document: DocumentNode, operationName: string | undefined) {
  const known = normalizedDocuments.get(document);
  if (known && known.operationName === operationName) return known;
  const normalized = upstreamOperation(document, operationName);
  const entry = { operationName, normalized, query: print(normalized) };
  normalizedDocuments.set(document, entry);
  return entry;
}

/**
 * Records `query` as the text of `document`, which its caller built already normalized (one
 * operation, no fragments) with `fields` fields: the planned path's entity requests differ from
 * one request to the next only by their ids, so their text is written from a template instead of
 * expanded and printed per request. The size bound still applies. `normalized`, when given, is
 * the document Healthie's errors are read against (its paths and names): one that differs from
 * `query` only by argument values, so a template serves every request built from it.
 */
export function alreadyNormalized(document: DocumentNode, operationName: string | undefined, query: string, fields: number, normalized = document): DocumentNode {
  if (fields > MAX_UPSTREAM_FIELDS) throw new ExpansionLimitError(MAX_UPSTREAM_FIELDS);
  normalizedDocuments.set(document, { operationName, normalized, query });
  return document;
}

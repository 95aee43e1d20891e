/**
 * What a cached plan keeps alive, in bytes, so that the plan cache is bounded in memory and not
 * only in count.
 *
 * Why: a plan keeps its document and, cached on it, a Healthie document per combination of
 * conditions (up to 64, roots.ts) or per mix of entity types (up to 64, forward-entities.ts), each
 * with a text of up to 512 KiB. Counted in plans alone (PLAN_CACHE_SIZE), a thousand documents
 * carrying long aliases and a few `@include($x)` could keep gigabytes: one 100 KB document queried
 * with all 64 combinations of six conditions kept 7 MB. So the cache weighs each plan as Apollo
 * Server weighs its document cache (the bytes of the JSON of what is kept), adds to the weight
 * whatever the plan caches later, and drops the least recently used plans over its byte bound
 * (PLAN_CACHE_MAX_MB). The estimate errs high: the JSON of a document shared by two of them counts
 * twice.
 */
import type { ASTNode, DocumentNode } from 'graphql';

/** The bytes a plan keeps, grown as the plan caches documents. */
export interface Retained {
  bytes: number;
}

/** A plan's weight: Apollo Server's estimate of a cached document's size, the bytes of its JSON. */
export function jsonBytes(document: ASTNode): number {
  return Buffer.byteLength(JSON.stringify(document), 'utf8');
}

/**
 * What a plan itself keeps of `operation`, the client's operation with its fragments expanded: its
 * fields translated to Healthie's names and the shape the answer is completed by. Weighed as the
 * expanded operation's JSON: the document as written undercounts a plan whose fragments expand
 * (measured threefold), and the expanded JSON overcounts it (kept: 4.8 MB for 7.9 MB weighed).
 */
export function structureBytes(operation: ASTNode): number {
  return jsonBytes(operation);
}

/**
 * Records a Healthie document cached on a plan: the document, its normalized form and its text
 * are about twice its JSON.
 */
export function retainDocument(retained: Retained, document: DocumentNode): void {
  retained.bytes += 2 * jsonBytes(document);
}

/**
 * The `/graphql` body reader: body-parser's JSON parser (size limit, bodies compressed with one
 * of BODY_ENCODINGS, strict JSON) held to UTF-8, the only charset JSON may be exchanged in
 * (RFC 8259, section 8.1).
 *
 * Why: body-parser refuses charsets that do not start with `utf-` (415), but decodes `utf-16`,
 * `utf-32` and `utf-7` bodies as they claim. A client sending one of those got either an answer
 * (a body really in UTF-16) or a 400 saying the body is not a JSON object (a UTF-8 body labelled
 * UTF-16), depending on bytes it cannot see. Every charset but UTF-8 now gets the one refusal
 * latin1 gets: 415, BAD_REQUEST, "charset.unsupported" (answered in http-errors.ts).
 *
 * The check reads the charset body-parser itself decodes with (its `verify` hook receives it,
 * lower-cased and unquoted, after the body is read within the size limit and before it is
 * decoded), so what is checked is what would be read.
 */
import bodyParser from 'body-parser';
import type { IncomingMessage, ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import type { Middleware } from './graphql-endpoint.js';

/**
 * The Content-Encodings a body may be sent in, as body-parser decodes them: one of these, once
 * (it refuses a list such as `gzip, identity`), or none (`identity`). zstd only where Node's zlib
 * has it (Node 22.15 and later), as body-parser checks. Named in the refusals (http-errors.ts).
 */
export const BODY_ENCODINGS: readonly string[] = ['gzip', 'deflate', 'br', ...('createZstdDecompress' in zlib ? ['zstd'] : [])];

/** The one charset a JSON body is read in: the default when none is sent. */
export const JSON_CHARSET = 'utf-8';

/** Refusal of a body in another charset, in body-parser's shape (status and type are read by http-errors.ts). */
class UnsupportedCharset extends Error {
  readonly status = 415;
  readonly type = 'charset.unsupported';
  constructor(readonly charset: string) {
    super('unsupported charset');
    this.name = 'UnsupportedCharset';
  }
}

/** Reads a JSON body of at most `limit` bytes into `req.body`; any charset but UTF-8 is refused with 415. */
export function jsonBody(limit: number): Middleware {
  return bodyParser.json({
    limit,
    verify: (_req: IncomingMessage, _res: ServerResponse, _body: Buffer, charset: string | null) => {
      if (charset !== JSON_CHARSET) throw new UnsupportedCharset(String(charset));
    },
  }) as Middleware;
}

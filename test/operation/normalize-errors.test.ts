/**
 * The text sent to Healthie is bounded where it is produced: over MAX_UPSTREAM_QUERY_BYTES
 * (counted in UTF-8 bytes), a request is refused with QUERY_TOO_COMPLEX stating the size and the
 * fix, nothing is sent, and nothing is logged as an error; on the planned path, on delegation,
 * and on delegation forced by a federated trace.
 */
import { Kind, parse, print, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ExpansionLimitError } from '../../src/operation/expand.js';
import { MAX_UPSTREAM_FIELDS, MAX_UPSTREAM_QUERY_BYTES, normalizedOnce, preparedOperation } from '../../src/operation/normalize.js';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { bothPaths } from '../helpers/stack.js';

const auth = { 'x-healthie-api-key': DEMO_API_KEY };

/** `{ user(id: "<id>") { id } }`, whose printed text is `id` plus a fixed number of bytes. */
const byId = (id: string): DocumentNode => parse(`{ user(id: ${print({ kind: Kind.STRING, value: id })}) { id } }`);
// Measured on a long id: graphql-js puts the arguments of a line over 80 characters on lines of their own.
const FIXED = print(byId('x'.repeat(100))).length - 100;

describe('the size bound of the text for Healthie', () => {
  it('sends a text of exactly the bound and refuses one byte more, naming the size and the fix', () => {
    expect(normalizedOnce(byId('x'.repeat(MAX_UPSTREAM_QUERY_BYTES - FIXED)), undefined).query).toHaveLength(MAX_UPSTREAM_QUERY_BYTES);
    const over = () => normalizedOnce(byId('x'.repeat(MAX_UPSTREAM_QUERY_BYTES - FIXED + 1)), undefined);
    expect(over).toThrow(ExpansionLimitError);
    expect(over).toThrow(
      `The request for Healthie would be ${MAX_UPSTREAM_QUERY_BYTES + 1} bytes of GraphQL once fragments are inlined, more than the ${MAX_UPSTREAM_QUERY_BYTES} allowed per Healthie request; nothing was sent. Use shorter aliases`,
    );
  });

  it('counts bytes, not characters: a text of fewer characters than the bound but more UTF-8 bytes is refused', () => {
    const euros = '€'.repeat(Math.floor((MAX_UPSTREAM_QUERY_BYTES - FIXED) / 3) + 1); // 3 bytes each
    const document = byId(euros);
    expect(print(document).length).toBeLessThan(MAX_UPSTREAM_QUERY_BYTES);
    expect(() => normalizedOnce(document, undefined)).toThrow(expect.objectContaining({ what: 'bytes', max: MAX_UPSTREAM_QUERY_BYTES }));
  });

  it('refuses a text written from a template (the planned path\'s entity requests) over the bound too', () => {
    const document = byId('1');
    const text = print(byId('x'.repeat(MAX_UPSTREAM_QUERY_BYTES)));
    expect(() => preparedOperation(text, 2, document)).toThrow(expect.objectContaining({ what: 'bytes' }));
    expect(preparedOperation(print(document), 2, document)).toEqual({ query: print(document), normalized: document });
  });

  it('refuses a text written from a template with more fields than a Healthie request may have', () => {
    const document = byId('1');
    expect(() => preparedOperation(print(document), MAX_UPSTREAM_FIELDS + 1, document)).toThrow(ExpansionLimitError);
    expect(() => preparedOperation(print(document), MAX_UPSTREAM_FIELDS, document)).not.toThrow();
  });
});

describe('a request whose text for Healthie is over the bound, through HTTP', () => {
  const paths = bothPaths();

  it('is refused alike on every path with QUERY_TOO_COMPLEX, nothing sent and no error logged', async () => {
    // One 200 KB alias, spread in four places: a 200 KB request that passes every limit on the
    // client's document (4 aliases, a handful of tokens, a few fields) and would send 800 KB.
    const query = `query Wide { healthieCurrentUser { ...L } healthieUser(id: "1001") { ...L } healthieAppointments(first: 1) { nodes { user { ...L } attendees { ...L } } } }
      fragment L on HealthieUser { ${'a'.repeat(200_000)}: id }`;
    const sandbox = paths.planned.sandbox; // both subgraphs send to it
    sandbox.clearRequests();
    const logged = paths.planned.logs.length + paths.delegated.logs.length;
    const answers = [
      await paths.planned.query(query, {}, auth),
      await paths.delegated.query(query, {}, auth),
      await paths.planned.query(query, {}, { ...auth, 'apollo-federation-include-trace': 'ftv1' }),
    ];
    for (const { status, body } of answers) {
      expect(status).toBe(200);
      expect(body.data).toEqual({ healthieCurrentUser: null, healthieUser: null, healthieAppointments: null });
      expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
        [['healthieCurrentUser'], 'QUERY_TOO_COMPLEX'],
        [['healthieUser'], 'QUERY_TOO_COMPLEX'],
        [['healthieAppointments'], 'QUERY_TOO_COMPLEX'],
      ]);
      expect(body.errors?.[0]?.message).toMatch(new RegExp(`^The request for Healthie would be 8\\d{5} bytes of GraphQL .* more than the ${MAX_UPSTREAM_QUERY_BYTES} allowed .*nothing was sent\\. Use shorter aliases`));
    }
    expect(sandbox.requests).toHaveLength(0);
    // The refusals were logged (one line per request), none of them as an error.
    expect(paths.planned.logs.length + paths.delegated.logs.length).toBeGreaterThan(logged);
    for (const line of [...paths.planned.logs, ...paths.delegated.logs]) expect(line).not.toMatch(/"level":"(error|fatal)"/);
  });
});

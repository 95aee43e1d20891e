/**
 * Patient-looking text in Healthie's answers never reaches the log, and reaches a client only as a
 * validation message about its own input. Every error path is fed names, emails, dates of birth
 * and phone numbers: field errors, unpathed errors, many errors, huge errors, several errors on
 * one path (AggregateError), paths outside the allowlist, non-JSON and 5xx bodies, timeouts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/sandbox/index.js';
import { GENERIC_FIELD_MESSAGE, MAX_UPSTREAM_ERRORS } from '../../src/upstream/healthie-errors.js';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.js';
import { rootKey, startUpstream, type Reply, type Upstream } from '../helpers/upstream.js';

const PATIENT = 'Rosalind Pemberton-Okafor, rosalind.pemberton@example.org, born 1984-03-07, phone +1 (555) 010-7788';
/** Pieces of PATIENT that must appear nowhere (shaped so that no id, time or duration can match them). */
const PATIENT_PIECES = ['Rosalind', 'Pemberton', 'Okafor', 'example.org', '1984-03-07', '(555) 010-7788', 'rosalind', 'pemberton', 'okafor', 'example dot org', '19840307'];
/** The same patient written the way the old heuristic let through: lowercase, the email spelled out. */
const LOWERCASE_PATIENT = 'email rosalind pemberton at example dot org is taken';
/** A code shaped like an identifier that is itself patient text. */
const PATIENT_CODE = 'rosalindPemberton_19840307';
const auth = { 'x-healthie-api-key': DEMO_API_KEY };

/** A Healthie error on `path` below the root field's response key (`$` stands for it). */
const field = (message: string, path: unknown[] = ['$'], code = 'NOT_FOUND') => ({ message, path, extensions: { code } });
/** `reply` with every "$" (key or path segment) replaced by the request's root response key. */
const forKey = (reply: Reply, key: string): Reply => (reply === 'hang' ? reply : JSON.parse(JSON.stringify(reply).replaceAll('"$"', JSON.stringify(key))));
const nulled = (errors: unknown[]) => ({ body: { data: { $: null }, errors } });

const CASES: Array<[string, Reply, string]> = [
  ['a field error', nulled([field(PATIENT)]), 'UPSTREAM_ERROR'],
  ['a validation-coded error quoting the patient', nulled([field(PATIENT, ['$'], 'BAD_USER_INPUT')]), 'UPSTREAM_ERROR'],
  ['an unpathed error', { body: { data: null, errors: [{ message: PATIENT }] } }, 'UPSTREAM_ERROR'],
  ['50,000 errors', nulled(Array.from({ length: 50_000 }, () => field(PATIENT))), 'UPSTREAM_ERROR'],
  ['a 1 MB message', nulled([field(PATIENT.repeat(10_000))]), 'UPSTREAM_ERROR'],
  ['two errors on one path (AggregateError)', nulled([field(PATIENT), field(`${PATIENT} again`, ['$'], 'FORBIDDEN')]), 'UPSTREAM_ERROR'],
  ['a path through a field outside the allowlist', nulled([field(PATIENT, ['$', 'insurance_plans', 0, 'member_id'])]), 'UPSTREAM_ERROR'],
  ['a body that is not JSON', { body: `<html>${PATIENT}</html>` }, 'UPSTREAM_BAD_RESPONSE'],
  ['a 500 with the patient in its body', { status: 500, body: { error: PATIENT } }, 'UPSTREAM_UNAVAILABLE'],
  ['a 502 with an HTML body', { status: 502, body: `<h1>${PATIENT}</h1>` }, 'UPSTREAM_UNAVAILABLE'],
  ['a 401 with the patient in its body', { status: 401, body: { errors: [{ message: PATIENT }] } }, 'UNAUTHENTICATED'],
  ['a 429 with the patient in its body', { status: 429, body: { errors: [{ message: PATIENT }] } }, 'UPSTREAM_RATE_LIMITED'],
  // Without PATIENT's phone: a message quoting anything (here its parentheses) is not a refused key.
  ['a refused key worded with the patient', { body: { errors: [{ message: `API key of ${PATIENT.replace(/, phone .*/, '')} is not authorized` }] } }, 'UNAUTHENTICATED'],
  ['a refusal worded like a refused key, quoting the patient', { body: { errors: [{ message: `API key of ${PATIENT} is not authorized` }] } }, 'UPSTREAM_ERROR'],
  ['a rate limit with the patient in it', { body: { errors: [{ message: PATIENT, extensions: { code: 'TOO_MANY_REQUESTS' } }] } }, 'UPSTREAM_RATE_LIMITED'],
  ['a timeout', 'hang', 'UPSTREAM_TIMEOUT'],
  ['a code that is itself patient text', nulled([{ message: 'x', path: ['$'], extensions: { code: PATIENT } }]), 'UPSTREAM_ERROR'],
  ['an identifier-shaped code that is patient text', nulled([{ message: 'x', path: ['$'], extensions: { code: PATIENT_CODE } }]), 'UPSTREAM_ERROR'],
  ['a lowercase validation message with a spelled-out email on a field', nulled([field(LOWERCASE_PATIENT, ['$'], 'VALIDATION_ERROR')]), 'UPSTREAM_ERROR'],
  ['a pathless lowercase validation message with a spelled-out email', { body: { data: null, errors: [{ message: LOWERCASE_PATIENT, extensions: { code: 'VALIDATION_ERROR' } }] } }, 'UPSTREAM_ERROR'],
  ['a lowercase message with an identifier-shaped code', nulled([field('rosalind pemberton has no appointment', ['$'], PATIENT_CODE)]), 'UPSTREAM_ERROR'],
  [
    "graphql-ruby's argument template quoting the patient as the value",
    nulled([field(`Argument 'id' on Field 'user' has an invalid value (${LOWERCASE_PATIENT}). Expected type 'ID'.`, ['$'], 'argumentLiteralsIncompatible')]),
    'UPSTREAM_ERROR',
  ],
  [
    "graphql-ruby's argument template naming the patient as the argument",
    nulled([field("Argument 'rosalindPemberton' on Field 'currentUser' has an invalid value. Expected type 'ID'.", ['$'], 'argumentLiteralsIncompatible')]),
    'UPSTREAM_ERROR',
  ],
];

function expectNoPatientText(text: string, where: string): void {
  for (const piece of PATIENT_PIECES) expect(text.includes(piece), `${where} contains "${piece}"`).toBe(false);
}

describe('error hygiene', () => {
  let upstream: Upstream | undefined;
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    await upstream?.close();
  });

  /** `timeoutMs`: short for the case that hangs; long otherwise, so a busy machine parsing a huge answer is not mistaken for a timeout. */
  async function start(timeoutMs = 30_000) {
    upstream = await startUpstream();
    // No retries, so every case sends one request; the log is at trace level (see startStack).
    stack = await startStack({ upstreamUrl: upstream.url, env: { HEALTHIE_TIMEOUT_MS: String(timeoutMs), HEALTHIE_RETRIES: '0' } });
    return { upstream, stack };
  }

  for (const [name, reply, code] of CASES) {
    it(`keeps patient text out of the log and the response for ${name} (${code})`, async () => {
      const { upstream, stack } = await start(reply === 'hang' ? 2_000 : 30_000);
      upstream.setReply((request) => forKey(reply, rootKey(request)));
      const result: GraphQLResponse = await stack.query('{ healthieCurrentUser { id firstName } }', {}, auth);
      expect(result.body.errors?.length).toBeGreaterThan(0);
      expect(result.body.errors!.length).toBeLessThanOrEqual(MAX_UPSTREAM_ERRORS);
      expect(result.body.errors!.map((e) => e.extensions?.code)).toEqual(result.body.errors!.map(() => code));
      expect(result.body.errors!.every((e) => Buffer.byteLength(e.message) <= 1024)).toBe(true);
      expectNoPatientText(JSON.stringify(result.body), 'the response');
      // Wait for the log lines of the request to be written, then scan all of them.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stack.logs.some((line) => line.includes('"healthie request"'))).toBe(true);
      expectNoPatientText(stack.logs.join('\n'), 'the log');
      expect(stack.logs.join('\n').length).toBeLessThan(20_000);
    });
  }

  it('returns several errors on one path as several UPSTREAM_ERRORs on the client path, not one masked error', async () => {
    const { upstream, stack } = await start();
    upstream.setReply((request) => forKey(nulled([field('one', ['$'], 'NOT_FOUND'), field('two', ['$'], 'FORBIDDEN')]), rootKey(request)));
    const result = await stack.query('{ me: healthieCurrentUser { id } }', {}, auth);
    expect(result.body.errors).toEqual([
      expect.objectContaining({ message: GENERIC_FIELD_MESSAGE, path: ['me'], extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR', healthieCode: 'NOT_FOUND' }) }),
      expect.objectContaining({ message: GENERIC_FIELD_MESSAGE, path: ['me'], extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR', healthieCode: 'FORBIDDEN' }) }),
    ]);
  });

  it("keeps graphql-ruby's argument message about the caller's input, in the subgraph's names, without the value, and out of the log", async () => {
    const { upstream, stack } = await start();
    const message = `Argument 'id' on Field 'user' has an invalid value (${LOWERCASE_PATIENT}). Expected type 'ID'.`;
    upstream.setReply((request) => forKey(nulled([field(message, ['$'], 'argumentLiteralsIncompatible')]), rootKey(request)));
    const result = await stack.query('{ healthieUser(id: "7") { id } }', {}, auth);
    expect(result.body.errors).toEqual([
      expect.objectContaining({
        message: "Argument 'id' on Field 'healthieUser' has an invalid value. Expected type 'ID'.",
        path: ['healthieUser'],
        extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR', healthieCode: 'argumentLiteralsIncompatible' }),
      }),
    ]);
    expect(stack.logs.join('\n')).not.toContain('invalid value');
    expectNoPatientText(JSON.stringify(result.body), 'the response');
  });

  it("keeps graphql-ruby's message about an invalid variable the caller declared, without the problem quoting its value", async () => {
    const { upstream, stack } = await start();
    const message = `Variable $who of type ID was provided invalid value for who (${LOWERCASE_PATIENT})`;
    upstream.setReply(() => ({ body: { errors: [{ message, extensions: { value: LOWERCASE_PATIENT } }] } }));
    const result = await stack.query('query ($who: ID) { healthieUser(id: $who) { id } }', { who: '7' }, auth);
    expect(result.body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['Variable $who of type ID was provided invalid value.', 'UPSTREAM_ERROR']]);
    expectNoPatientText(JSON.stringify(result.body), 'the response');
  });

  it('maps a path through a field outside the allowlist to the deepest allowed field', async () => {
    const { upstream, stack } = await start();
    upstream.setReply((request) =>
      forKey({ body: { data: { $: { __typename: 'User', id: '1', organization: null } }, errors: [field('x', ['$', 'organization', 'billing_items', 3])] } }, rootKey(request)),
    );
    const result = await stack.query('{ healthieCurrentUser { id organization { name } } }', {}, auth);
    expect(result.body.data).toEqual({ healthieCurrentUser: { id: '1', organization: null } });
    expect(result.body.errors?.map((e) => e.path)).toEqual([['healthieCurrentUser', 'organization']]);
    expect(JSON.stringify(result.body)).not.toContain('billing');
  });
});

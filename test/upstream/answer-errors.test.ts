/**
 * readAnswer's failures: an answer that is not a result becomes the failure the client throws,
 * with a stable code, whether Healthie may have run the operation, and the outcome recorded; a
 * result with root fields left out gets UPSTREAM_BAD_RESPONSE at each.
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { readAnswer } from '../../src/upstream/answer.js';
import { mayHaveExecuted } from '../../src/upstream/failure.js';
import { VersionMonitor } from '../../src/upstream/version.js';

const QUERY = '{ a: user(id: "1") { id } b: user(id: "2") { id } }';
const read = (status: number, body: unknown, write = false, version?: VersionMonitor) =>
  readAnswer(status, typeof body === 'string' ? body : JSON.stringify(body), {
    operation: parse(QUERY).definitions[0] as OperationDefinitionNode,
    variables: {},
    write,
    ...(version ? { version } : {}),
  });
const REFUSED_VERSION = {
  errors: [{ message: 'API version 2026-01-01 was sunset on 2027-01-31', extensions: { code: 'UNSUPPORTED_API_VERSION', requested_version: '2026-01-01', minimum_supported_version: '2026-07-01', latest_version: '2026-07-01' } }],
};

describe('readAnswer when the answer is not a result', () => {
  it('fails a 429 with UPSTREAM_RATE_LIMITED, marked rate-limited and not run', () => {
    const reading = read(429, 'Too Many Requests');
    expect(reading.result).toBeUndefined();
    expect(reading.failure?.extensions.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(reading.outcome).toBe('UPSTREAM_RATE_LIMITED');
    expect(reading.rateLimited).toBe(true);
    expect(mayHaveExecuted(reading.failure)).toBe(false);
  });

  it("fails Healthie's TOO_MANY_REQUESTS error of the whole request the same way", () => {
    const reading = read(200, { errors: [{ message: 'Too many requests. Please try again later.', extensions: { code: 'TOO_MANY_REQUESTS' } }] });
    expect(reading.failure?.extensions.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(reading.rateLimited).toBe(true);
    expect(mayHaveExecuted(reading.failure)).toBe(false);
  });

  it('fails a 5xx of a booking with UPSTREAM_UNAVAILABLE, as one that may have been run', () => {
    const reading = read(502, '<html>Bad Gateway</html>', true);
    expect(reading.failure?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(reading.outcome).toBe('UPSTREAM_UNAVAILABLE');
    expect(reading.fields).toEqual({ upstreamStatus: 502, code: 'UPSTREAM_UNAVAILABLE' });
    expect(reading.rateLimited).toBe(false);
    expect(mayHaveExecuted(reading.failure)).toBe(true);
  });

  it('fails a 401 or 403 with UNAUTHENTICATED, as not run', () => {
    for (const status of [401, 403]) {
      const reading = read(status, { errors: [{ message: 'Unauthorized' }] }, true);
      expect(reading.failure?.extensions.code, String(status)).toBe('UNAUTHENTICATED');
      expect(mayHaveExecuted(reading.failure), String(status)).toBe(false);
    }
  });

  it("fails Healthie's refusal of the API version with UPSTREAM_VERSION_UNSUPPORTED, in a 2xx or an error status, as not run", () => {
    for (const status of [200, 400]) {
      const version = new VersionMonitor({ apiVersion: '2026-01-01', logger: createLogger({ level: 'silent' }) });
      const reading = read(status, REFUSED_VERSION, true, version);
      expect(reading.failure?.extensions.code, String(status)).toBe('UPSTREAM_VERSION_UNSUPPORTED');
      expect(reading.outcome, String(status)).toBe('UPSTREAM_VERSION_UNSUPPORTED');
      expect(mayHaveExecuted(reading.failure), String(status)).toBe(false);
      expect(version.readiness().unsupported, String(status)).toEqual(expect.any(String));
    }
  });

  it("records a whole-request error with its code and counts, its field errors not kept", () => {
    const reading = read(200, {
      errors: [
        { message: 'Too many requests. Please try again later.', extensions: { code: 'TOO_MANY_REQUESTS' } },
        { message: 'User 2 not found', path: ['b'] },
      ],
    });
    expect(reading.failure?.extensions.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(reading.result).toBeUndefined();
    expect(reading.fields).toEqual({ upstreamStatus: 200, code: 'UPSTREAM_RATE_LIMITED', fieldErrors: 0, droppedErrors: 0 });
  });

  it('fails a body outside the GraphQL response contract with UPSTREAM_BAD_RESPONSE, quoting nothing of it', () => {
    for (const body of ['not json', '[]', '{}', '{"data":null}', '{"data":"Jane Doe"}', '{"errors":"Jane Doe"}']) {
      const reading = read(200, body);
      expect(reading.failure?.extensions.code, body).toBe('UPSTREAM_BAD_RESPONSE');
      expect(reading.failure?.message, body).not.toContain('Jane');
      expect(reading.outcome, body).toBe('UPSTREAM_BAD_RESPONSE');
    }
  });

  it('answers a root field Healthie left out with null and UPSTREAM_BAD_RESPONSE at it, counted in the recorded fields', () => {
    const reading = read(200, { data: { a: { id: '1' } } });
    expect(reading.failure).toBeUndefined();
    expect(reading.result?.data).toEqual({ a: { id: '1' }, b: null });
    expect(reading.result?.errors?.map((error) => [error.path, error.extensions.code])).toEqual([[['b'], 'UPSTREAM_BAD_RESPONSE']]);
    expect(reading.fields).toMatchObject({ missingFields: 1, unaskedFields: 0 });
  });
});

/**
 * The logger's redaction is the safety net behind every log call: secrets and patient data that
 * reach a log call by mistake are censored.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { apolloLogger, createLogger } from '../src/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), lines };
}

describe('logger redaction', () => {
  it('censors headers, keys, shards, variables, bodies and data wherever they appear', () => {
    const { logger, lines } = capture();
    logger.info({
      headers: { authorization: 'Basic secret-key-1' },
      req: { headers: { 'x-healthie-api-key': 'secret-key-2' } },
      apiKey: 'secret-key-3',
      shard: 'secret-shard',
      variables: { dob: '1980-01-01' },
      body: '{"email":"jane@example.com"}',
      data: { firstName: 'Jane' },
      upstream: { authorization: 'Basic secret-key-4', variables: { kw: 'Jane' }, data: { lastName: 'Doe' } },
    });
    const text = lines.join('');
    for (const secret of ['secret-key-1', 'secret-key-2', 'secret-key-3', 'secret-key-4', 'secret-shard', '1980-01-01', 'jane@example.com', 'Jane', 'Doe']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('keeps what operators need: ids, codes, statuses and durations', () => {
    const { logger, lines } = capture();
    logger.info({ requestId: 'r-1', operationName: 'Lookup', upstreamStatus: 200, durationMs: 12, errorCodes: ['UNAUTHENTICATED'] }, 'graphql request');
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'r-1', operationName: 'Lookup', upstreamStatus: 200, durationMs: 12, errorCodes: ['UNAUTHENTICATED'], level: 'info' });
  });

  it('censors inside errors and class instances too, keeping what else they say', () => {
    const { logger, lines } = capture();
    const failure = Object.assign(new Error('upstream failed'), { body: '{"email":"jane@example.com"}', status: 502 });
    class Call {
      constructor(readonly headers: Record<string, string>, readonly attempt: number) {}
    }
    logger.error({ err: failure, call: new Call({ authorization: 'Basic secret-key-5' }, 2) }, 'failed');
    const line = JSON.parse(lines[0]!);
    expect(lines[0]).not.toContain('jane@example.com');
    expect(lines[0]).not.toContain('secret-key-5');
    expect(line.err).toMatchObject({ type: 'Error', message: 'upstream failed', body: '[redacted]', status: 502 });
    expect(line.err.stack).toContain('upstream failed');
    expect(line.call).toEqual({ headers: '[redacted]', attempt: 2 });
  });

  it('logs the value of an own getter of a censored object, and nothing for a getter that throws', () => {
    const { logger, lines } = capture();
    const call = { body: 'secret-body-7', status: 503 };
    Object.defineProperty(call, 'attempt', { get: () => 3, enumerable: true });
    Object.defineProperty(call, 'broken', { get: () => { throw new Error('unreadable'); }, enumerable: true });
    logger.error({ call }, 'failed');
    expect(lines[0]).not.toContain('secret-body-7');
    expect(JSON.parse(lines[0]!).call).toEqual({ body: '[redacted]', status: 503, attempt: 3 });
  });

  it("censors a child logger's bindings", () => {
    const { logger, lines } = capture();
    logger.child({ apiKey: 'secret-key-6', upstream: { shard: 'secret-shard-2' }, requestId: 'r-2' }).child({ body: 'secret-body' }).info('bound');
    expect(lines[0]).not.toContain('secret-body');
    expect(lines[0]).not.toContain('secret-key-6');
    expect(lines[0]).not.toContain('secret-shard-2');
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'r-2', apiKey: '[redacted]', upstream: { shard: '[redacted]' } });
  });

  it("leaves the caller's objects as they were", () => {
    const { logger } = capture();
    const nested = { variables: { id: '1' }, attempt: 1 };
    const fields = { data: { firstName: 'Jane' }, upstream: nested };
    logger.info(fields);
    expect(fields).toEqual({ data: { firstName: 'Jane' }, upstream: { variables: { id: '1' }, attempt: 1 } });
    expect(fields.upstream).toBe(nested);
  });

  it('censors objects interpolated into a message', () => {
    const { logger, lines } = capture();
    logger.info('upstream answered %j', { status: 200, data: { firstName: 'Jane' } });
    expect(lines[0]).not.toContain('Jane');
    expect(JSON.parse(lines[0]!).msg).toBe('upstream answered {"status":200,"data":"[redacted]"}');
  });
});

describe("Apollo Server's log lines", () => {
  it("keep Apollo's own words and drop the error text it appends, which can quote Healthie's answer", () => {
    const { logger, lines } = capture();
    const apollo = apolloLogger(logger);
    apollo.error("Unexpected error processing request: TypeError: Cannot create property 'x' on string 'Patient Ava Alder DOB 1980-02-03'");
    apollo.warn('Persisted queries are enabled and are using an unbounded cache');
    const logged = lines.map((line) => JSON.parse(line) as { level: string; msg: string; source: string });
    expect(logged.map(({ level, msg, source }) => [level, msg, source])).toEqual([
      ['error', 'Unexpected error processing request', 'apollo-server'],
      ['warn', 'Persisted queries are enabled and are using an unbounded cache', 'apollo-server'],
    ]);
    expect(lines.join('\n')).not.toMatch(/Ava|Alder|1980-02-03/);
  });
});

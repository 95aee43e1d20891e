/**
 * The logger's redaction is the safety net behind every log call: secrets and patient data that
 * reach a log call by mistake are censored.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

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
});

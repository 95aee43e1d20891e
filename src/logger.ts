/**
 * Structured JSON logs with pino. Secrets and patient data never reach a log line: call sites log
 * only ids, names of operations, codes, statuses and durations, and the redaction below is the
 * safety net for anything that slips through (headers, variables, response bodies).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACTED_PATHS = [
  'authorization',
  'headers',
  'req.headers',
  'request.headers',
  'variables',
  'data',
  'body',
  'apiKey',
  'shard',
  '*.authorization',
  '*.apiKey',
  '*.shard',
  '*.variables',
  '*.headers',
  '*.data',
  '*.body',
];

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'healthie-subgraph' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    // stdout without blocking the request: a line is written by libuv while the next request is
    // served, and lines that queue up meanwhile go out in one write. Written synchronously, the
    // one line per request cost a system call on the request's own path. Pino flushes on exit.
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

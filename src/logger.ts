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
    options.destination,
  );
}

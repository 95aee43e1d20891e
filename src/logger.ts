/**
 * Structured JSON logs with pino. Secrets and patient data never reach a log line: call sites log
 * only ids, names of operations, codes, statuses and durations, and the redaction below is the
 * safety net for anything that slips through (headers, variables, response bodies).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const CENSOR = '[redacted]';

/**
 * Keys censored at the top level of a log line and one level below it (`headers` and
 * `upstream.headers` alike): what pino's `redact` paths `key` and `*.key` would censor.
 */
const REDACTED_KEYS: ReadonlySet<string> = new Set(['authorization', 'headers', 'variables', 'data', 'body', 'apiKey', 'shard']);

/** A copy of `value` (same prototype, every own property, Error message and stack included) with `keys` censored. */
function censored(value: object, keys: readonly string[]): object {
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  for (const name of Reflect.ownKeys(value)) Object.defineProperty(copy, name, ownValue(value, name));
  for (const key of keys) Object.defineProperty(copy, key, { value: CENSOR, enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * An own property of `value` as a data property. Accessors are read on the original: from Node 22
 * on, V8 makes an error's `stack` an own accessor that answers only for the error it belongs to,
 * so a copied accessor would log an empty stack. A getter that throws logs as undefined.
 */
function ownValue(value: object, name: string | symbol): PropertyDescriptor {
  const descriptor = Reflect.getOwnPropertyDescriptor(value, name)!;
  if (!('get' in descriptor) && !('set' in descriptor)) return descriptor;
  let read: unknown;
  try {
    read = Reflect.get(value, name);
  } catch {
    read = undefined;
  }
  return { value: read, enumerable: descriptor.enumerable ?? false, writable: true, configurable: true };
}

function sensitiveKeys(value: object): string[] | undefined {
  let keys: string[] | undefined;
  for (const key of Object.keys(value)) if (REDACTED_KEYS.has(key)) (keys ??= []).push(key);
  return keys;
}

/**
 * The redaction, as pino's log and bindings formatter: it runs before serialization, never
 * changes the caller's object (it copies what it censors) and returns the fields unchanged when
 * nothing is to be censored, which is every line the code writes on purpose.
 *
 * Why not pino's `redact` option: with wildcard paths it runs its redactor over every field of
 * every line, parsing each path again on each call; that cost about 8 µs and 15 KB of garbage per
 * line, on the one line every request writes (npm run bench).
 */
export function redactFields<T extends Record<string, unknown>>(fields: T): T {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (REDACTED_KEYS.has(key)) {
      (copy ??= { ...fields })[key] = CENSOR;
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = sensitiveKeys(value);
      if (keys) (copy ??= { ...fields })[key] = censored(value, keys);
    }
  }
  return (copy ?? fields) as T;
}

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  const logger = pino(
    {
      level: options.level,
      base: { service: 'healthie-subgraph' },
      formatters: { level: (label) => ({ level: label }), log: redactFields, bindings: redactFields },
      hooks: {
        // Objects interpolated into a message (`%o`, `%O`, `%j`) are censored as fields are.
        // `args` is pino's own copy of the call's arguments.
        logMethod(args, method) {
          for (let i = 1; i < args.length; i += 1) {
            const arg: unknown = args[i];
            if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) args[i] = redactFields(arg as Record<string, unknown>);
          }
          return method.apply(this, args);
        },
      },
    },
    // stdout in batches: lines collect up to 4 KiB (or one second) and go out in one write, off
    // the request's path. One write per line cost about a tenth of the server's CPU under load
    // (npm run bench). Pino flushes what is left on exit. The buffer joins lines into one string
    // and measures it on every line, copying it whole, so its chunks are kept at 8 KiB rather
    // than the default 16 KiB: that copy was about 4 KB of garbage per request line.
    options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096, maxWrite: 8192, periodicFlush: 1000 }),
  );
  // Pino applies the bindings formatter to the root's bindings only, so a child's are censored
  // here; children inherit this method, so grandchildren's are too.
  type Child = (this: unknown, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions) => unknown;
  const child = logger.child as unknown as Child;
  const censoredChild: Child = function (this: unknown, bindings, childOptions) {
    return child.call(this, redactFields(bindings), childOptions);
  };
  logger.child = censoredChild as unknown as Logger['child'];
  return logger;
}

/** What Apollo Server needs of a logger (its `logger` option). */
export interface ApolloLogger {
  debug(message?: unknown): void;
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
}

/**
 * Apollo Server's own log lines, written through `logger`. Apollo writes an error's text into its
 * line ("Unexpected error processing request: TypeError: Cannot create property ... on string
 * '<Healthie's answer>'"), and its default logger prints to the console, past the redaction: so
 * only what precedes the first colon (Apollo's own words) is kept, at most 120 characters.
 */
export function apolloLogger(logger: Logger): ApolloLogger {
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (message?: unknown) => {
    if (!logger.isLevelEnabled(level)) return;
    const own = String(message ?? '').split(':')[0]!.slice(0, 120);
    logger[level]({ source: 'apollo-server' }, own);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
